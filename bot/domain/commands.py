"""What a typed message asks for: the bot's small command vocabulary."""

from __future__ import annotations

import re
from enum import StrEnum


class Command(StrEnum):
    WELCOME = "welcome"
    HELP = "help"
    FEEDBACK = "feedback"
    UNKNOWN = "unknown"


_WORDS: dict[str, Command] = {
    "hi": Command.WELCOME,
    "hello": Command.WELCOME,
    "hey": Command.WELCOME,
    "start": Command.WELCOME,
    "help": Command.HELP,
    "?": Command.HELP,
    "faq": Command.HELP,
    "faqs": Command.HELP,
    "guidance": Command.HELP,
    "contact": Command.HELP,
    "feedback": Command.FEEDBACK,
    "give feedback": Command.FEEDBACK,
}

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TRAILING_PUNCTUATION = re.compile(r"[.!]+$")


def normalise(text: str | None) -> str:
    """Lower-case `text` with @mentions, surplus spaces and closing punctuation removed."""
    without_mentions = _MENTION.sub(" ", text or "")
    words = " ".join(without_mentions.split()).lower()
    return _TRAILING_PUNCTUATION.sub("", words).strip()


def parse_command(text: str | None) -> Command:
    """Map a typed message to a command; anything unrecognised is UNKNOWN, never an error."""
    return _WORDS.get(normalise(text), Command.UNKNOWN)
