"""The PMO decides who may find an idea by searching: publish it, hide it, or give it a public
title in place of its own, from their idea card or the command line.

Only the PMO (from the organisation's records, by the presser's Entra object id) may change
it; a card showing an older setting changes nothing; every change is audited. The setting is
not a move in the idea's life: its version and history stay as they are, so that nobody's
decision buttons go out of date over it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Protocol

import structlog

from bot.domain.audit import AuditEntry
from bot.domain.errors import InvalidText, NotFound, OutOfDate
from bot.domain.ideas import IdeaDetail
from bot.domain.identity import Caller
from bot.domain.lifecycle import Party
from bot.domain.messages import CardMessage
from bot.domain.similar import Visibility
from bot.domain.visibility import (
    TITLE_INPUT,
    ChangeFindability,
    Findability,
    changed,
    describe,
)
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.services.staff_cards import IdeaCardView, viewer_of

log = structlog.get_logger(__name__)

NOT_PMO = "Only the PMO team decides who may find an idea by searching. Nothing changed."
NO_SUCH_IDEA = "That idea could not be found. Nothing changed."
OUT_OF_DATE = ("This card was out of date: who may find the idea changed meanwhile. Nothing "
               "changed; here is the idea as it is now.")
# Kept as it is: the command line's way of leaving the public title alone.
KEEP = object()


class FindabilityViews(Protocol):
    """The cards a change answers with; the cards package provides them."""

    idea_card: IdeaCardView

    def refused(self, reason: str) -> CardMessage: ...


@dataclass(frozen=True, slots=True)
class Changed:
    """What the command line changed: the idea, and its setting before and after."""

    reference: str
    title: str
    before: Findability
    after: Findability


def findability_of(idea: IdeaDetail) -> Findability:
    return Findability(idea.visibility, idea.public_title)


class IdeaFindability:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, views: FindabilityViews,
                 organisation: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._views = views
        self._organisation = organisation or OrganisationCache()

    async def change_on_card(self, actor: Caller, request: ChangeFindability) -> CardMessage:
        """The PMO's confirm on their idea card; the answer is their card as it now is, saying
        what changed, or why nothing did."""
        async with self._uow() as uow:
            idea = await uow.ideas.by_id(request.idea_id)
            organisation = await self._organisation.read(uow)
            if idea is None or organisation is None:
                return self._refused(actor, request, "no such idea", NO_SUCH_IDEA)
            viewer = viewer_of(actor.object_id, idea, organisation)
            if Party.PMO not in viewer:
                return self._refused(actor, request, "not pmo", NOT_PMO)
            before = findability_of(idea)

            def card(notice: str, typed: Mapping[str, str] | None = None) -> CardMessage:
                return self._views.idea_card(idea, viewer, organisation, notice=notice,
                                             typed=typed)

            if request.shown != before.state:
                return card(OUT_OF_DATE)
            try:
                after = changed(before, request.visibility, request.public_title)
            except InvalidText as problem:
                return card(str(problem), {TITLE_INPUT: request.public_title or ""})
            if after == before:
                return card("That is how it is already. Nothing changed.")
            if not await self._store(uow, idea, before, after, actor.object_id):
                current = await uow.ideas.by_id(idea.id)
                assert current is not None  # ideas are never deleted
                return self._views.idea_card(current, viewer, organisation,
                                             notice=OUT_OF_DATE)
            await uow.commit()
        now = replace(idea, visibility=after.visibility, public_title=after.public_title)
        return self._views.idea_card(now, viewer, organisation,
                                     notice=f"Saved. {describe(after, idea.title)}")

    async def change(self, reference: str, *, actor: str,
                     visibility: Visibility | None = None,
                     public_title: object = KEEP) -> Changed:
        """The command line's change (`iip idea publish|hide|redact`): `visibility` None keeps
        the idea's; `public_title` a text (or None, the idea's own title again), or KEEP.
        NotFound for no such idea; InvalidText for a public title that cannot be used."""
        async with self._uow() as uow:
            idea = await uow.ideas.by_reference(reference)
            if idea is None:
                raise NotFound(f"There is no idea {reference}.")
            before = findability_of(idea)
            title = before.public_title if public_title is KEEP else public_title
            assert title is None or isinstance(title, str)
            after = changed(before, visibility or before.visibility, title)
            if after != before:
                if not await self._store(uow, idea, before, after, actor):
                    raise OutOfDate(f"{reference} changed just now; please try again.")
                await uow.commit()
        return Changed(reference, idea.title, before, after)

    async def _store(self, uow: UnitOfWork, idea: IdeaDetail, before: Findability,
                     after: Findability, actor: str) -> bool:
        """Write the change and its audit entry; False if the setting changed meanwhile."""
        if not await uow.ideas.set_findability(idea.id, before, after):
            return False
        await uow.audit.record(AuditEntry(
            actor=actor, action="idea.visibility", subject=idea.reference,
            at=self._clock.now(),
            detail={"from": before.visibility.value, "to": after.visibility.value,
                    "public_title": after.public_title,
                    "public_title_before": before.public_title}))
        return True

    def _refused(self, actor: Caller, request: ChangeFindability, why: str,
                 words: str) -> CardMessage:
        log.warning("visibility.refused", why=why, idea=request.idea_id,
                    actor=actor.object_id)
        return self._views.refused(words)
