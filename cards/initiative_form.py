"""The PMO's form for a known initiative: a new one, or one being edited.

The ids of its inputs are read back in one place, cards.requests.initiative_form_of.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from microsoft_teams.cards.core import CardElement, Choice, ChoiceSetInput, TextInput

from bot.domain.initiatives import (
    CONTACT_LIMIT,
    DESCRIPTION_LIMIT,
    LINK_LIMIT,
    TITLE_LIMIT,
    InitiativeForm,
    Stage,
)
from cards.actions import CardAction
from cards.base import (
    CardMessage,
    card_message,
    fill_inputs,
    heading,
    paragraph,
    put_right,
    submit,
)

TITLE = "initiative.title"
DESCRIPTION = "initiative.description"
STAGE = "initiative.stage"
PORTFOLIO = "initiative.portfolio"
CONTACT = "initiative.contact"
LINK = "initiative.link"
# Each input's length as the card limits it. Some clients ignore maxLength, so the rules say
# kindly when a text is too long; card data far past it is no card's.
TEXT_LIMITS = {TITLE: TITLE_LIMIT, DESCRIPTION: DESCRIPTION_LIMIT, STAGE: 20, PORTFOLIO: 40,
               CONTACT: CONTACT_LIMIT, LINK: LINK_LIMIT}
_STAGE_CHOICES = {Stage.UNDER_WAY: "Under way: change work in progress",
                  Stage.EXISTS: "Exists: a capability the force has now"}


def initiative_form_card(form: InitiativeForm | None = None, *,
                         portfolios: Mapping[str, str] = {},
                         initiative_id: int | None = None, reference: str | None = None,
                         kept_portfolio: str | None = None,
                         problems: Sequence[str] = ()) -> CardMessage:
    """The form, empty or holding `form`'s answers, with `problems` listed above it.
    `portfolios`: names by key; `kept_portfolio`, the edited initiative's, offered as it is
    when the organisation no longer has it."""
    editing = initiative_id is not None
    title = f"Edit {reference}" if editing and reference else (
        "Edit the initiative" if editing else "A new known initiative")
    body: list[CardElement] = [
        heading(title),
        paragraph("People writing an idea are shown the known initiatives like it, so that "
                  "work under way or a capability the force has is found before they submit. "
                  "Describe it in the words an officer would use."),
    ]
    if problems:
        body += put_right(problems)
    body += [
        TextInput(id=TITLE, label="Title", is_required=True, max_length=TITLE_LIMIT,
                  placeholder="For example: Body-worn video for every response officer",
                  error_message="Please give the initiative a title."),
        TextInput(id=DESCRIPTION, label="What it is, and what it does for officers and staff",
                  is_multiline=True, is_required=True, max_length=DESCRIPTION_LIMIT,
                  error_message="Please describe the initiative."),
        ChoiceSetInput(id=STAGE, label="Stage", style="expanded", is_required=True,
                       choices=[Choice(title=words, value=stage.value)
                                for stage, words in _STAGE_CHOICES.items()],
                       error_message="Please choose whether it is under way or exists."),
        ChoiceSetInput(id=PORTFOLIO, label="Portfolio (optional)", style="compact",
                       placeholder="No portfolio",
                       choices=_portfolios(portfolios, kept_portfolio)),
        TextInput(id=CONTACT, label="Who to ask about it (optional)", max_length=CONTACT_LIMIT,
                  placeholder="A name, a team or an e-mail address"),
        TextInput(id=LINK, label="Where to read more (optional)", style="Url",
                  max_length=LINK_LIMIT, placeholder="https://..."),
    ]
    save = (submit("Save", CardAction.SAVE_INITIATIVE, initiative=initiative_id) if editing
            else submit("Save", CardAction.SAVE_INITIATIVE))
    message = card_message(
        body, summary=title,
        fallback_text=f"{title}: fill in the form and save it.",
        actions=[save, submit("Back to the register", CardAction.INITIATIVES, inputs=False)],
    )
    if form is not None:
        fill_inputs(message.card, form_values(form))
    return message


def form_values(form: InitiativeForm) -> dict[str, str]:
    """The form's answers under the ids of the inputs that hold them."""
    return {TITLE: form.title, DESCRIPTION: form.description, STAGE: form.stage,
            PORTFOLIO: form.portfolio, CONTACT: form.contact, LINK: form.link}


def _portfolios(names: Mapping[str, str], kept: str | None) -> list[Choice]:
    choices = [Choice(title="No portfolio", value=""),
               *(Choice(title=name, value=key)
                 for key, name in sorted(names.items(), key=lambda item: item[1]))]
    if kept and kept not in names and len(kept) <= TEXT_LIMITS[PORTFOLIO]:
        choices.append(Choice(title=f"{kept} (as it is)", value=kept))
    return choices
