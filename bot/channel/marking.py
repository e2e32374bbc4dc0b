"""The force's classification marking, put on every card as it leaves the bot.

Cards are stored (the outbox) and built without it: it is added here, at the edge, to what
is sent, so a changed IIP_CLASSIFICATION marks whatever is sent next, queued messages too.
Every activity the bot sends passes BotConnectorMessenger, and every card that replaces a
pressed one passes the invoke answer of POST /api/messages: those two call this (and
`iip cards gallery`, to show the cards as they would be sent).
"""

from __future__ import annotations

from typing import Any

from bot.channel.activities import ADAPTIVE_CARD
from bot.domain.classification import checked_marking
from cards.marking import marked_card, marked_text


class CardMarking:
    """Marks the cards in what is sent with `classification`; "" leaves everything unmarked."""

    def __init__(self, classification: str) -> None:
        self._marking = checked_marking(classification) if classification else ""

    def card(self, card: dict[str, Any]) -> dict[str, Any]:
        """The Adaptive Card `card`, marked."""
        return marked_card(card, self._marking) if self._marking else card

    def activity(self, body: dict[str, Any]) -> dict[str, Any]:
        """An activity's JSON with its Adaptive Cards and its summary marked."""
        attachments = body.get("attachments")
        if not self._marking or not isinstance(attachments, list):
            return body
        items: list[Any] = attachments
        if not any(_is_card(item) for item in items):
            return body
        return {
            **body,
            "summary": marked_text(str(body.get("summary") or ""), self._marking),
            "attachments": [{**item, "content": self.card(item["content"])}
                            if _is_card(item) else item for item in items],
        }

    def invoke_answer(self, body: object) -> object:
        """An invoke response's body, with the card that replaces the one pressed marked."""
        if not self._marking or not isinstance(body, dict):
            return body
        answer: dict[str, Any] = body
        card = answer.get("value")
        if answer.get("type") != ADAPTIVE_CARD or not isinstance(card, dict):
            return body
        return {**answer, "value": self.card(card)}


def _is_card(attachment: object) -> bool:
    return (isinstance(attachment, dict) and attachment.get("contentType") == ADAPTIVE_CARD
            and isinstance(attachment.get("content"), dict))
