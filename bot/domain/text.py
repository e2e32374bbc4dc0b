"""Rules for free text that people type into the bot."""

from __future__ import annotations

import re
import unicodedata

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
