"""Similar ideas shown while an idea is written: found once the title and the problem are given,
as one card before the next question; never in the way."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

import structlog

from bot.domain.identity import Caller
from bot.domain.intake import Draft
from bot.domain.messages import CardMessage
from bot.domain.similar import SUGGESTIONS, Audience, Match, MatchKind, query_of
from bot.domain.text import Answer
from bot.services.supporters import Supported, SupportService
from cards.suggestions import suggestions_card

log = structlog.get_logger(__name__)


class SimilarFinder(Protocol):
    """The similar-ideas engine, as the submission uses it (bot.services.similar)."""

    async def find(self, text: str, *, audience: Audience, limit: int = SUGGESTIONS,
                   exclude: Collection[tuple[MatchKind, int]] = ()) -> list[Match]: ...


class Suggestions:
    """What the submission offers of similar ideas: the card of them, and supporting one."""

    def __init__(self, similar: SimilarFinder, supporters: SupportService) -> None:
        self._similar = similar
        self._supporters = supporters

    async def card_for(self, object_id: str, draft_id: str, draft: Draft) -> CardMessage | None:
        """The ideas and initiatives colleagues may see that are most like the draft's title
        and problem, as a card for its writer; None when there are none."""
        try:
            matches = await self._similar.find(query_of(draft.title, draft.problem),
                                               audience=Audience.COLLEAGUES, limit=SUGGESTIONS)
        except Exception:  # never in the way: the submission carries on without them
            log.exception("suggestions.failed")
            return None
        if not matches:
            return None
        ideas = [match.item_id for match in matches if match.kind is MatchKind.IDEA]
        return suggestions_card(matches, draft_id,
                                await self._supporters.standing(object_id, ideas))

    async def support(self, caller: Caller, idea_id: int | None, draft_id: Answer,
                      comment: Answer) -> Supported:
        """Support one of the ideas shown instead of submitting the draft (SupportService)."""
        return await self._supporters.support(caller, idea_id, draft_id, comment)
