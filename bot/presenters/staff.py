"""Staff requests: their queues, the deferred register, `find`, opening an idea, and paging a
list in place."""

from __future__ import annotations

from bot.domain.duplicates import DeclineDuplicate
from bot.domain.errors import InvalidText, NotAllowed
from bot.domain.messages import CardMessage
from bot.domain.moves import Decide
from bot.domain.requests import (
    AskStatus,
    Find,
    IdeaStatus,
    OpenIdea,
    QueueView,
    Refresh,
    ShowDeferred,
    ShowQueue,
)
from bot.domain.visibility import ChangeFindability
from bot.presenters.asking import Asking
from bot.presenters.contributor import ContributorDesk
from bot.services.decisions import DecisionService
from bot.services.staff_desk import StaffDesk
from bot.services.visibility import IdeaFindability
from cards.notices import not_staff_card
from cards.staff_lists import (
    QUEUE_VIEW,
    TRIAGE_VIEW,
    deferred_card,
    find_card,
    find_how_card,
    opened_card,
    queue_card,
)


class StaffRequests:
    """Roles come from the organisation's records: a contributor asking gets a polite no."""

    def __init__(self, desk: StaffDesk, decisions: DecisionService,
                 contributor: ContributorDesk, findability: IdeaFindability) -> None:
        self._desk = desk
        self._decisions = decisions
        self._contributor = contributor
        self._findability = findability

    async def decide(self, request: Decide | DeclineDuplicate, asking: Asking) -> CardMessage:
        """A move's confirm button, or a one-press decline as a duplicate: the card the
        presser should now see in place of theirs."""
        return await self._decisions.decide(asking.person, request)

    async def findability(self, request: ChangeFindability, asking: Asking) -> CardMessage:
        """The PMO's confirm of who may find an idea: the card the presser should now see."""
        return await self._findability.change_on_card(asking.person, request)

    async def refresh(self, request: Refresh, asking: Asking) -> CardMessage:
        """A staff card as the presser should see it now (Teams refreshes it on view)."""
        return await self._decisions.card_for(asking.person.object_id, request.idea_id)

    async def status(self, request: AskStatus, asking: Asking) -> CardMessage:
        """`status IIP-…`: staff who may open the idea get the short answer and their card
        brought up to date; everyone else, the contributor's answer (their own idea's story,
        or the same "not found" whether the idea is missing or not theirs)."""
        if request.reference is not None:
            caller = asking.person
            opened = await self._desk.open(caller.object_id, caller.tenant_id,
                                           request.reference)
            if opened is not None:
                return opened_card(opened.idea, opened.portfolio, opened.card_sent_at,
                                   today=self._desk.today())
        return await self._contributor.status(IdeaStatus(request.reference), asking)

    async def open(self, request: OpenIdea, asking: Asking) -> CardMessage:
        """An Open button (a queue, a search, an answer): the idea, as `status` shows it."""
        if request.reference is None:
            return await self.queue(ShowQueue(), asking)
        return await self.status(AskStatus(request.reference), asking)

    async def queue(self, request: ShowQueue, asking: Asking) -> CardMessage:
        """A queue, or the triage list alone, at the pages asked for, for the asker as they
        are now (whatever a card's data says)."""
        object_id = asking.person.object_id
        try:
            if request.view is QueueView.TRIAGE:
                triage = await self._desk.triage(object_id, request.triage_page)
                return queue_card(triage, None, view=TRIAGE_VIEW, today=self._desk.today())
            queue = await self._desk.queue(object_id, request.triage_page, request.assess_page)
        except NotAllowed as refusal:
            return not_staff_card(str(refusal))
        return queue_card(queue.triage, queue.assess, view=QUEUE_VIEW,
                          today=self._desk.today())

    async def deferred(self, request: ShowDeferred, asking: Asking) -> CardMessage:
        """`deferred`: the register at the page asked for, for the asker as they are now."""
        try:
            page = await self._desk.deferred(asking.person.object_id, request.page)
        except NotAllowed as refusal:
            return not_staff_card(str(refusal))
        return deferred_card(page)

    async def find(self, request: Find, asking: Asking) -> CardMessage:
        try:
            found = await self._desk.find(asking.person.object_id, request.text, request.page)
        except NotAllowed as refusal:
            return not_staff_card(str(refusal))
        except InvalidText as problem:
            return find_how_card(str(problem))
        return find_card(found.text, found.page, today=self._desk.today())
