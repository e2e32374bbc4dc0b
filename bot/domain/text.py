"""Rules for free text that people type into the bot."""

from __future__ import annotations

import re
import unicodedata

from bot.domain.errors import InvalidText

# Tab and newline are ordinary in multi-line answers; every other control character is not.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(value: object, *, field: str, label: str, limit: int, required: bool = True) -> str:
    """Return `value` trimmed and normalised, or raise InvalidText with a kind explanation.

    Over-long text is refused, never cut: the person keeps what they wrote and shortens it.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidText(field, f"{label} must be text.")
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
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
