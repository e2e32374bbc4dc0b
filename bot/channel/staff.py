"""Staff requests: their queues, `find`, opening an idea, and paging a list in place."""

from __future__ import annotations

from typing import Any

from bot.channel.contributor import ContributorRequests
from bot.domain.commands import command_text
from bot.domain.errors import InvalidText, NotAllowed
from bot.domain.ideas import find_reference
from bot.domain.messages import CardMessage
from bot.services.staff_desk import StaffDesk
from cards.actions import CardAction
from cards.notices import not_staff_card, stale_action_card
from cards.staff_lists import (
    QUEUE_VIEW,
    TRIAGE_VIEW,
    find_card,
    find_how_card,
    opened_card,
    queue_card,
)
from dialogs.turn import Turn

# The Action.Execute verbs of the lists' Next and Previous buttons.
PAGE_VERBS = frozenset({CardAction.QUEUE_PAGE, CardAction.FIND_PAGE})


class StaffRequests:
    """Roles come from the organisation's records: a contributor asking gets a polite no."""

    def __init__(self, desk: StaffDesk, contributor: ContributorRequests) -> None:
        self._desk = desk
        self._contributor = contributor

    async def queue(self, turn: Turn) -> CardMessage:
        return await self._queue(turn.object_id, QUEUE_VIEW, {})

    async def triage(self, turn: Turn) -> CardMessage:
        return await self._queue(turn.object_id, TRIAGE_VIEW, {})

    async def find(self, turn: Turn) -> CardMessage:
        return await self._find(turn.object_id, command_text(turn.text), 1)

    async def status(self, turn: Turn) -> CardMessage:
        """`status IIP-…`: staff who may open the idea get the short answer and their card
        brought up to date; everyone else, the contributor's answer (their own idea's story,
        or the same "not found" whether the idea is missing or not theirs)."""
        reference = self._reference(turn)
        if reference is not None:
            opened = await self._desk.open(turn.object_id, turn.tenant_id, reference)
            if opened is not None:
                return opened_card(opened.idea, opened.portfolio, opened.card_sent_at)
        return await self._contributor.status(turn)

    async def open(self, turn: Turn) -> CardMessage:
        """An Open button (a queue, a search, an answer): the idea, as `status` shows it."""
        if self._reference(turn) is None:
            return await self.queue(turn)
        return await self.status(turn)

    async def page(self, object_id: str, verb: str, data: dict[str, Any]) -> CardMessage:
        """Next or Previous on a list: the page asked for, for the presser as they are now."""
        if verb == CardAction.FIND_PAGE:
            text = data.get("text")
            return await self._find(object_id, text if isinstance(text, str) else "",
                                    data.get("page"))
        if verb == CardAction.QUEUE_PAGE:
            view = TRIAGE_VIEW if data.get("view") == TRIAGE_VIEW else QUEUE_VIEW
            return await self._queue(object_id, view, data)
        return stale_action_card()

    async def _queue(self, object_id: str, view: str, pages: dict[str, Any]) -> CardMessage:
        try:
            if view == TRIAGE_VIEW:
                triage = await self._desk.triage(object_id, pages.get("triage", 1))
                return queue_card(triage, None, view=TRIAGE_VIEW)
            queue = await self._desk.queue(object_id, pages.get("triage", 1),
                                           pages.get("assess", 1))
        except NotAllowed as refusal:
            return not_staff_card(str(refusal))
        return queue_card(queue.triage, queue.assess, view=QUEUE_VIEW)

    async def _find(self, object_id: str, text: str, page: object) -> CardMessage:
        try:
            found = await self._desk.find(object_id, text, page)
        except NotAllowed as refusal:
            return not_staff_card(str(refusal))
        except InvalidText as problem:
            return find_how_card(str(problem))
        return find_card(found.text, found.page)

    @staticmethod
    def _reference(turn: Turn) -> str | None:
        given = turn.values.get("reference")
        return find_reference(given if isinstance(given, str) else turn.text)
