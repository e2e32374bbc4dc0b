"""Rules for free text that people type into the bot."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.domain.errors import InvalidText

# Tab and newline are ordinary in multi-line answers; every other control character is not.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
# Characters that reorder text (bidi embeddings, overrides, isolates and marks) or hide in it
# (zero-width spaces and joiners, the byte-order mark): they can make what staff read differ
# from what was written, and are removed.
_INVISIBLE = dict.fromkeys(
    [0x061C, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
     *range(0x2066, 0x206A), 0xFEFF])


@dataclass(frozen=True, slots=True)
class Forged:
    """A value of a kind no card sends (a list for a text input, text for a number): broken or
    forged data. It is kept as such, so that the check of that value refuses it with the same
    words as any other wrong value."""


# What a card's input brings: its text, None when it is left out, or Forged.
Answer = str | Forged | None


def answer_of(value: object) -> Answer:
    """A card input's value, as an Answer."""
    return value if value is None or isinstance(value, str) else Forged()


def visible(text: str) -> str:
    """`text` without the characters that reorder or hide what a reader sees."""
    return text.translate(_INVISIBLE)


def clean_text(value: object, *, field: str, label: str, limit: int, required: bool = True) -> str:
    """Return `value` trimmed and normalised, or raise InvalidText with a kind explanation.

    Over-long text is refused, never cut: the person keeps what they wrote and shortens it.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidText(field, f"{label} must be text.")
    text = unicodedata.normalize(
        "NFC", visible(value).replace("\r\n", "\n").replace("\r", "\n")).strip()
    if _CONTROL.search(text):
        raise InvalidText(
            field,
            f"{label} contains hidden control characters, perhaps from a copy and paste. "
            "Please type it again.",
        )
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    if required and not text:
        raise InvalidText(field, f"{label} is empty. Please write a few words.")
    if len(text) > limit:
        raise InvalidText(
            field,
            f"{label} is {len(text):,} characters long; the limit is {limit:,}. "
            "Please shorten it: your text is kept below.",
        )
    return text


# What a spreadsheet takes for the start of a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """Text a spreadsheet shows as text: one that would start a formula gets a quote first."""
    return "'" + text if text.startswith(_FORMULA_START) else text
