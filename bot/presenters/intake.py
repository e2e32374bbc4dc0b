"""The guided submission conversation's decisions: one question a turn, typed or on a card.

`IntakeFlow` decides what to say, driving the rules in bot.domain.intake and keeping the
draft in the database (so it survives a restart or a day's gap); dialogs.intake.IntakeDialog
keeps the conversation "inside" the submission between turns.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from bot.domain.errors import Incomplete, InvalidText, NotAllowed, NotFound, OutOfDate
from bot.domain.identity import Caller
from bot.domain.intake import (
    NO_CAMPAIGN,
    Choices,
    Draft,
    Step,
    advance,
    answer,
    back,
    edit,
    keep_private,
    missing,
    offer_sharing,
    retag,
    sharing_choice,
    start,
    steps_of,
)
from bot.domain.messages import CardMessage
from bot.domain.profile import Profile, ProfileAnswers, parse_profile
from bot.domain.requests import ContinueIntake, IntakeButton
from bot.domain.sensitive import check_fields
from bot.domain.supporters import suggests_after
from bot.domain.text import Answer
from bot.presenters.intake_calls import CallsForIdeas
from bot.presenters.suggesting import Suggestions
from bot.services.ideas import IdeaService, StoredDraft
from cards.base import as_markdown_text, card_message, paragraph
from cards.intake import (
    cancelled_card,
    check_card,
    question_card,
    receipt_card,
    resume_card,
    sensitive_card,
)
from cards.profile import Progress, profile_card
from cards.suggestions import carry_on_card, no_need_card, support_refused_card, supported_card

TEXT_FIELDS = (Step.TITLE, Step.PROBLEM, Step.PROPOSAL, Step.BENEFIT)
OUT_OF_DATE = "That card is out of date, so nothing was changed. Here is where you are."
NOT_YET = ("There are still questions to answer before your idea can be sent; you will see "
           "all of it to check first.")


@dataclass(frozen=True, slots=True)
class Outcome:
    cards: list[CardMessage]
    finished: bool = False


class IntakeFlow:
    """`suggestions`: similar ideas shown once the title and the problem are given, and
    supporting one of them instead (None: none are shown)."""

    def __init__(self, ideas: IdeaService, suggestions: Suggestions | None = None) -> None:
        self._ideas = ideas
        self._calls = CallsForIdeas(ideas)
        self._suggestions = suggestions

    async def begin(self, caller: Caller, campaign: str | None = None) -> Outcome:
        """`new idea`, or a call for ideas' button (`campaign`): offer to resume a draft, or
        start one, answering the call while it takes ideas."""
        choices = await self._ideas.choices()
        campaign, notice = await self._calls.if_taking(campaign, choices)
        stored = await self._ideas.draft(caller.object_id)
        if stored is not None:
            stored = await self._ideas.note_offer(await self._calls.untag_closed(stored, choices),
                                                  campaign)
            call = choices.campaign(campaign)
            draft = stored.draft
            previous = (await self._calls.name(draft.campaign, choices)
                        if call is not None and draft.campaign not in (None, NO_CAMPAIGN,
                                                                       call.key) else None)
            return Outcome([resume_card(draft, stored.updated_at, call, previous=previous,
                                        notice=notice)])
        return await self._start_afresh(caller, campaign, choices, notice)

    async def handle(self, caller: Caller, turn: ContinueIntake) -> Outcome:
        """Any later turn of the conversation: an answer, a button, or a typed word."""
        action = turn.button
        if action is IntakeButton.SUBMIT:
            return await self._submit(caller, turn)
        if action is IntakeButton.RESTART:
            return await self._restart(caller, turn.campaign)
        if action is IntakeButton.SUPPORT:
            return await self._support(caller, turn)
        stored = await self._ideas.draft(caller.object_id)
        if action is IntakeButton.CANCEL:
            return Outcome([cancelled_card() if stored else _no_draft_card()], finished=True)
        if stored is None:
            return Outcome([_no_draft_card()], finished=True)
        choices = await self._ideas.choices()
        stored = await self._calls.untag_closed(stored, choices)
        draft = stored.draft
        if action is IntakeButton.RESUME:
            return await self._resume(stored, turn.campaign or draft.offered_campaign, choices)
        if action in (IntakeButton.DIFFERENT, IntakeButton.NO_NEED):
            if turn.draft != stored.draft_id:  # shown for an idea written before this one
                return await self._ask(stored, choices, notice=OUT_OF_DATE)
            if action is IntakeButton.DIFFERENT:
                return Outcome([carry_on_card()])
            await self._ideas.discard(stored)
            return Outcome([no_need_card()], finished=True)
        if action is IntakeButton.BACK:
            if _from_old_card(turn, draft, required=False):
                return await self._ask(stored, choices, notice=OUT_OF_DATE)
            return await self._save_and_ask(stored, back(draft, choices), choices)
        if action is IntakeButton.EDIT:
            if draft.step is not Step.CHECK and not draft.editing:
                # An Edit button of a check card, pressed while the questions are still
                # being answered: editing now would skip the questions still to come.
                return await self._ask(stored, choices, notice=OUT_OF_DATE)
            return await self._edit(stored, turn.step, choices)
        if action is IntakeButton.SHARING:
            if draft.step is not Step.CHECK or _from_old_card(turn, draft, required=True):
                return await self._ask(stored, choices, notice=OUT_OF_DATE)
            return await self._share(stored, sharing_choice(turn.answer), choices)
        if action in (IntakeButton.SAVE_PROFILE, IntakeButton.SKIP_PROFILE):
            return await self._profile(caller, turn.profile, stored, choices,
                                       skip=action is IntakeButton.SKIP_PROFILE)
        if action is IntakeButton.ANSWER:
            if _from_old_card(turn, draft, required=True):
                return await self._ask(stored, choices, notice=OUT_OF_DATE)
            return await self._answer(stored, turn.answer, choices)
        if action is None and turn.text is not None:
            if draft.step is Step.CHECK:
                if (private := sharing_choice(turn.text)) is not None:
                    return await self._share(stored, private, choices)
                return await self._ask(stored, choices,
                                       notice="Type **submit** to send your idea, **keep it "
                                              "private** or **share it** to choose who can "
                                              "find it, or use the Edit buttons to change it.")
            if draft.step is Step.PROFILE:
                return await self._ask(stored, choices,
                                       notice="Choose your answers on the card, or type "
                                              "**skip** to leave them all out.")
            return await self._answer(stored, turn.text, choices)
        return await self._ask(stored, choices)

    async def _start_afresh(self, caller: Caller, campaign: str | None, choices: Choices,
                            notice: str | None = None) -> Outcome:
        ask_profile = await self._ideas.profile(caller.object_id) is None
        stored = await self._ideas.new_draft(caller.object_id,
                                             start(campaign, ask_profile=ask_profile))
        return await self._ask(stored, choices, notice=notice)

    async def _restart(self, caller: Caller, campaign: str | None) -> Outcome:
        """Start afresh; from a call's resume card (its button, or typed after it), answering
        that call while it takes ideas."""
        if campaign is None:
            stored = await self._ideas.draft(caller.object_id)
            campaign = stored.draft.offered_campaign if stored else None
        choices = await self._ideas.choices()
        campaign, notice = await self._calls.if_taking(campaign, choices)
        return await self._start_afresh(caller, campaign, choices, notice)

    async def _resume(self, stored: StoredDraft, campaign: str | None,
                      choices: Choices) -> Outcome:
        """Carry on with the draft; from a call's resume card, answering that call."""
        draft = stored.draft
        if campaign is None or campaign == draft.campaign:
            return await self._ask(stored, choices)
        call = choices.campaign(campaign)
        if call is None:
            why = await self._calls.not_taking(campaign)
            return await self._ask(stored, choices, notice=as_markdown_text(
                f"{why}; your idea carries on as it was."))
        notice = None
        if draft.campaign:
            previous = await self._calls.name(draft.campaign, choices)
            dropped = (", and your answers to its questions were removed"
                       if draft.campaign_answers else "")
            notice = as_markdown_text(f"Your idea answered the call for ideas on {previous}; "
                                      f"it now answers {call.name} instead{dropped}.")
        return await self._save_and_ask(stored, retag(draft, call.key, choices), choices,
                                        notice=notice)

    async def _answer(self, stored: StoredDraft, value: Answer, choices: Choices) -> Outcome:
        """Keep the answer and ask what comes next; with the similar ideas first, on the turn
        that gives the problem (or changes the title or problem from the check card)."""
        draft = stored.draft
        try:
            changed = answer(draft, draft.step, value, choices)
        except InvalidText as error:
            typed = value if isinstance(value, str) else None
            return Outcome([question_card(draft, draft.step, steps_of(draft, choices), choices,
                                          error=str(error), typed=typed)])
        if self._suggestions is None or not suggests_after(draft, changed, draft.step):
            return await self._save_and_ask(stored, changed, choices)
        # The search goes on while the answer is kept and the next question made.
        outcome, similar = await asyncio.gather(
            self._save_and_ask(stored, changed, choices),
            self._suggestions.card_for(stored.object_id, stored.draft_id, changed))
        return outcome if similar is None else Outcome([similar, *outcome.cards])

    async def _support(self, caller: Caller, turn: ContinueIntake) -> Outcome:
        """Support an idea the suggestions showed instead of submitting the draft; refused,
        nothing changes and the person is back where they were."""
        try:
            if self._suggestions is None:
                raise NotFound("Supporting ideas is not available here. Nothing changed.")
            done = await self._suggestions.support(caller, turn.supports, turn.draft,
                                                   turn.comment)
        except (InvalidText, NotFound, NotAllowed, OutOfDate) as refusal:
            stored = await self._ideas.draft(caller.object_id)
            if stored is None:
                return Outcome([support_refused_card(str(refusal))], finished=True)
            return await self._ask(stored, await self._ideas.choices(), notice=str(refusal))
        return Outcome([supported_card(done.reference, already=done.already,
                                       discarded=done.discarded)], finished=done.discarded)

    async def _share(self, stored: StoredDraft, private: bool | None,
                     choices: Choices) -> Outcome:
        """The check card's choice: keep the idea private, or let colleagues find it."""
        if private is None:  # no card sends anything else
            return await self._ask(stored, choices, notice="Please choose whether to keep "
                                                           "your idea private.")
        return await self._save_and_ask(stored, keep_private(stored.draft, private), choices)

    async def _edit(self, stored: StoredDraft, step_value: Answer, choices: Choices) -> Outcome:
        try:
            step = Step(step_value)
            changed = edit(stored.draft, step, choices)
        except (ValueError, InvalidText):
            return await self._ask(stored, choices, notice="That part cannot be changed here.")
        return await self._save_and_ask(stored, changed, choices)

    async def _profile(self, caller: Caller, answers: ProfileAnswers, stored: StoredDraft,
                       choices: Choices, *, skip: bool) -> Outcome:
        departments = [o.key for o in choices.portfolios]
        try:
            profile = Profile() if skip else parse_profile(answers, departments)
        except InvalidText as error:
            return Outcome([_profile_step(stored.draft, choices, str(error))])
        await self._ideas.save_profile(caller.object_id, profile)
        draft = stored.draft
        if draft.step is not Step.PROFILE:
            return await self._ask(stored, choices)
        return await self._save_and_ask(
            stored, advance(replace(draft, revision=draft.revision + 1), choices), choices)

    async def _submit(self, caller: Caller, turn: ContinueIntake) -> Outcome:
        stored = await self._ideas.draft(caller.object_id)
        draft_id = turn.draft or (stored.draft_id if stored else None)
        revision = turn.revision
        if revision is None and stored is not None:
            revision = stored.draft.revision
        if not isinstance(draft_id, str) or not isinstance(revision, int):
            if stored is None:
                return Outcome([_no_draft_card()], finished=True)
            return await self._ask(stored, await self._ideas.choices())
        if (stored is not None and stored.draft_id == draft_id
                and stored.draft.revision == revision):
            # What the person saw is the draft as it is now (an older card is refused below).
            draft = stored.draft
            if (draft.step is not Step.CHECK and not draft.editing
                    and missing(draft, choices := await self._ideas.choices())):
                # "submit" typed before the questions are done: carry on where they are.
                return await self._ask(stored, choices, notice=NOT_YET)
            found = check_fields({step.value: draft.text_of(step) for step in TEXT_FIELDS})
            if found and not turn.confirmed:
                return Outcome([sensitive_card(draft_id, draft, found)])
        try:
            submitted = await self._ideas.submit(caller, draft_id, revision)
        except OutOfDate as error:
            if stored is None:
                return Outcome([_no_draft_card()], finished=True)
            return await self._ask(stored, await self._ideas.choices(), notice=str(error))
        except Incomplete as error:
            assert stored is not None
            first = Step(error.steps[0])
            return await self._save_and_ask(
                stored, replace(stored.draft, step=first, editing=True),
                await self._ideas.choices(), notice=str(error))
        dropped = submitted.campaign_dropped
        return Outcome([receipt_card(
            submitted.reference, submitted.title, submitted.update_due,
            notice=as_markdown_text(f"{dropped}, so your idea was sent without it.")
            if dropped else None)], finished=True)

    async def _save_and_ask(self, stored: StoredDraft, draft: Draft, choices: Choices,
                            notice: str | None = None) -> Outcome:
        return await self._ask(await self._ideas.save_draft(stored, draft), choices,
                               notice=notice)

    async def _ask(self, stored: StoredDraft, choices: Choices,
                   notice: str | None = None) -> Outcome:
        """The card for where the draft is now."""
        draft = stored.draft
        steps = steps_of(draft, choices)
        if draft.step is Step.CHECK:
            if draft.private is None:  # the choice, put to them for the first time
                stored = await self._ideas.save_draft(stored, offer_sharing(draft))
                draft = stored.draft
            return Outcome([check_card(stored.draft_id, draft, choices, error=notice,
                                       dropped=await self._calls.dropped(draft))])
        if draft.step is Step.PROFILE:
            return Outcome([_profile_step(draft, choices, notice)])
        return Outcome([question_card(draft, draft.step, steps, choices, error=notice)])


def _from_old_card(turn: ContinueIntake, draft: Draft, *, required: bool) -> bool:
    """Whether a button's step and revision show an older state of the draft than now.
    Typed words carry neither; a card's answer must carry both (`required`)."""
    if not required and not turn.from_card:
        return False
    return turn.step != draft.step.value or turn.revision != draft.revision


def _no_draft_card() -> CardMessage:
    text = "There is no idea in progress. Type **new idea** to start one."
    return card_message([paragraph(text)], summary="No idea in progress",
                        fallback_text=text.replace("**", ""))


def _profile_step(draft: Draft, choices: Choices, error: str | None) -> CardMessage:
    """The optional questions about the person, as a step of the submission."""
    steps = steps_of(draft, choices)
    return profile_card([(o.key, o.name) for o in choices.portfolios], within_idea=True,
                        error=error, progress=Progress(steps.index(Step.PROFILE) + 1,
                                                       len(steps) - 1, draft.revision))
