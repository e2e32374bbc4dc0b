"""The first thing a person sees: what the portal is for and what to type."""

from __future__ import annotations

from cards.actions import CardAction
from cards.base import (
    CardMessage,
    as_markdown_text,
    bullets,
    card_message,
    heading,
    paragraph,
    submit,
)

COMMANDS = (
    "**help**: how it works, what makes a good suggestion, and how to reach the PMO",
    "**feedback**: tell us how the bot could be better",
)


def welcome_card(first_name: str | None = None) -> CardMessage:
    greeting = f"Hello {as_markdown_text(first_name)}, welcome" if first_name else "Welcome"
    return card_message(
        [
            heading(f"{greeting} to the Improvement and Innovation Portal"),
            paragraph(
                "Anyone in the force can suggest a way to do things better: a new approach, "
                "or an improvement to a process or system you use. Your idea goes to the team "
                "that owns it, and you hear back within two months, whatever the decision."
            ),
            paragraph("Things you can type to me at any time:"),
            bullets(COMMANDS),
        ],
        summary="Welcome to the Improvement and Innovation Portal",
        fallback_text=(
            "Welcome to the Improvement and Innovation Portal. Type help to see how it works, "
            "or feedback to tell us how the bot could be better."
        ),
        actions=[
            submit("How it works", CardAction.SHOW_HELP),
            submit("Give feedback", CardAction.OPEN_FEEDBACK),
        ],
    )


def channel_welcome_card() -> CardMessage:
    """Posted once in a team channel when the app is added to the team."""
    return card_message(
        [
            heading("The Improvement and Innovation Portal is here"),
            paragraph(
                "Have an idea that would make policing better or save time? Open a 1:1 chat "
                "with me and type **help** to get started. Ideas are submitted privately; "
                "delivered ones are celebrated here, with the contributor's consent."
            ),
        ],
        summary="The Improvement and Innovation Portal has been added to this team",
        fallback_text=(
            "The Improvement and Innovation Portal has been added to this team. Chat with the "
            "bot 1:1 and type help to get started."
        ),
    )
