"""Similar ideas shown while an idea is written: found once the title and the problem are given,
as one card before the next question; never in the way."""

from __future__ import annotations

import asyncio
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

# How long the problem turn waits for similar ideas by default (seconds): its p99 budget is
# 150 ms, and the turn's own work takes a few ms.
SEARCH_WAIT = 0.1


class SimilarFinder(Protocol):
    """The similar-ideas engine, as the submission uses it (bot.services.similar)."""

    async def find(self, text: str, *, audience: Audience, limit: int = SUGGESTIONS,
                   exclude: Collection[tuple[MatchKind, int]] = ()) -> list[Match]: ...


class Suggestions:
    """What the submission offers of similar ideas: the card of them, and supporting one.
    `wait`: how long (seconds) a turn waits for the search before it goes on without it."""

    def __init__(self, similar: SimilarFinder, supporters: SupportService, *,
                 wait: float = SEARCH_WAIT) -> None:
        self._similar = similar
        self._supporters = supporters
        self._wait = wait
        # Searches that outlasted their turn, kept until they finish (the event loop holds
        # tasks only weakly).
        self._late: set[asyncio.Task[list[Match]]] = set()

    async def card_for(self, object_id: str, draft_id: str, draft: Draft) -> CardMessage | None:
        """The ideas and initiatives colleagues may see that are most like the draft's title
        and problem, as a card for its writer; None when there are none, or when the search
        takes longer than the turn may wait (never in the way: the submission goes on)."""
        search = asyncio.ensure_future(self._similar.find(
            query_of(draft.title, draft.problem), audience=Audience.COLLEAGUES,
            limit=SUGGESTIONS))
        done, _ = await asyncio.wait({search}, timeout=self._wait)
        if not done:
            # Left to finish rather than cancelled mid-transaction; its answer is not needed.
            log.warning("suggestions.too_slow", waited_ms=round(self._wait * 1000))
            self._late.add(search)
            search.add_done_callback(self._finished_late)
            return None
        try:
            matches = search.result()
        except Exception:  # never in the way: the submission carries on without them
            log.exception("suggestions.failed")
            return None
        if not matches:
            return None
        ideas = [match.item_id for match in matches if match.kind is MatchKind.IDEA]
        return suggestions_card(matches, draft_id,
                                await self._supporters.standing(object_id, ideas))

    def _finished_late(self, search: asyncio.Task[list[Match]]) -> None:
        self._late.discard(search)
        if not search.cancelled() and search.exception() is not None:
            log.warning("suggestions.failed_late", error=repr(search.exception())[:200])

    async def support(self, caller: Caller, idea_id: int | None, draft_id: Answer,
                      comment: Answer) -> Supported:
        """Support one of the ideas shown instead of submitting the draft (SupportService)."""
        return await self._supporters.support(caller, idea_id, draft_id, comment)
