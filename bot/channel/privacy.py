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

TEAMS_CHAT_LINK = "https://teams.microsoft.com/l/chat/0/0?users="


def is_shared(kind: ConversationKind) -> bool:
    return kind is not ConversationKind.PERSONAL


def private_chat_link(app_id: str) -> str | None:
    """Teams' deep link that opens the person's 1:1 chat with the bot; None without an app id
    (an anonymous local run), where only the message sent to the 1:1 chat leads there."""
    app_id = app_id.strip()
    return f"{TEAMS_CHAT_LINK}{quote(f'28:{app_id}', safe=':')}" if app_id else None
