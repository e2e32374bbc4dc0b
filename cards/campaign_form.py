"""The PMO's campaign form: a new call for ideas, or one being edited before it is sent.

The ids of its inputs are read back in one place, cards.requests.campaign_form_of.
"""

from __future__ import annotations

from collections.abc import Sequence

from microsoft_teams.cards.core import (
    CardElement,
    Choice,
    ChoiceSetInput,
    DateInput,
    TextInput,
    ToggleInput,
)

from bot.domain.campaign_form import CampaignForm
from bot.domain.campaigns import (
    DESCRIPTION_LIMIT,
    IMAGE_URL_LIMIT,
    MAX_QUESTIONS,
    NAME_LIMIT,
    QUESTION_LIMIT,
    THEME_LIMIT,
    Audience,
    AudienceKind,
)
from bot.domain.organisation import Portfolio
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
from cards.campaign_words import audience_words, channel_words

NAME = "campaign.name"
THEME = "campaign.theme"
DESCRIPTION = "campaign.description"
QUESTIONS = tuple(f"campaign.question{n}" for n in range(1, MAX_QUESTIONS + 1))
OPENS = "campaign.opens"
CLOSES = "campaign.closes"
AUDIENCE = "campaign.audience"
IMAGE = "campaign.image"
REMIND = "campaign.remind"
# Each text input's length as the card limits it. Some clients ignore maxLength, so the
# campaign's rules say kindly when a text is too long; card data far past it is no card's.
TEXT_LIMITS = {NAME: NAME_LIMIT, THEME: THEME_LIMIT, DESCRIPTION: DESCRIPTION_LIMIT,
               IMAGE: IMAGE_URL_LIMIT, OPENS: 10, CLOSES: 10, AUDIENCE: 400,
               **{question: QUESTION_LIMIT for question in QUESTIONS}}
# Teams refuses a message over about 28 KB: the form offers at most this many channels.
MAX_CHANNELS = 50


def campaign_form_card(form: CampaignForm | None = None, *,
                       portfolios: Sequence[Portfolio] = (), channels: Sequence[str] = (),
                       campaign_id: int | None = None, kept: Audience | None = None,
                       problems: Sequence[str] = ()) -> CardMessage:
    """The form, empty or holding `form`'s answers, with `problems` listed above it.

    The audience offers everyone with the app, the change agents, each portfolio's SPOCs and
    deputies, each team channel where the bot is installed (`channels`, their conversation
    ids) and, when editing, the campaign's audience as it is (`kept`)."""
    editing = campaign_id is not None
    title = "Edit the call for ideas" if editing else "A new call for ideas"
    body: list[CardElement] = [
        heading(title),
        paragraph("Ask the force for ideas on one theme. Save it to preview the call exactly "
                  "as people will see it; nothing is sent until you press **Send now**."),
    ]
    if problems:
        body += put_right(problems)
    body += [
        TextInput(id=NAME, label="Name", is_required=True, max_length=NAME_LIMIT,
                  placeholder="For example: Artificial intelligence in everyday policing",
                  error_message="Please give the call a name."),
        TextInput(id=THEME, label="Theme", is_required=True, max_length=THEME_LIMIT,
                  placeholder="One line: what the ideas are about",
                  error_message="Please give the theme."),
        TextInput(id=DESCRIPTION, label="What the force wants ideas about, and why",
                  is_multiline=True, is_required=True, max_length=DESCRIPTION_LIMIT,
                  error_message="Please describe the call."),
        *(TextInput(id=question, label=f"A question of its own {n} (optional)",
                    max_length=QUESTION_LIMIT,
                    placeholder="Asked after the usual questions, such as the funding needed")
          for n, question in enumerate(QUESTIONS, start=1)),
        DateInput(id=OPENS, label="Opens on", is_required=True,
                  error_message="Please choose the opening day."),
        DateInput(id=CLOSES, label="Closes on", is_required=True,
                  error_message="Please choose the closing day."),
        ChoiceSetInput(id=AUDIENCE, label="Who it goes to", style="compact", is_required=True,
                       placeholder="Choose the audience",
                       choices=_audiences(portfolios, channels, kept),
                       error_message="Please choose who the call goes to."),
        paragraph("A portfolio's audience is its SPOCs and deputies: the portal holds no "
                  "department membership. A list of people from a CSV file is chosen on the "
                  "command line only (iip campaign create --audience file:PATH.csv).",
                  subtle=True),
        TextInput(id=IMAGE, label="Image address (optional)", style="Url",
                  max_length=IMAGE_URL_LIMIT, placeholder="https://..."),
        ToggleInput(id=REMIND, label="Reminder",
                    title="Remind the audience two days before it closes",
                    value="false", value_on="true", value_off="false"),
    ]
    save = (submit("Save and preview", CardAction.SAVE_CAMPAIGN, campaign=campaign_id)
            if editing else submit("Save and preview", CardAction.SAVE_CAMPAIGN))
    message = card_message(
        body, summary=title,
        fallback_text=f"{title}: fill in the form and save it to preview the call.",
        actions=[save, submit("Back to campaigns", CardAction.CAMPAIGNS, inputs=False)],
    )
    if form is not None:
        fill_inputs(message.card, form_values(form))
    return message


def form_values(form: CampaignForm) -> dict[str, str]:
    """The form's answers under the ids of the inputs that hold them."""
    questions = dict(zip(QUESTIONS, form.questions, strict=False))
    return {NAME: form.name, THEME: form.theme, DESCRIPTION: form.description,
            OPENS: form.opens, CLOSES: form.closes, AUDIENCE: form.audience,
            IMAGE: form.image_url, REMIND: "true" if form.remind else "false", **questions}


def _audiences(portfolios: Sequence[Portfolio], channels: Sequence[str],
               kept: Audience | None) -> list[Choice]:
    names = {p.key: p.name for p in portfolios}
    offered = [Audience(AudienceKind.EVERYONE), Audience(AudienceKind.CHANGE_AGENTS),
               *(Audience(AudienceKind.PORTFOLIO, p.key) for p in portfolios)]
    choices = [Choice(title=audience_words(a, names), value=str(a)) for a in offered]
    choices += [Choice(title=channel_words(c), value=str(Audience(AudienceKind.CHANNEL, c)))
                for c in channels[:MAX_CHANNELS]]
    if kept is not None and str(kept) not in {c.value for c in choices}:
        choices.append(Choice(title=f"{audience_words(kept, names)} (as it is)",
                              value=str(kept)))
    return choices
