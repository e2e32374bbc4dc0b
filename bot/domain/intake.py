"""The submission script: the steps from a suggestion to a well-formed idea, and their rules.

Pure: the dialog asks the questions and stores the draft; this module says which step comes
next, checks each answer and keeps what was written when an answer is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.domain.campaigns import MAX_QUESTIONS
from bot.domain.errors import InvalidText
from bot.domain.ideas import CampaignAnswer
from bot.domain.similar import Visibility
from bot.domain.text import clean_text

NO_CAMPAIGN = ""
# An answer to one of a campaign's own questions: short, like the benefit's.
CAMPAIGN_ANSWER_LIMIT = 1000


class Step(StrEnum):
    """The steps of a submission, in the order they are asked."""

    TITLE = "title"
    PROBLEM = "problem"
    PROPOSAL = "proposal"
    BENEFIT = "benefit"
    CATEGORY = "category"
    PORTFOLIO = "portfolio"
    CAMPAIGN = "campaign"
    # The tagged campaign's own questions, asked after the usual ones (up to three).
    QUESTION_1 = "campaign-question-1"
    QUESTION_2 = "campaign-question-2"
    QUESTION_3 = "campaign-question-3"
    PROFILE = "profile"
    RECOGNITION = "recognition"
    CHECK = "check"


CAMPAIGN_QUESTIONS = (Step.QUESTION_1, Step.QUESTION_2, Step.QUESTION_3)
assert len(CAMPAIGN_QUESTIONS) == MAX_QUESTIONS


@dataclass(frozen=True, slots=True)
class Question:
    label: str
    limit: int


TEXT_QUESTIONS: dict[Step, Question] = {
    Step.TITLE: Question("The title", 120),
    Step.PROBLEM: Question("The problem", 2000),
    Step.PROPOSAL: Question("Your proposal", 2000),
    Step.BENEFIT: Question("The benefit", 1000),
}


@dataclass(frozen=True, slots=True)
class Option:
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class CampaignOption(Option):
    """A campaign taking ideas, with the questions of its own it asks."""

    questions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Choices:
    """The organisation's lists, and the campaigns taking ideas, as they are now."""

    categories: tuple[Option, ...]
    portfolios: tuple[Option, ...]
    campaigns: tuple[CampaignOption, ...] = ()

    def campaign(self, key: str | None) -> CampaignOption | None:
        """The campaign taking ideas under `key`, if it is one."""
        return next((c for c in self.campaigns if key and c.key == key), None)


@dataclass(frozen=True, slots=True)
class Draft:
    """An idea being written. `revision` grows with every change, so that a card from before
    a change can be recognised as out of date."""

    title: str = ""
    problem: str = ""
    proposal: str = ""
    benefit: str = ""
    category: str | None = None
    portfolio: str | None = None
    campaign: str | None = None
    # The answers to the tagged campaign's own questions, in its order.
    campaign_answers: tuple[CampaignAnswer, ...] = ()
    named_publicly: bool | None = None
    # Whether colleagues may not find it by searching (True: matched for staff only). None
    # until its check card has put the choice to the contributor: a draft from before
    # searching existed, whose contributor was told only staff would read it.
    private: bool | None = None
    # Whether this draft asks the optional questions about the person (only the first time).
    ask_profile: bool = False
    # Whether it asks which campaign it answers (not when it was started from a call).
    ask_campaign: bool = True
    # The campaign it answered until that stopped taking ideas, so that the person is told.
    dropped_campaign: str | None = None
    # The call whose button last offered to resume this draft: a typed "resume" or "start
    # afresh" answers it, as that card's buttons do.
    offered_campaign: str | None = None
    step: Step = Step.TITLE
    editing: bool = False
    revision: int = 0

    def text_of(self, step: Step) -> str:
        return getattr(self, step.value)


def offer_sharing(draft: Draft) -> Draft:
    """The draft as its check card shows it: one whose contributor has not yet been asked is
    shared by default, which the card says, with the choice to keep it private. The revision
    moves on, so that a check card from before the choice was offered cannot submit it."""
    if draft.private is not None:
        return draft
    return replace(draft, private=False, revision=draft.revision + 1)


def keep_private(draft: Draft, private: bool) -> Draft:
    """The contributor's choice on the check card: private (matched for staff only), or
    shared (colleagues may find its reference, title, status and outcome)."""
    if draft.private is private:
        return draft
    return replace(draft, private=private, revision=draft.revision + 1)


def visibility_of(draft: Draft) -> Visibility:
    """Who may find the idea once submitted: shared only when the contributor saw the choice
    and left it shared; private otherwise (what they were promised before searching)."""
    return Visibility.SHARED if draft.private is False else Visibility.PRIVATE


# Typed at the check, as its button says them (and a few ways people would put them).
_KEEP_PRIVATE = frozenset({"keep it private", "keep private", "private", "make it private",
                           "staff only"})
_SHARE = frozenset({"let colleagues find it", "share it", "share", "shared",
                    "make it shared"})


def sharing_choice(text: object) -> bool | None:
    """What typed words at the check say about keeping the idea private: True ("keep it
    private"), False ("share it"), or None (they say neither)."""
    if not isinstance(text, str) or len(text) > 100:
        return None
    words = " ".join(text.casefold().split()).rstrip(".!").strip()
    if words in _KEEP_PRIVATE:
        return True
    if words in _SHARE:
        return False
    return None


def plan(*, ask_profile: bool, campaigns_open: bool, questions: int = 0) -> tuple[Step, ...]:
    """The steps for this person now: the profile only the first time, the campaign only
    while campaigns are open, and the tagged campaign's own `questions` after the usual ones."""
    steps = [Step.TITLE, Step.PROBLEM, Step.PROPOSAL, Step.BENEFIT, Step.CATEGORY,
             Step.PORTFOLIO]
    if campaigns_open:
        steps.append(Step.CAMPAIGN)
    steps += CAMPAIGN_QUESTIONS[:questions]
    if ask_profile:
        steps.append(Step.PROFILE)
    steps += [Step.RECOGNITION, Step.CHECK]
    return tuple(steps)


def steps_of(draft: Draft, choices: Choices) -> tuple[Step, ...]:
    """The plan for `draft` now: the campaign step unless it came from a call, and the
    questions of the campaign it answers while that takes ideas."""
    return plan(ask_profile=draft.ask_profile,
                campaigns_open=bool(choices.campaigns) and draft.ask_campaign,
                questions=len(questions_of(draft, choices)))


def questions_of(draft: Draft, choices: Choices) -> tuple[str, ...]:
    """The own questions of the campaign `draft` answers, while it takes ideas."""
    campaign = choices.campaign(draft.campaign)
    return campaign.questions if campaign else ()


def answer_to(draft: Draft, question: str) -> str:
    """What the draft says to one of its campaign's questions ("" before it is answered)."""
    return next((a.answer for a in draft.campaign_answers if a.question == question), "")


def start(campaign: str | None = None, *, ask_profile: bool = False) -> Draft:
    """A new draft; one started from a campaign's call already answers it, and is not asked."""
    return Draft(campaign=campaign, ask_profile=ask_profile, ask_campaign=campaign is None)


def answer(draft: Draft, step: Step, value: object, choices: Choices) -> Draft:
    """Record the answer to `step` and move on; raise InvalidText (draft unchanged) if wrong."""
    if step in TEXT_QUESTIONS:
        question = TEXT_QUESTIONS[step]
        text = clean_text(value, field=step.value, label=question.label, limit=question.limit)
        changed = replace(draft, **{step.value: text})
    elif step is Step.CATEGORY:
        changed = replace(draft, category=choose(value, choices.categories, "category"))
    elif step is Step.PORTFOLIO:
        changed = replace(draft, portfolio=choose(value, choices.portfolios,
                                                  "portfolio or department"))
    elif step is Step.CAMPAIGN:
        changed = tag(draft, _choose_campaign(value, choices.campaigns))
    elif step in CAMPAIGN_QUESTIONS:
        changed = _answer_question(draft, step, value, questions_of(draft, choices))
    elif step is Step.RECOGNITION:
        changed = replace(draft, named_publicly=yes_or_no(value))
    elif step is Step.PROFILE:
        changed = draft
    else:
        raise InvalidText(step.value, "There is nothing to answer at this point.")
    return advance(replace(changed, revision=draft.revision + 1), choices)


def _answer_question(draft: Draft, step: Step, value: object,
                     questions: Sequence[str]) -> Draft:
    number = CAMPAIGN_QUESTIONS.index(step)
    if number >= len(questions):
        raise InvalidText(step.value, "There is nothing to answer at this point.")
    text = clean_text(value, field=step.value, label="Your answer",
                      limit=CAMPAIGN_ANSWER_LIMIT)
    answers = {q: answer_to(draft, q) for q in questions} | {questions[number]: text}
    return replace(draft, campaign_answers=tuple(
        CampaignAnswer(q, a) for q, a in answers.items() if a))


def tag(draft: Draft, campaign: str | None) -> Draft:
    """The draft answering `campaign` (NO_CAMPAIGN: none); answers to another campaign's
    questions go with the change."""
    if campaign == draft.campaign:
        return draft
    return replace(draft, campaign=campaign, campaign_answers=(), dropped_campaign=None)


def retag(draft: Draft, campaign: str, choices: Choices) -> Draft:
    """A draft in progress taken up again from `campaign`'s call (one taking ideas): it answers
    that campaign, and its questions come next when the draft had gone past them."""
    tagged = replace(tag(draft, campaign), ask_campaign=False, offered_campaign=None,
                     revision=draft.revision + 1)
    steps = steps_of(tagged, choices)
    gaps = _unanswered(tagged, steps, choices)
    first = next((step for step in gaps if step in CAMPAIGN_QUESTIONS), None)
    if first is not None and (tagged.step not in steps
                              or steps.index(tagged.step) > steps.index(first)):
        return replace(tagged, step=first, editing=True)
    if tagged.step not in steps:
        return advance(tagged, choices)
    return tagged


def untag_closed(draft: Draft, choices: Choices) -> Draft:
    """The draft no longer answering a campaign that stopped taking ideas (`dropped_campaign`
    says which, for the person), without its answers to that campaign's questions."""
    if not draft.campaign or choices.campaign(draft.campaign) is not None:
        return draft
    untagged = replace(draft, campaign=NO_CAMPAIGN, campaign_answers=(),
                       dropped_campaign=draft.campaign, revision=draft.revision + 1)
    steps = steps_of(untagged, choices)
    if untagged.step in steps:
        return untagged
    if untagged.editing:
        return advance(untagged, choices)
    # On one of the campaign's questions: on to the step that came after them.
    order = list(Step)
    return replace(untagged, step=next(step for step in steps
                                       if order.index(step) > order.index(untagged.step)))


def advance(draft: Draft, choices: Choices) -> Draft:
    """The next step: after an edit, what is still unanswered, else the check; otherwise the
    next in the plan."""
    steps = steps_of(draft, choices)
    if draft.editing or draft.step not in steps:
        gaps = _unanswered(draft, steps, choices)
        if gaps:
            return replace(draft, step=gaps[0], editing=True)
        return replace(draft, step=Step.CHECK, editing=False)
    position = steps.index(draft.step)
    return replace(draft, step=steps[min(position + 1, len(steps) - 1)])


def back(draft: Draft, choices: Choices) -> Draft:
    """One step back (from an edit, back to the check)."""
    if draft.editing:
        return replace(draft, step=Step.CHECK, editing=False)
    steps = steps_of(draft, choices)
    position = steps.index(draft.step) if draft.step in steps else len(steps) - 1
    return replace(draft, step=steps[max(0, position - 1)])


def edit(draft: Draft, step: Step, choices: Choices) -> Draft:
    """From the check, change one answer; answering it returns to the check. The campaign
    can be changed while any takes ideas, even when the draft was not asked it."""
    steps = steps_of(draft, choices)
    editable = step in steps or (step is Step.CAMPAIGN and bool(choices.campaigns))
    if not editable or step is Step.CHECK:
        raise InvalidText(step.value, "That part of the idea cannot be changed here.")
    return replace(draft, step=step, editing=True)


def missing(draft: Draft, choices: Choices) -> list[Step]:
    """What must still be answered (or answered again, when a list changed) before submitting.
    A campaign that stopped taking ideas is no gap: the idea goes without it."""
    gaps = [step for step in TEXT_QUESTIONS if not draft.text_of(step)]
    if draft.category not in {o.key for o in choices.categories}:
        gaps.append(Step.CATEGORY)
    if draft.portfolio not in {o.key for o in choices.portfolios}:
        gaps.append(Step.PORTFOLIO)
    questions = questions_of(draft, choices)
    gaps += [step for step, question in zip(CAMPAIGN_QUESTIONS, questions, strict=False)
             if not answer_to(draft, question)]
    if draft.named_publicly is None:
        gaps.append(Step.RECOGNITION)
    return gaps


def _unanswered(draft: Draft, steps: Sequence[Step], choices: Choices) -> list[Step]:
    """The steps of the plan still unanswered, in order (the optional profile never is)."""
    gaps = set(missing(draft, choices))
    return [step for step in steps if step in gaps]


def choose(value: object, options: Sequence[Option], what: str) -> str:
    """The key of the option meant by `value`: its key, its number in the list, or its name
    (or the start of it, when only one name starts that way)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidText(what, f"Please choose a {what} from the list.")
    wanted = " ".join(value.split()).casefold()
    for option in options:
        if wanted in (option.key.casefold(), option.name.casefold()):
            return option.key
    # A place in the list: ASCII digits only ("²" is a digit to Python, and int() refuses it
    # and anything over 4,300 digits long).
    if wanted.isascii() and wanted.isdecimal() and len(wanted) <= 3 \
            and 1 <= int(wanted) <= len(options):
        return options[int(wanted) - 1].key
    starts = [o for o in options if o.name.casefold().startswith(wanted)]
    if len(starts) == 1:
        return starts[0].key
    names = ", ".join(o.name for o in options)
    raise InvalidText(what, f"I could not match that to a {what}. Please choose one of: {names}.")


def _choose_campaign(value: object, campaigns: Sequence[Option]) -> str:
    if isinstance(value, str) and value.strip().casefold() in ("", "none", "no", "no campaign"):
        return NO_CAMPAIGN
    return choose(value, campaigns, "campaign")


_YES = re.compile(r"^(y|yes|yeah|yep|ok|okay|sure|true|of course)\b", re.IGNORECASE)
_NO = re.compile(r"^(n|no|nope|false|rather not|prefer not)\b", re.IGNORECASE)


def yes_or_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip()
    if _YES.match(text):
        return True
    if _NO.match(text):
        return False
    raise InvalidText("answer", "Please answer yes or no.")
