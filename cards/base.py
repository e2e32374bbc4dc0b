"""Building blocks shared by every card, and the envelope a card travels in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from microsoft_teams.cards.core import (
    Action,
    AdaptiveCard,
    CardElement,
    RichTextBlock,
    SubmitAction,
    TextBlock,
    TextRun,
)

from bot.domain.ideas import day_words, uk_day
from bot.domain.messages import CardMessage
from cards.actions import CardAction

__all__ = ["CardMessage", "as_markdown_text", "bullets", "card_message", "day_text",
           "fill_inputs", "heading", "paragraph", "plain", "problem", "put_right", "subheading",
           "submit"]

SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"


def card_message(
    body: Sequence[CardElement],
    *,
    summary: str,
    fallback_text: str,
    actions: Sequence[Action] = (),
) -> CardMessage:
    """Assemble an Adaptive Card 1.5 with the summary and fallback every message must carry."""
    card = AdaptiveCard(
        version=VERSION,
        body=list(body),
        actions=list(actions) or None,
        fallback_text=fallback_text,
        speak=None,
    ).model_dump(exclude_none=True, by_alias=True)
    card.pop("schema", None)
    return CardMessage(card={"$schema": SCHEMA_URL, **card}, summary=summary,
                       fallback_text=fallback_text)


# What turns text into links, images, raw HTML, code or emphasis in a card's Markdown.
_MARKDOWN_SYNTAX = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>~"} | {"\n": " ", "\r": " "})


def as_markdown_text(text: str) -> str:
    """`text` from Teams or from people (a name, say), escaped to read as itself where a card
    renders Markdown: our own words around it keep their formatting, it gains none."""
    return text.translate(_MARKDOWN_SYNTAX)


def heading(text: str) -> TextBlock:
    return TextBlock(text=text, style="heading", size="Large", weight="Bolder", wrap=True)


def subheading(text: str) -> TextBlock:
    return TextBlock(text=text, weight="Bolder", wrap=True, spacing="Medium")


def paragraph(text: str, *, subtle: bool = False) -> TextBlock:
    """Our own words, which may use the card's Markdown."""
    return TextBlock(text=text, wrap=True, is_subtle=subtle or None)


def bullets(items: Sequence[str]) -> TextBlock:
    return TextBlock(text="\n".join(f"- {item}" for item in items), wrap=True)


def plain(text: str, *, italic: bool = False) -> RichTextBlock:
    """Text someone typed: shown exactly as written, never read as Markdown or links."""
    return RichTextBlock(inlines=[TextRun(text=text, italic=italic or None)])


def problem(text: str) -> TextBlock:
    """A message about something that needs the reader's attention."""
    return TextBlock(text=text, wrap=True, color="Attention", weight="Bolder")


def put_right(problems: Sequence[str]) -> list[TextBlock]:
    """Above a form shown again after a refusal: every problem, to put right and save again."""
    return [problem("Please put these right, then save again:"),
            bullets([as_markdown_text(p) for p in problems])]


def submit(title: str, action: CardAction, *, inputs: bool = True, **data: Any) -> SubmitAction:
    """A button that sends `action` and `data` (and, unless `inputs` is False, the inputs)."""
    return SubmitAction(title=title, data={"action": action.value, **data},
                        associated_inputs=None if inputs else "none")


def day_text(moment: date | datetime) -> str:
    """A day as people here write it (1 June 2026); a moment is read in UK time."""
    if isinstance(moment, datetime):
        moment = uk_day(moment)
    return day_words(moment)


def fill_inputs(card: dict[str, Any], values: Mapping[str, object]) -> dict[str, Any]:
    """Put `values` back into the inputs of the same ids, anywhere in the card (show cards
    included), so that a card shown again after a refusal keeps what the person typed."""

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input.") and node.get("id") in values:
                value = values[node["id"]]
                if isinstance(value, str) and value:
                    node["value"] = value
            for child in node.values():
                visit(child)
        elif isinstance(node, list):
            for child in node:
                visit(child)

    visit(card)
    return card
