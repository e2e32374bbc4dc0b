"""The similar-ideas pass: the ideas and initiatives like each new idea, found after it was
saved (never on its contributor's turn) and shown on its assessors' cards.

Every MATCH_PASS_SECONDS a pass reads the undecided ideas whose matches are not found yet (one
indexed read, which finds none most of the time), at most PASS_LIMIT of them, newest first.
For each it searches (as the staff see: any visibility, the idea itself left out), then in one
transaction claims the idea by a conditional update of `ideas.matched_at`, keeps what it found,
audits it and, when it found some, redraws the idea's staff cards in place (a card still
waiting to be sent is rewritten, so the first one shows them). Two passes at once keep each
idea's matches once; a pass stopped mid-way leaves what it had not committed to the next. An
idea reopened is matched again (the reopen clears `matched_at`); one decided before its turn
is not.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Protocol

import structlog

from bot.domain.audit import SYSTEM, AuditEntry
from bot.domain.duplicates import MATCHED, PASS_LIMIT, ToMatch
from bot.domain.similar import SUGGESTIONS, Audience, Match, MatchKind
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWorkFactory
from bot.services.staff_cards import IdeaCardView, update_staff_cards

log = structlog.get_logger(__name__)

ACTOR = f"{SYSTEM}:similar"


class FindsSimilar(Protocol):
    """The similar-ideas engine (bot.services.similar.SimilarIdeas), as the pass uses it."""

    async def find(self, text: str, *, audience: Audience, limit: int = SUGGESTIONS,
                   exclude: Collection[tuple[MatchKind, int]] = ()) -> list[Match]: ...


class MatchPass:
    """Runs the similar-ideas pass (`run`), for the scheduler."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, similar: FindsSimilar,
                 card: IdeaCardView, tenant_id: str | None = None,
                 organisation: OrganisationCache | None = None,
                 limit: int = PASS_LIMIT, ready: Callable[[], bool] = lambda: True) -> None:
        """`ready` says whether the engine has learned every idea kept so far: until then
        (while a replica starts) a pass does nothing, rather than keep what a half-loaded
        index finds."""
        self._uow = uow
        self._ready = ready
        self._clock = clock
        self._similar = similar
        self._card = card
        self._tenant_id = tenant_id
        self._organisation = organisation or OrganisationCache()
        self._limit = limit
        self._more = False

    def seconds_to_next(self) -> float | None:
        """0 when the last pass left ideas waiting (it took as many as it may): the next one
        goes on at once; None otherwise."""
        return 0.0 if self._more else None

    async def run(self) -> list[str]:
        """One pass: the references of the ideas whose matches it kept."""
        if not self._ready():
            self._more = False
            return []
        async with self._uow() as uow:
            due = await uow.idea_matches.due(self._limit)
        self._more = len(due) >= self._limit
        kept: list[str] = []
        for idea in due:
            found = await self._similar.find(idea.text, audience=Audience.STAFF,
                                             limit=SUGGESTIONS,
                                             exclude=[(MatchKind.IDEA, idea.id)])
            if await self._keep(idea, found):
                kept.append(idea.reference)
        if kept:
            log.info("similar.pass", ideas=kept)
        return kept

    async def _keep(self, idea: ToMatch, found: list[Match]) -> bool:
        """Keep what was found for `idea` and redraw its cards; False when another pass had
        kept its matches first, or it was decided meanwhile."""
        now = self._clock.now()
        async with self._uow() as uow:
            if not await uow.idea_matches.claim(idea.id, now):
                return False
            await uow.idea_matches.store(idea.id, found)
            await uow.audit.record(AuditEntry(
                actor=ACTOR, action="idea.matched", subject=idea.reference, at=now,
                detail={"matches": [{"reference": m.reference, "score": round(m.score, 3),
                                     "likely_duplicate": m.likely_duplicate}
                                    for m in found]}))
            # Cards are redrawn when there is something to show: "none found" waits for the
            # idea's next redraw rather than send each of its cards again for it.
            current = await uow.ideas.by_id(idea.id) if found else None
            organisation = await self._organisation.read(uow) if found else None
            if current is not None and organisation is not None:
                await update_staff_cards(uow, current, organisation, self._card,
                                         self._tenant_id, now, occasion=MATCHED,
                                         sent_only=True)
            await uow.commit()
        return True
