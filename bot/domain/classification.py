"""The classification marking a force may put on every card (the Government Security
Classifications: OFFICIAL, OFFICIAL-SENSITIVE, with descriptors such as PERSONAL).

It goes on every card, where a TextBlock reads Markdown, and into every notification's
preview: so it is a short line of plain words, nothing a card could read as formatting.
"""

from __future__ import annotations

import re

MAX_MARKING_CHARS = 60
# Words of letters and digits, each joined to the next by one space or hyphen: nothing that
# Markdown reads (a leading "-" is a list item), and no line break.
_PLAIN_WORDS = re.compile(r"[^\W_]+(?:[ -][^\W_]+)*")


def checked_marking(text: str) -> str:
    """`text` as the marking, once it is plain words; ValueError saying what a marking may be."""
    if len(text) > MAX_MARKING_CHARS or not _PLAIN_WORDS.fullmatch(text):
        raise ValueError(
            f"must be a short line of plain words (letters and digits, each word joined to the "
            f"next by one space or hyphen, at most {MAX_MARKING_CHARS} characters), such as "
            f"OFFICIAL or OFFICIAL-SENSITIVE, not {text!r}.")
    return text
