"""A message the bot sends: an Adaptive Card with its notification summary and fallback text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CardMessage:
    """A card ready to send: the card JSON, the notification summary and the plain-text fallback."""

    card: dict[str, Any]
    summary: str
    fallback_text: str


# What a presenter answers: one card, or several sent one after the other (a campaign's
# preview: the call as its recipients will see it, then what to do with it).
Reply = CardMessage | tuple[CardMessage, ...]


def messages_of(reply: Reply) -> tuple[CardMessage, ...]:
    """The cards of a reply, in the order they are sent."""
    return reply if isinstance(reply, tuple) else (reply,)
