"""Short answers: an unrecognised message, a button the bot cannot act on."""

from __future__ import annotations

from cards.actions import CardAction
from cards.base import CardMessage, card_message, paragraph, submit


def unknown_text_card() -> CardMessage:
    return card_message(
        [paragraph("Sorry, I did not understand that. Type **help** to see what I can do, or "
                   "**new idea** to suggest an improvement.")],
        summary="Type help to see what I can do",
        fallback_text=("Sorry, I did not understand that. Type help to see what I can do, or "
                       "new idea to suggest an improvement."),
        actions=[submit("New idea", CardAction.NEW_IDEA, inputs=False),
                 submit("How it works", CardAction.SHOW_HELP)],
    )


def stale_action_card() -> CardMessage:
    return card_message(
        [paragraph(
            "That button belongs to a card I can no longer act on, perhaps an older one. "
            "Nothing was changed. Type **help** to see what I can do now."
        )],
        summary="That button is no longer available",
        fallback_text="That button is no longer available. Nothing was changed. Type help.",
        actions=[submit("How it works", CardAction.SHOW_HELP)],
    )


def no_identity_card() -> CardMessage:
    text = ("I could not tell who sent this, so nothing was stored. Please use the portal from "
            "your work Teams account.")
    return card_message([paragraph(text)], summary="Nothing was stored", fallback_text=text)


def failure_card() -> CardMessage:
    text = ("Sorry, something went wrong on my side and I could not finish that. Please try "
            "again in a minute; if it keeps happening, type **help** to contact the PMO team.")
    return card_message([paragraph(text)], summary="Sorry, something went wrong",
                        fallback_text=text.replace("**", ""))


def not_staff_card(reason: str) -> CardMessage:
    return card_message([paragraph(reason),
                         paragraph("Type **my ideas** to see your own ideas.", subtle=True)],
                        summary="Only for the PMO team and business leads", fallback_text=reason)
