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
