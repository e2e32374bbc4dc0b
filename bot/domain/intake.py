"""The submission script: the steps from a suggestion to a well-formed idea, and their rules.

Pure: the dialog asks the questions and stores the draft; this module says which step comes
next, checks each answer and keeps what was written when an answer is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.domain.errors import InvalidText
from bot.domain.text import clean_text

NO_CAMPAIGN = ""


class Step(StrEnum):
    TITLE = "title"
    PROBLEM = "problem"
    PROPOSAL = "proposal"
    BENEFIT = "benefit"
    CATEGORY = "category"
    PORTFOLIO = "portfolio"
    CAMPAIGN = "campaign"
    PROFILE = "profile"
    RECOGNITION = "recognition"
    CHECK = "check"


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
class Choices:
    """The organisation's lists, as they are now."""

    categories: tuple[Option, ...]
    portfolios: tuple[Option, ...]
    campaigns: tuple[Option, ...] = ()


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
    named_publicly: bool | None = None
    # Whether this draft asks the optional questions about the person (only the first time).
    ask_profile: bool = False
    step: Step = Step.TITLE
    editing: bool = False
    revision: int = 0

    def text_of(self, step: Step) -> str:
        return getattr(self, step.value)


def plan(*, ask_profile: bool, campaigns_open: bool) -> tuple[Step, ...]:
    """The steps for this person now: the profile only the first time, the campaign only
    while campaigns are open."""
    steps = [Step.TITLE, Step.PROBLEM, Step.PROPOSAL, Step.BENEFIT, Step.CATEGORY,
             Step.PORTFOLIO]
    if campaigns_open:
        steps.append(Step.CAMPAIGN)
    if ask_profile:
        steps.append(Step.PROFILE)
    steps += [Step.RECOGNITION, Step.CHECK]
    return tuple(steps)


def start(campaign: str | None = None, *, ask_profile: bool = False) -> Draft:
    """A new draft; one started from a campaign's card already names the campaign."""
    return Draft(campaign=campaign, ask_profile=ask_profile)


def answer(draft: Draft, step: Step, value: object, choices: Choices,
           steps: Sequence[Step]) -> Draft:
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
        changed = replace(draft, campaign=_choose_campaign(value, choices.campaigns))
    elif step is Step.RECOGNITION:
        changed = replace(draft, named_publicly=yes_or_no(value))
    elif step is Step.PROFILE:
        changed = draft
    else:
        raise InvalidText(step.value, "There is nothing to answer at this point.")
    return advance(replace(changed, revision=draft.revision + 1), steps)


def advance(draft: Draft, steps: Sequence[Step]) -> Draft:
    """The next step: back to the check after an edit, otherwise the next in the plan."""
    if draft.editing or draft.step not in steps:
        return replace(draft, step=Step.CHECK, editing=False)
    position = steps.index(draft.step)
    return replace(draft, step=steps[min(position + 1, len(steps) - 1)])


def back(draft: Draft, steps: Sequence[Step]) -> Draft:
    """One step back (from an edit, back to the check)."""
    if draft.editing:
        return replace(draft, step=Step.CHECK, editing=False)
    position = steps.index(draft.step) if draft.step in steps else len(steps) - 1
    return replace(draft, step=steps[max(0, position - 1)])


def edit(draft: Draft, step: Step, steps: Sequence[Step]) -> Draft:
    """From the check, change one answer; answering it returns to the check."""
    if step not in steps or step is Step.CHECK:
        raise InvalidText(step.value, "That part of the idea cannot be changed here.")
    return replace(draft, step=step, editing=True)


def missing(draft: Draft, choices: Choices) -> list[Step]:
    """What must still be answered (or answered again, when a list changed) before submitting."""
    gaps = [step for step in TEXT_QUESTIONS if not draft.text_of(step)]
    if draft.category not in {o.key for o in choices.categories}:
        gaps.append(Step.CATEGORY)
    if draft.portfolio not in {o.key for o in choices.portfolios}:
        gaps.append(Step.PORTFOLIO)
    if draft.campaign and draft.campaign not in {o.key for o in choices.campaigns}:
        gaps.append(Step.CAMPAIGN)
    if draft.named_publicly is None:
        gaps.append(Step.RECOGNITION)
    return gaps


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
