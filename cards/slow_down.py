"""The answer to someone sending more than a person would: polite, and clear nothing was kept."""

from __future__ import annotations

from cards.base import CardMessage, card_message, paragraph

SLOW_DOWN = ("You are sending messages faster than I can take them in, so I have set the last "
             "ones aside without saving them. Please wait a minute, then carry on where you "
             "left off.")


def slow_down_card() -> CardMessage:
    return card_message([paragraph(SLOW_DOWN)], summary="Please wait a minute",
                        fallback_text=SLOW_DOWN)
