"""Looking inside Adaptive Card JSON: every element, wherever it is nested."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_FILE = Path(__file__).parents[1] / "fixtures" / "schemas" / "adaptive-card-1.5.json"
# Teams accepts about 28 KB for a card in a message; the bot keeps far below it.
CARD_SIZE_LIMIT = 28 * 1024


@cache
def card_validator() -> jsonschema.Draft6Validator:
    """A validator for the official Adaptive Card 1.5 schema (a draft-06 JSON Schema)."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft6Validator.check_schema(schema)
    return jsonschema.Draft6Validator(schema)


def schema_errors(card: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
            for e in card_validator().iter_errors(card)]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in `node`, depth first: elements, actions, ShowCard cards, choices."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def typed(card: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    """Every object whose `type` starts with `prefix` (e.g. "Input.", "Action.Submit")."""
    return [n for n in walk(card) if str(n.get("type", "")).startswith(prefix)]


def places_holding(card: dict[str, Any], text: str) -> list[str]:
    """Where `text` occurs in any string of the card, as "<type>.<property>" labels."""
    found: list[str] = []
    for node in walk(card):
        for key, value in node.items():
            if isinstance(value, str) and text in value:
                found.append(f"{node.get('type', '?')}.{key}")
    return found


# Properties Teams reads as Markdown (a TextBlock's text, a Fact's title and value); a TextRun
# never is.
_MARKDOWN = {"TextBlock": ("text",), "Fact": ("title", "value")}


def markdown_formatting(card: dict[str, Any]) -> list[str]:
    """The links, images and raw HTML that a CommonMark renderer (as Teams' is) would make of
    the card's Markdown text: each as "<type>: <href or html>"."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark")
    found: list[str] = []
    for node in walk(card):
        kind = node.get("type") or ("Fact" if "title" in node and "value" in node else "")
        for key in _MARKDOWN.get(kind, ()):
            for token in renderer.parseInline(str(node.get(key) or "")):
                for child in token.children or []:
                    if child.type in ("link_open", "image"):
                        found.append(f"{child.type}: {child.attrs.get('href') or child.attrs}")
                    elif child.type == "html_inline":
                        found.append(f"html: {child.content}")
    return found
