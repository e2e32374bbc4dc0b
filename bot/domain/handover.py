"""Open ideas when the organisation file changes: a load must never leave an open idea with
nobody who has followed it.

A portfolio's open ideas are stranded when the new file retires the portfolio, or keeps it
but drops every SPOC and deputy who followed it (its only SPOC, replaced by someone new, is
the usual case). A portfolio that keeps at least one of them (a second SPOC, or a deputy) is
not: that person knows the ideas and has their cards, and the new SPOCs are sent the cards as
the ideas next move. Stranded ideas are moved to a portfolio the loader names, or the load is
refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import DomainError, OrganisationError
from bot.domain.ideas import IdeaSummary, Status
from bot.domain.lifecycle import CLOSED
from bot.domain.organisation import Organisation

OPEN = frozenset(Status) - CLOSED
# The history's action when a load moves an idea to another portfolio (not a staff move).
REASSIGNED = "reassigned"


@dataclass(frozen=True, slots=True)
class Orphaned:
    """A portfolio of the old file whose open ideas the new file leaves with nobody."""

    key: str
    name: str
    retired: bool  # gone from the file; otherwise kept, without anyone who followed it

    @property
    def why(self) -> str:
        return ("retired by the new file" if self.retired
                else "none of its SPOCs or deputies is in the new file's")


def orphaned_portfolios(before: Organisation | None,
                        after: Organisation) -> tuple[Orphaned, ...]:
    """The portfolios of `before` that loading `after` would leave without a follower."""
    if before is None:
        return ()
    kept = {p.key: p for p in after.portfolios}
    found: list[Orphaned] = []
    for old in before.portfolios:
        new = kept.get(old.key)
        if new is None:
            found.append(Orphaned(old.key, old.name, retired=True))
        elif not {*old.spocs, *old.deputies} & {*new.spocs, *new.deputies}:
            found.append(Orphaned(old.key, old.name, retired=False))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Stranded:
    """An orphaned portfolio and its open ideas, the longest waiting first."""

    portfolio: Orphaned
    ideas: tuple[IdeaSummary, ...]


class OpenIdeasLeft(DomainError):
    """The load would strand open ideas and no portfolio was named to take them."""

    def __init__(self, stranded: tuple[Stranded, ...]) -> None:
        count = sum(len(s.ideas) for s in stranded)
        super().__init__(f"{count} open idea(s) would be left with nobody to look after them.")
        self.stranded = stranded


def reassign_target(key: str | None, after: Organisation) -> str | None:
    """The portfolio of the new file that takes stranded ideas (None: none was named);
    OrganisationError for a key the new file does not have."""
    if key is None:
        return None
    keys = [p.key for p in after.portfolios]
    if key not in keys:
        raise OrganisationError([f"--reassign-to {key}: the new file has no portfolio with "
                                 f"that key (it has: {', '.join(keys)})."])
    return key
