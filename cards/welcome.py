"""The first thing a person sees: what the portal is for, what to type, and buttons to start."""

from __future__ import annotations

from collections.abc import Sequence

from microsoft_teams.cards.core import (
    Action,
    ActionSet,
    CardElement,
    OpenUrlAction,
    SubmitAction,
)

from bot.domain.campaigns import Campaign
from cards.actions import CardAction
from cards.base import (
    CardMessage,
    as_markdown_text,
    bullets,
    card_message,
    heading,
    paragraph,
    subheading,
    submit,
)

COMMANDS = (
    "**new idea**: suggest an improvement, one question at a time",
    "**my ideas**: your ideas and where each one has got to",
    "**search** and a few words: earlier ideas and what became of them",
    "**help**: how it works, what makes a good suggestion, and how to reach the PMO",
    "**feedback**: tell us how the bot could be better",
)
STAFF_COMMANDS = ("**my queue**: the ideas awaiting you",
                  "**deferred**: the deferred ideas, the soonest to look at again first",
                  "**report**: last month's figures and the board pack for your portfolios")
PMO_COMMANDS = ("**triage**: the new ideas awaiting triage",
                "**pmo**: the PMO team's hub: triage, campaigns, the deferred ideas, the "
                "digest, reports and the known initiatives")
# The open calls for ideas named on the welcome and help, the soonest to close first.
CALLS_SHOWN = 3


def start_buttons(*, staff: bool = False, pmo: bool = False) -> list[SubmitAction]:
    """The ways in, by role: everyone may suggest and see their own ideas; staff have a queue,
    and the PMO team a triage list. Roles come from the organisation's records."""
    buttons = [submit("New idea", CardAction.NEW_IDEA, inputs=False),
               submit("My ideas", CardAction.MY_IDEAS, inputs=False)]
    if staff or pmo:
        buttons.append(submit("My queue", CardAction.MY_QUEUE, inputs=False))
    if pmo:
        buttons.append(submit("Triage", CardAction.TRIAGE, inputs=False))
    return buttons


def open_calls(campaigns: Sequence[Campaign]) -> list[CardElement]:
    """The calls for ideas open now, each with a button that starts an idea for it."""
    if not campaigns:
        return []
    return [subheading("Calls for ideas open now"),
            paragraph("The PMO team is asking for ideas on these themes:"),
            ActionSet(actions=[
                submit(f"Share an idea: {campaign.name}", CardAction.CAMPAIGN_IDEA,
                       inputs=False, campaign=campaign.key)
                for campaign in campaigns[:CALLS_SHOWN]])]


def earlier_ideas() -> list[CardElement]:
    """The way to look through earlier ideas before suggesting one: about a third of ideas
    turn out to be under way already, to exist already, or to repeat another."""
    return [paragraph("Has it been suggested before? See what colleagues have suggested and "
                      "what became of it, without their names."),
            ActionSet(actions=[submit("Search earlier ideas", CardAction.ASK_SEARCH,
                                      inputs=False)])]


def welcome_card(first_name: str | None = None, *, staff: bool = False, pmo: bool = False,
                 campaigns: Sequence[Campaign] = ()) -> CardMessage:
    greeting = f"Hello {as_markdown_text(first_name)}, welcome" if first_name else "Welcome"
    commands = (*COMMANDS, *(STAFF_COMMANDS if staff or pmo else ()),
                *(PMO_COMMANDS if pmo else ()))
    return card_message(
        [
            heading(f"{greeting} to the Improvement and Innovation Portal"),
            paragraph(
                "Anyone in the force can suggest a way to do things better: a new approach, "
                "or an improvement to a process or system you use. Your idea goes to the team "
                "that owns it, and you hear back within two months, whatever the decision."
            ),
            paragraph("Press **New idea** to suggest one, or type to me at any time:"),
            bullets(commands),
            *earlier_ideas(),
            *open_calls(campaigns),
        ],
        summary="Welcome to the Improvement and Innovation Portal",
        fallback_text=(
            "Welcome to the Improvement and Innovation Portal. Type new idea to suggest an "
            "improvement, my ideas to see yours, help to see how it works, or feedback to tell "
            "us how the bot could be better."
        ),
        actions=[
            *start_buttons(staff=staff, pmo=pmo),
            submit("How it works", CardAction.SHOW_HELP),
            submit("Give feedback", CardAction.OPEN_FEEDBACK),
        ],
    )


def channel_welcome_card(deep_link: str | None = None) -> CardMessage:
    """The introduction in a team channel or group chat: what the bot is for and how to start
    in private (ideas are never taken in a shared conversation)."""
    actions: list[Action] = []
    if deep_link:
        actions.append(OpenUrlAction(title="Chat with me 1:1", url=deep_link))
    actions.append(submit("How it works", CardAction.SHOW_HELP))
    return card_message(
        [
            heading("The Improvement and Innovation Portal is here"),
            paragraph(
                "Anyone in the force can suggest a way to make policing better or save time. "
                "The idea goes to the team that owns it, and its contributor hears back within "
                "two months, whatever the decision."
            ),
            paragraph(
                "Ideas are submitted privately: open a 1:1 chat with me (search for the app in "
                "Teams' chat, or use the button) and type **new idea**. Here, mention me with "
                "**help** or **feedback**. Delivered ideas are celebrated in the team, with "
                "their contributor's consent."
            ),
        ],
        summary="The Improvement and Innovation Portal has been added to this team",
        fallback_text=(
            "The Improvement and Innovation Portal has been added to this team. Chat with the "
            "bot 1:1 and type new idea to suggest an improvement, or help to see how it works."
        ),
        actions=actions,
    )
