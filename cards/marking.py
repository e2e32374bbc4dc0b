"""The classification marking (OFFICIAL, OFFICIAL-SENSITIVE...) on a card: at its top and its
foot, as a document's is, and before its fallback text and notification summary.

`marking` is a setting checked by bot.domain.classification: plain words, which a TextBlock
shows as they are.
"""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import TextBlock


def marked_text(text: str, marking: str) -> str:
    """`text` (a summary, a fallback) led by the marking, so that a notification shows it."""
    return f"[{marking}] {text}" if text else f"[{marking}]"


def marked_card(card: dict[str, Any], marking: str) -> dict[str, Any]:
    """A copy of the Adaptive Card `card` with the marking as its first and last element and
    before its fallback text; `card` itself is left as it was."""
    line = _marking_line(marking)
    marked = {**card, "body": [line, *card.get("body", ()), {**line, "spacing": "Medium"}]}
    marked["fallbackText"] = marked_text(str(card.get("fallbackText") or ""), marking)
    return marked


def _marking_line(marking: str) -> dict[str, Any]:
    """Small, bold, centred and subtle: legible on every card without crowding it."""
    return TextBlock(text=marking, size="Small", weight="Bolder", is_subtle=True,
                     horizontal_alignment="Center", wrap=True,
                     ).model_dump(exclude_none=True, by_alias=True)
