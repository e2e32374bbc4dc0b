"""Supporting an idea instead of submitting one's own: the person's draft goes, they follow the
idea from then on, and its staff are told."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.audit import AuditEntry
from bot.domain.errors import NotAllowed, NotFound, OutOfDate
from bot.domain.ideas import IdeaDetail
from bot.domain.identity import Caller
from bot.domain.messages import CardMessage
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.domain.supporters import Standing, clean_comment, told_of_support
from bot.domain.text import Answer
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.services.staff_cards import IdeaCardView, update_staff_cards

CANNOT_SUPPORT = ("That idea can no longer be supported: it may have been withdrawn or taken "
                  "out of colleagues' sight. Nothing changed.")
STALE = "That card is about an idea you were writing before, so nothing changed."


@dataclass(frozen=True, slots=True)
class SupportViews:
    """The cards supporting queues for staff; the cards package provides them."""

    idea_card: IdeaCardView
    # The idea (with its new count), the supporter's name, and what they added.
    new_supporter: Callable[[IdeaDetail, str, str], CardMessage]


@dataclass(frozen=True, slots=True)
class Supported:
    """`reference`, supported now (or `already`); `discarded`: the supporter's draft went."""

    reference: str
    already: bool
    discarded: bool


class SupportService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, views: SupportViews,
                 organisation: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._views = views
        self._organisation = organisation or OrganisationCache()

    async def standing(self, object_id: str, idea_ids: Collection[int]) -> dict[int, Standing]:
        """Of `idea_ids`, those the person contributed or supports already."""
        if not idea_ids:
            return {}
        async with self._uow() as uow:
            return await uow.supporters.standing(object_id, idea_ids)

    async def support(self, supporter: Caller, idea_id: int | None, draft_id: Answer,
                      comment: Answer) -> Supported:
        """Make `supporter` a supporter of the idea instead of submitting the draft `draft_id`
        (the one a suggestion card was shown for), in one transaction: their row, the draft
        discarded, the audit entry, the idea's staff told and their cards redrawn with the new
        count.

        Once per person: supporting again says so (and discards that draft, as asked). Raises
        InvalidText for a comment that cannot be kept, NotFound for an idea colleagues may not
        support (unknown, private, hidden or withdrawn), NotAllowed for the person's own idea,
        and OutOfDate when the draft is no longer the one the card was for; nothing changes
        then."""
        text = clean_comment(comment)
        if idea_id is None:
            raise NotFound(CANNOT_SUPPORT)
        now = self._clock.now()
        async with self._uow() as uow:
            if not await uow.supporters.hold_supportable(idea_id):
                raise NotFound(CANNOT_SUPPORT)
            idea = await uow.ideas.by_id(idea_id)
            assert idea is not None  # held just now
            if idea.contributor_object_id == supporter.object_id:
                raise NotAllowed(f"{idea.reference} is your own idea, so you cannot support "
                                 "it. Nothing changed.")
            stored = await uow.drafts.get(supporter.object_id)
            ours = stored is not None and stored[0] == draft_id
            if not await uow.supporters.add(idea_id, supporter.object_id,
                                            supporter.name or None, text, now):
                if ours:
                    await uow.drafts.delete(supporter.object_id)
                    await uow.commit()
                return Supported(idea.reference, already=True, discarded=ours)
            if not ours:
                raise OutOfDate(STALE)
            supported = replace(idea, supporters=idea.supporters + 1)
            await uow.audit.record(AuditEntry(
                actor=supporter.object_id, action="idea.supported", subject=idea.reference,
                at=now, detail={"supporters": supported.supporters}))
            organisation = await self._organisation.read(uow)
            if organisation is not None:
                card = self._views.new_supporter(supported, supporter.name, text)
                await uow.outbox.enqueue_all([OutgoingMessage(
                    recipient=Recipient.person(object_id, supporter.tenant_id),
                    kind=MessageKind.NOTICE, message=card,
                    dedupe_key=f"supported:{idea.reference}:{supporter.object_id}:{object_id}",
                ) for object_id in told_of_support(idea, organisation)
                    if object_id != supporter.object_id], now)
                await update_staff_cards(uow, supported, organisation, self._views.idea_card,
                                         supporter.tenant_id, now,
                                         occasion=f"supporters{supported.supporters}")
            await uow.drafts.delete(supporter.object_id)
            await uow.commit()
        return Supported(idea.reference, already=False, discarded=True)


async def tell_supporters(uow: UnitOfWork, idea: IdeaDetail, notice: Callable[[], CardMessage],
                          key: str, tenant_id: str | None, now: datetime) -> None:
    """Queue `notice` (made only when there is someone to tell) to each of the idea's
    supporters, under their own key: `key`, a colon, their object id."""
    supporters = await uow.supporters.of(idea.id)
    if not supporters:
        return
    card = notice()
    await uow.outbox.enqueue_all([OutgoingMessage(
        recipient=Recipient.person(object_id, tenant_id), kind=MessageKind.STATUS,
        dedupe_key=f"{key}:{object_id}", message=card,
    ) for object_id in supporters], now)
