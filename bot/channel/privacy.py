"""What may be done in a shared conversation (a team channel or a group chat).

Everyone in a shared conversation reads what the bot says there, so it answers there only what
is the same for everyone: the welcome, help and the feedback form. Each request says so itself
(`answered_in_shared`, bot.domain.requests); everything else, typed or pressed, and any command
or button added later, is private by default: the person is asked to carry on in their 1:1
chat with the bot, and nothing of theirs is posted where others read it.
"""

from __future__ import annotations

from urllib.parse import quote

from bot.domain.addresses import ConversationKind
from bot.domain.commands import Command
from bot.domain.errors import Malformed
from bot.domain.requests import parse_typed
from cards.requests import parse_card

TEAMS_CHAT_LINK = "https://teams.microsoft.com/l/chat/0/0?users="


def is_shared(kind: ConversationKind) -> bool:
    return kind is not ConversationKind.PERSONAL


def may_answer_in_shared(command: Command) -> bool:
    """Whether a typed command may be answered where others read it."""
    return parse_typed(command.value).request.answered_in_shared


def may_press_in_shared(action: str) -> bool:
    """Whether a button's action id may be answered where others read it."""
    try:
        return parse_card({"action": action}).answered_in_shared
    except Malformed:
        return False


def private_chat_link(app_id: str) -> str | None:
    """Teams' deep link that opens the person's 1:1 chat with the bot; None without an app id
    (an anonymous local run), where only the message sent to the 1:1 chat leads there."""
    app_id = app_id.strip()
    return f"{TEAMS_CHAT_LINK}{quote(f'28:{app_id}', safe=':')}" if app_id else None
