"""What a shared conversation may answer, asked the way the bot asks it: each request says so
itself, after the same parsing a typed word or a pressed button gets."""

from __future__ import annotations

from bot.domain.commands import Command
from bot.domain.errors import Malformed
from bot.domain.requests import parse_typed
from cards.requests import parse_card


def may_answer_in_shared(command: Command) -> bool:
    """Whether a typed command is answered where others read it."""
    return parse_typed(command.value).request.answered_in_shared


def may_press_in_shared(action: str) -> bool:
    """Whether a button's action id is answered where others read it."""
    try:
        return parse_card({"action": action}).answered_in_shared
    except Malformed:
        return False
