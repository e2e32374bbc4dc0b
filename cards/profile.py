"""The optional "about you" card: diversity answers, asked once and changeable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from microsoft_teams.cards.core import Choice, ChoiceSetInput, TextInput

from bot.domain.profile import (
    FUNCTIONS,
    GRADES,
    LOCATION_LIMIT,
    PREFER_NOT,
    PREFER_NOT_LABEL,
    ROLE_TYPES,
    Profile,
)
from cards.actions import CardAction
from cards.base import CardMessage, card_message, heading, paragraph, problem, submit

WHY = ("These answers are optional and help the board see whether the portal reaches everyone. "
       "They are only ever reported as totals.")


@dataclass(frozen=True, slots=True)
class Progress:
    """Where the card stands in a submission: step `number` of `total`, at draft `revision`."""

    number: int
    total: int
    revision: int


def profile_card(departments: Sequence[tuple[str, str]], profile: Profile | None = None,
                 *, within_idea: bool, error: str | None = None,
                 progress: Progress | None = None) -> CardMessage:
    """The card; `within_idea` when asked as a step of a submission (then Skip moves on)."""
    current = profile or Profile()
    body = []
    if progress is not None:
        body.append(paragraph(f"New idea · step {progress.number} of {progress.total}",
                              subtle=True))
    body += [heading("About you (optional)"), paragraph(WHY)]
    if error:
        body.append(problem(error))
    body += [
        _choice("department", "Department", departments, current.department),
        _choice("function", "Function", FUNCTIONS, current.function),
        TextInput(id="location", label="Where you are based (station or site)",
                  max_length=LOCATION_LIMIT, placeholder="Leave blank if you prefer not to say",
                  value=None if current.location == PREFER_NOT else current.location),
        _choice("grade", "Rank or grade", GRADES, current.grade),
        _choice("role_type", "Officer, staff or volunteer", ROLE_TYPES, current.role_type),
    ]
    return card_message(
        body,
        summary="About you (optional)",
        fallback_text="Optional questions about you, for diversity monitoring.",
        actions=[
            submit("Save", CardAction.SAVE_PROFILE, within_idea=within_idea),
            submit("Skip: prefer not to say", CardAction.SKIP_PROFILE, inputs=False,
                   within_idea=within_idea),
            *([submit("Back", CardAction.BACK, inputs=False, step="profile",
                      revision=progress.revision),
               submit("Cancel", CardAction.CANCEL, inputs=False)] if progress else []),
        ],
    )


def profile_saved_card() -> CardMessage:
    text = "Thank you: your answers are saved. Type **my profile** to change them at any time."
    return card_message([paragraph(text)], summary="Your answers are saved",
                        fallback_text=text.replace("**", ""))


def _choice(input_id: str, label: str, options: Sequence[tuple[str, str]],
            current: str) -> ChoiceSetInput:
    return ChoiceSetInput(
        id=input_id, label=label, style="compact",
        value=current if current != PREFER_NOT else None,
        placeholder=PREFER_NOT_LABEL,
        choices=[*(Choice(title=name, value=key) for key, name in options),
                 Choice(title=PREFER_NOT_LABEL, value=PREFER_NOT)],
    )
