"""Staff requests by typing: the triage list, a SPOC's queue, opening an idea's card."""

from __future__ import annotations

from bot.domain.errors import NotAllowed
from bot.domain.ideas import find_reference
from bot.domain.messages import CardMessage
from bot.services.decisions import DecisionService
from cards.decisions import queue_card
from cards.notices import not_staff_card
from dialogs.turn import Turn


class StaffRequests:
    """Roles come from the organisation's records: a contributor asking gets a polite no."""

    def __init__(self, decisions: DecisionService) -> None:
        self._decisions = decisions

    async def queue(self, turn: Turn) -> CardMessage:
        try:
            queue = await self._decisions.queue_of(turn.object_id)
        except NotAllowed as refusal:
            return not_staff_card(str(refusal))
        return queue_card(queue.triage, queue.assess)

    async def triage(self, turn: Turn) -> CardMessage:
        try:
            ideas = await self._decisions.triage_list(turn.object_id)
        except NotAllowed as refusal:
            return not_staff_card(str(refusal))
        return queue_card(ideas, None)

    async def open(self, turn: Turn) -> CardMessage:
        given = turn.values.get("reference")
        reference = find_reference(given if isinstance(given, str) else turn.text)
        if reference is None:
            return await self.queue(turn)
        return await self._decisions.open_for_staff(turn.object_id, reference)
