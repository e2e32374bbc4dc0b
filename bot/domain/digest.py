"""The workforce's "you said, we did": ideas delivered since the last digest, each credited
the way its contributor agreed to.

A digest is prepared (its ideas fixed, so that what the PMO previews is what is sent) and
then sent once to everyone with the app. A contributor who agreed to be named is named;
one who did not is described by their role and department as they gave them at submission,
or as "a colleague" when they gave neither: the delivery is still celebrated, never them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.ideas import add_months

# How far back the first digest looks, when none has been sent before.
FIRST_DIGEST_MONTHS = 3
# How many deliveries the card tells in full; the rest are counted. Teams refuses a message
# over about 28 KB, and a long list is not read.
SHOWN = 5
# What each tells of what changed and the difference it made, at most: whatever language it
# is written in, five of them stay well inside a Teams message.
TOLD_LIMIT = 160

_ROLES = {
    "officer": "an officer",
    "staff": "a member of police staff",
    "special": "a special constable",
    "volunteer": "a volunteer",
}


class DigestState(StrEnum):
    DRAFT = "draft"
    SENT = "sent"


@dataclass(frozen=True, slots=True)
class Delivered:
    """One delivered idea as the workforce reads it: no contributor's name without consent."""

    reference: str
    title: str
    credit: str
    delivered_at: datetime
    what_changed: str = ""
    benefit_seen: str = ""


@dataclass(frozen=True, slots=True)
class Digest:
    """`total` counts every idea delivered in the window; `entries` are the first `SHOWN`."""

    id: int
    covers_from: datetime
    covers_to: datetime
    entries: tuple[Delivered, ...]
    total: int
    state: DigestState
    created_by: str
    created_at: datetime
    sent_at: datetime | None = None
    recipients: int = 0

    @property
    def more(self) -> int:
        """How many delivered ideas the card counts without telling."""
        return self.total - len(self.entries)


def credit(*, named: bool, name: str | None, role_type: str | None,
           department: str | None) -> str:
    """Who to thank: the contributor's name if they agreed to be named, otherwise their role
    in their department ("an officer in Local Policing"), as far as they told us."""
    if named and name and name.strip():
        return name.strip()
    who = _ROLES.get(role_type or "", "a colleague")
    return f"{who} in {department}" if department else who


def told(text: str) -> str:
    """`text` as the digest tells it: whole if short, otherwise cut at a word, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= TOLD_LIMIT:
        return text
    cut = text[:TOLD_LIMIT - 1]
    at_word = cut.rsplit(" ", 1)[0] if " " in cut[TOLD_LIMIT // 2:] else cut
    return at_word.rstrip(" ,;:.") + "…"


def window_start(last_sent_to: datetime | None, now: datetime) -> datetime:
    """Where a new digest's window begins: where the last one sent ended, or, for the first,
    `FIRST_DIGEST_MONTHS` back."""
    if last_sent_to is not None:
        return last_sent_to
    start = add_months(now.date(), -FIRST_DIGEST_MONTHS)
    return now.replace(year=start.year, month=start.month, day=start.day)
