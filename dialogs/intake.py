"""The submission conversation's botbuilder-dialogs wrapper: it keeps a conversation "inside"
the submission between turns, while bot.presenters.intake.IntakeFlow decides what to say."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from botbuilder.core import TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult

from bot.domain.messages import CardMessage
from bot.domain.requests import ContinueIntake
from bot.presenters.intake import IntakeFlow, Outcome
from dialogs.turn import handed_over

Reply = Callable[[TurnContext, CardMessage], Awaitable[None]]


class IntakeDialog(Dialog):
    """Keeps a conversation inside the submission between turns; `IntakeFlow` does the work."""

    ID = "intake"

    def __init__(self, flow: IntakeFlow, reply: Reply) -> None:
        super().__init__(self.ID)
        self._flow = flow
        self._reply = reply

    async def begin_dialog(self, dialog_context: DialogContext,
                           options: object = None) -> DialogTurnResult:
        turn = handed_over(dialog_context.context.turn_state)
        if isinstance(turn.request, ContinueIntake):
            outcome = await self._flow.handle(turn.caller, turn.request)
        else:
            outcome = await self._flow.begin(turn.caller, turn.request.campaign)
        return await self._finish(dialog_context, outcome)

    async def continue_dialog(self, dialog_context: DialogContext) -> DialogTurnResult:
        turn = handed_over(dialog_context.context.turn_state)
        if not isinstance(turn.request, ContinueIntake):
            raise LookupError("a submission is continued with ContinueIntake, not NewIdea")
        return await self._finish(dialog_context, await self._flow.handle(turn.caller,
                                                                          turn.request))

    async def _finish(self, dialog_context: DialogContext,
                      outcome: Outcome) -> DialogTurnResult:
        for card in outcome.cards:
            await self._reply(dialog_context.context, card)
        if outcome.finished:
            return await dialog_context.end_dialog()
        return Dialog.end_of_turn
