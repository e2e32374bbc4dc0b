"""What a typed message asks for: the bot's small command vocabulary."""

from __future__ import annotations

import re
from enum import StrEnum


class Command(StrEnum):
    WELCOME = "welcome"
    HELP = "help"
    FEEDBACK = "feedback"
    NEW_IDEA = "new idea"
    MY_IDEAS = "my ideas"
    STATUS = "status"
    WITHDRAW = "withdraw"
    MY_PROFILE = "my profile"
    MY_QUEUE = "my queue"
    TRIAGE = "triage"
    FIND = "find"
    SEARCH = "search"
    DEFERRED = "deferred"
    DIGEST = "digest"
    PMO = "pmo"
    REPORT = "report"
    CAMPAIGNS = "campaigns"
    NEW_CAMPAIGN = "campaign new"
    STOP_CAMPAIGNS = "stop campaigns"
    START_CAMPAIGNS = "start campaigns"
    INITIATIVES = "initiatives"
    NEW_INITIATIVE = "initiative new"
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
    "new idea": Command.NEW_IDEA,
    "new": Command.NEW_IDEA,
    "idea": Command.NEW_IDEA,
    "an idea": Command.NEW_IDEA,
    "i have an idea": Command.NEW_IDEA,
    "i've got an idea": Command.NEW_IDEA,
    "submit": Command.NEW_IDEA,
    "submit an idea": Command.NEW_IDEA,
    "suggest": Command.NEW_IDEA,
    "suggestion": Command.NEW_IDEA,
    "my ideas": Command.MY_IDEAS,
    "ideas": Command.MY_IDEAS,
    "my suggestions": Command.MY_IDEAS,
    "status": Command.STATUS,
    "withdraw": Command.WITHDRAW,
    "my profile": Command.MY_PROFILE,
    "profile": Command.MY_PROFILE,
    "about me": Command.MY_PROFILE,
    "my queue": Command.MY_QUEUE,
    "queue": Command.MY_QUEUE,
    "triage": Command.TRIAGE,
    "find": Command.FIND,
    "search": Command.SEARCH,
    "search ideas": Command.SEARCH,
    "search earlier ideas": Command.SEARCH,
    "deferred": Command.DEFERRED,
    "deferred ideas": Command.DEFERRED,
    "deferred register": Command.DEFERRED,
    "digest": Command.DIGEST,
    "you said we did": Command.DIGEST,
    "pmo": Command.PMO,
    "pmo hub": Command.PMO,
    "report": Command.REPORT,
    "reports": Command.REPORT,
    "board pack": Command.REPORT,
    "monthly report": Command.REPORT,
    "campaigns": Command.CAMPAIGNS,
    "campaign": Command.CAMPAIGNS,
    "calls for ideas": Command.CAMPAIGNS,
    "campaign new": Command.NEW_CAMPAIGN,
    "new campaign": Command.NEW_CAMPAIGN,
    "stop campaigns": Command.STOP_CAMPAIGNS,
    "stop campaign calls": Command.STOP_CAMPAIGNS,
    "start campaigns": Command.START_CAMPAIGNS,
    "start campaign calls": Command.START_CAMPAIGNS,
    "resume campaigns": Command.START_CAMPAIGNS,
    "initiatives": Command.INITIATIVES,
    "known initiatives": Command.INITIATIVES,
    "initiative register": Command.INITIATIVES,
    "initiative new": Command.NEW_INITIATIVE,
    "new initiative": Command.NEW_INITIATIVE,
    "add initiative": Command.NEW_INITIATIVE,
    "add an initiative": Command.NEW_INITIATIVE,
}
# Commands that take an idea reference after them: "status IIP-2026-0042".
_WITH_REFERENCE = {"status": Command.STATUS, "withdraw": Command.WITHDRAW}
# Commands that take any text after them: "find notebooks", "search custody handovers".
_WITH_TEXT = {"find": Command.FIND, "search": Command.SEARCH}

# Linear in the text (tests/unit/test_linear_patterns.py): a mention's name holds no "<" (Teams
# escapes it), so each attempt reads only to the next "<", and nothing is read twice.
_MENTION = re.compile(r"<at>[^<]*+</at>", re.IGNORECASE)
_TRAILING_PUNCTUATION = re.compile(r"(?<=\w)[.!?]++$")
# Longer than any command with its mentions: a longer message is never one, and is not read.
MAX_COMMAND_LENGTH = 1000


def normalise(text: str | None) -> str:
    """Lower-case `text` with @mentions, surplus spaces and closing punctuation removed; empty
    for a message too long to be a command."""
    if text is None or len(text) > MAX_COMMAND_LENGTH:
        return ""
    without_mentions = _MENTION.sub(" ", text)
    words = " ".join(without_mentions.split()).lower()
    return _TRAILING_PUNCTUATION.sub("", words).strip()


def parse_command(text: str | None) -> Command:
    """Map a typed message to a command; anything unrecognised is UNKNOWN, never an error."""
    return command_of(normalise(text))


def command_of(words: str) -> Command:
    """The command of a message already normalised."""
    if words in _WORDS:
        return _WORDS[words]
    first, _, _rest = words.partition(" ")
    if first in _WITH_REFERENCE:
        # With no well-formed reference after it, the person is shown their ideas to pick from.
        return _WITH_REFERENCE[first]
    return _WITH_TEXT.get(first, Command.UNKNOWN)


def command_text(text: str | None) -> str:
    """What follows the command's first word, as typed (case kept, @mentions removed)."""
    words = _MENTION.sub(" ", text or "").strip()
    return words.partition(" ")[2].strip() if " " in words else ""
