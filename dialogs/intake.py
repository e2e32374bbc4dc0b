"""The guided submission conversation: one question a turn, typed or on a card.

`IntakeFlow` decides what to say, driving the rules in bot.domain.intake and keeping the
draft in the database (so it survives a restart or a day's gap); `IntakeDialog` is its thin
botbuilder-dialogs wrapper, which keeps the conversation "inside" the submission between turns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from botbuilder.core import TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult

from bot.domain.commands import normalise
from bot.domain.errors import Incomplete, InvalidText, OutOfDate
from bot.domain.intake import (
    Choices,
    Draft,
    Step,
    advance,
    answer,
    back,
    edit,
    missing,
    plan,
    start,
)
from bot.domain.messages import CardMessage
from bot.domain.profile import Profile, parse_profile
from bot.domain.sensitive import check_fields
from bot.services.ideas import IdeaService, StoredDraft
from cards.actions import CardAction
from cards.base import card_message, paragraph
from cards.intake import (
    cancelled_card,
    check_card,
    question_card,
    receipt_card,
    resume_card,
    sensitive_card,
)
from cards.profile import Progress, profile_card
from dialogs.turn import Turn, current_turn

# Words that act like the intake's buttons when typed.
TYPED_ACTIONS = {
    "cancel": CardAction.CANCEL, "stop": CardAction.CANCEL, "quit": CardAction.CANCEL,
    "back": CardAction.BACK, "go back": CardAction.BACK,
    "submit": CardAction.SUBMIT_IDEA, "send": CardAction.SUBMIT_IDEA,
    "carry on": CardAction.RESUME_DRAFT, "resume": CardAction.RESUME_DRAFT,
    "continue": CardAction.RESUME_DRAFT,
    "start afresh": CardAction.RESTART_DRAFT, "start again": CardAction.RESTART_DRAFT,
    "skip": CardAction.SKIP_PROFILE,
}
TEXT_FIELDS = (Step.TITLE, Step.PROBLEM, Step.PROPOSAL, Step.BENEFIT)
OUT_OF_DATE = "That card is out of date, so nothing was changed. Here is where you are."
NOT_YET = ("There are still questions to answer before your idea can be sent; you will see "
           "all of it to check first.")


@dataclass(frozen=True, slots=True)
class Outcome:
    cards: list[CardMessage]
    finished: bool = False


class IntakeFlow:
    def __init__(self, ideas: IdeaService) -> None:
        self._ideas = ideas

    async def begin(self, turn: Turn, campaign: str | None = None) -> Outcome:
        """`new idea`: offer to resume a draft, or start one."""
        stored = await self._ideas.draft(turn.object_id)
        if stored is not None:
            return Outcome([resume_card(stored.draft, stored.updated_at)])
        return await self._start_afresh(turn, campaign)

    async def handle(self, turn: Turn) -> Outcome:
        """Any later turn of the conversation: an answer, a button, or a typed word."""
        action = turn.action or TYPED_ACTIONS.get(normalise(turn.text))
        if action == CardAction.SUBMIT_IDEA:
            return await self._submit(turn)
        if action == CardAction.RESTART_DRAFT:
            return await self._start_afresh(turn)
        stored = await self._ideas.draft(turn.object_id)
        if action == CardAction.CANCEL:
            return Outcome([cancelled_card() if stored else _no_draft_card()], finished=True)
        if stored is None:
            return Outcome([_no_draft_card()], finished=True)
        draft = stored.draft
        if action == CardAction.RESUME_DRAFT:
            return await self._ask(stored)
        if action == CardAction.BACK:
            if _from_old_card(turn, draft, required=False):
                return await self._ask(stored, notice=OUT_OF_DATE)
            return await self._save_and_ask(stored, back(draft, await self._steps(draft)))
        if action == CardAction.EDIT:
            if draft.step is not Step.CHECK and not draft.editing:
                # An Edit button of a check card, pressed while the questions are still
                # being answered: editing now would skip the questions still to come.
                return await self._ask(stored, notice=OUT_OF_DATE)
            return await self._edit(stored, turn.values.get("step"))
        if action in (CardAction.SAVE_PROFILE, CardAction.SKIP_PROFILE):
            return await self._profile(turn, stored, skip=action == CardAction.SKIP_PROFILE)
        if action == CardAction.ANSWER:
            if _from_old_card(turn, draft, required=True):
                return await self._ask(stored, notice=OUT_OF_DATE)
            return await self._answer(stored, turn.values.get("answer"))
        if action is None and turn.text is not None:
            if draft.step is Step.CHECK:
                return await self._ask(stored, notice="Type **submit** to send your idea, or "
                                                      "use the Edit buttons to change it.")
            if draft.step is Step.PROFILE:
                return await self._ask(stored, notice="Choose your answers on the card, or "
                                                      "type **skip** to leave them all out.")
            return await self._answer(stored, turn.text)
        return await self._ask(stored)

    async def _start_afresh(self, turn: Turn, campaign: str | None = None) -> Outcome:
        ask_profile = await self._ideas.profile(turn.object_id) is None
        stored = await self._ideas.new_draft(turn.object_id,
                                             start(campaign, ask_profile=ask_profile))
        return await self._ask(stored)

    async def _answer(self, stored: StoredDraft, value: object) -> Outcome:
        draft = stored.draft
        choices = await self._ideas.choices()
        steps = plan(ask_profile=draft.ask_profile, campaigns_open=bool(choices.campaigns))
        try:
            changed = answer(draft, draft.step, value, choices, steps)
        except InvalidText as error:
            typed = value if isinstance(value, str) else None
            return Outcome([question_card(draft, draft.step, steps, choices, error=str(error),
                                          typed=typed)])
        return await self._save_and_ask(stored, changed, choices=choices)

    async def _edit(self, stored: StoredDraft, step_value: object) -> Outcome:
        try:
            step = Step(step_value)
            changed = edit(stored.draft, step, await self._steps(stored.draft))
        except (ValueError, InvalidText):
            return await self._ask(stored, notice="That part cannot be changed here.")
        return await self._save_and_ask(stored, changed)

    async def _profile(self, turn: Turn, stored: StoredDraft, *, skip: bool) -> Outcome:
        choices = await self._ideas.choices()
        departments = [o.key for o in choices.portfolios]
        try:
            profile = Profile() if skip else parse_profile(turn.values, departments)
        except InvalidText as error:
            return Outcome([_profile_step(stored.draft, choices, str(error))])
        await self._ideas.save_profile(turn.object_id, profile)
        draft = stored.draft
        if draft.step is not Step.PROFILE:
            return await self._ask(stored)
        steps = plan(ask_profile=draft.ask_profile, campaigns_open=bool(choices.campaigns))
        return await self._save_and_ask(stored, advance(replace(draft, revision=draft.revision
                                                                + 1), steps), choices=choices)

    async def _submit(self, turn: Turn) -> Outcome:
        stored = await self._ideas.draft(turn.object_id)
        draft_id = turn.values.get("draft") or (stored.draft_id if stored else None)
        revision = turn.values.get("revision")
        if revision is None and stored is not None:
            revision = stored.draft.revision
        if not isinstance(draft_id, str) or not isinstance(revision, int):
            if stored is None:
                return Outcome([_no_draft_card()], finished=True)
            return await self._ask(stored)
        if (stored is not None and stored.draft_id == draft_id
                and stored.draft.revision == revision):
            # What the person saw is the draft as it is now (an older card is refused below).
            draft = stored.draft
            if (draft.step is not Step.CHECK and not draft.editing
                    and missing(draft, await self._ideas.choices())):
                # "submit" typed before the questions are done: carry on where they are.
                return await self._ask(stored, notice=NOT_YET)
            found = check_fields({step.value: draft.text_of(step) for step in TEXT_FIELDS})
            if found and turn.values.get("confirmed") != "yes":
                return Outcome([sensitive_card(draft_id, draft, found)])
        contributor = turn.caller
        try:
            submitted = await self._ideas.submit(contributor, draft_id, revision)
        except OutOfDate as error:
            if stored is None:
                return Outcome([_no_draft_card()], finished=True)
            return await self._ask(stored, notice=str(error))
        except Incomplete as error:
            assert stored is not None
            first = Step(error.steps[0])
            return await self._save_and_ask(
                stored, replace(stored.draft, step=first, editing=True), notice=str(error))
        return Outcome([receipt_card(submitted.reference, submitted.title,
                                     submitted.update_due)], finished=True)

    async def _save_and_ask(self, stored: StoredDraft, draft: Draft, notice: str | None = None,
                            choices: Choices | None = None) -> Outcome:
        return await self._ask(await self._ideas.save_draft(stored, draft), notice=notice,
                               choices=choices)

    async def _ask(self, stored: StoredDraft, notice: str | None = None,
                   choices: Choices | None = None) -> Outcome:
        """The card for where the draft is now; `choices` if this turn read them already."""
        draft = stored.draft
        if choices is None:
            choices = await self._ideas.choices()
        steps = plan(ask_profile=draft.ask_profile, campaigns_open=bool(choices.campaigns))
        if draft.step is Step.CHECK:
            return Outcome([check_card(stored.draft_id, draft, steps, choices, error=notice)])
        if draft.step is Step.PROFILE:
            return Outcome([_profile_step(draft, choices, notice)])
        return Outcome([question_card(draft, draft.step, steps, choices, error=notice)])

    async def _steps(self, draft: Draft) -> tuple[Step, ...]:
        choices = await self._ideas.choices()
        return plan(ask_profile=draft.ask_profile, campaigns_open=bool(choices.campaigns))


def _from_old_card(turn: Turn, draft: Draft, *, required: bool) -> bool:
    """Whether a button's step and revision show an older state of the draft than now.
    Typed words carry neither; a card's answer must carry both (`required`)."""
    values = turn.values
    if not required and "step" not in values and "revision" not in values:
        return False
    return values.get("step") != draft.step.value or values.get("revision") != draft.revision


def _no_draft_card() -> CardMessage:
    text = "There is no idea in progress. Type **new idea** to start one."
    return card_message([paragraph(text)], summary="No idea in progress",
                        fallback_text=text.replace("**", ""))


def _profile_step(draft: Draft, choices: Choices, error: str | None) -> CardMessage:
    """The optional questions about the person, as a step of the submission."""
    steps = plan(ask_profile=draft.ask_profile, campaigns_open=bool(choices.campaigns))
    return profile_card([(o.key, o.name) for o in choices.portfolios], within_idea=True,
                        error=error, progress=Progress(steps.index(Step.PROFILE) + 1,
                                                       len(steps) - 1, draft.revision))


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
        turn = current_turn(dialog_context.context.turn_state)
        settings = options if isinstance(options, dict) else {}
        if settings.get("continue"):
            outcome = await self._flow.handle(turn)
        else:
            outcome = await self._flow.begin(turn, settings.get("campaign"))
        return await self._finish(dialog_context, outcome)

    async def continue_dialog(self, dialog_context: DialogContext) -> DialogTurnResult:
        turn = current_turn(dialog_context.context.turn_state)
        return await self._finish(dialog_context, await self._flow.handle(turn))

    async def _finish(self, dialog_context: DialogContext,
                      outcome: Outcome) -> DialogTurnResult:
        for card in outcome.cards:
            await self._reply(dialog_context.context, card)
        if outcome.finished:
            return await dialog_context.end_dialog()
        return Dialog.end_of_turn
