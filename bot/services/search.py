"""`search`: anyone looks through earlier ideas and the known initiatives, as colleagues may
see them: only shared ideas, under their public title, never who suggested them.

Words are ranked by the similar-ideas engine (Audience.COLLEAGUES); text that is only a
reference shows that idea, if colleagues may find it; text that says too little is refused
with a hint rather than answered with ideas at random.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from bot.domain.errors import InvalidText
from bot.domain.search import HINT, SEARCH_RESULTS, reference_only
from bot.domain.similar import (
    Audience,
    Match,
    MatchKind,
    Ranked,
    Thresholds,
    match_of,
    searchable,
)
from bot.services.ports import UnitOfWorkFactory

# An idea named by its reference is shown as found outright, never flagged as anyone's likely
# duplicate (that is for ideas ranked by their words).
EXACT = 1.0
BY_REFERENCE = Thresholds(suggest_from=EXACT, likely_duplicate=EXACT + 1)


class FindsSimilar(Protocol):
    """What a search needs of the similar-ideas engine (bot.services.similar.SimilarIdeas)."""

    async def find(self, text: str, *, audience: Audience, limit: int = ...,
                   exclude: Collection[tuple[MatchKind, int]] = ()) -> list[Match]: ...


@dataclass(frozen=True, slots=True)
class Searched:
    """What a search found, best first; `reference`, the idea asked for by its reference."""

    text: str
    matches: list[Match]
    reference: str | None = None


class EarlierIdeas:
    def __init__(self, uow: UnitOfWorkFactory, similar: FindsSimilar) -> None:
        self._uow = uow
        self._similar = similar

    async def search(self, text: str) -> Searched:
        """Up to SEARCH_RESULTS ideas and initiatives like `text`, as colleagues may see them;
        InvalidText (with a hint) for text that says too little to search on."""
        reference = reference_only(text)
        if reference is not None:
            return Searched(text, await self._by_reference(reference), reference)
        wanted = searchable(text)
        if wanted is None:
            raise InvalidText("search", HINT)
        return Searched(text, await self._similar.find(wanted, audience=Audience.COLLEAGUES,
                                                       limit=SEARCH_RESULTS))

    async def _by_reference(self, reference: str) -> list[Match]:
        """The idea of `reference`, if colleagues may see it (shared, never withdrawn), as
        their searches show it; [] if not, whether it exists or not."""
        async with self._uow() as uow:
            idea = await uow.ideas.by_reference(reference)
            if idea is None:
                return []
            found = await uow.match_documents.found(
                [Ranked(MatchKind.IDEA, idea.id, EXACT)], Audience.COLLEAGUES)
        # Named, not ranked: the score is the whole of it, and it is no one's duplicate.
        return [match_of(f, EXACT, Audience.COLLEAGUES, BY_REFERENCE) for f in found]
