"""What an answer from the Bot Connector means for a message: its HTTP status and error code."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """What an answer from the Bot Connector means for the message."""

    SENT = "sent"
    RETRY = "retry"  # a passing fault: try again later
    THROTTLED = "throttled"  # 429: slow the whole tenant, then try again
    UNREACHABLE = "unreachable"  # 403 for this chat: the person blocked or removed the app
    SUSPENDED = "suspended"  # 403 for the bot itself: pause the tenant, keep the messages
    RECREATE = "recreate"  # 404: the conversation is gone; open a new one once
    DEAD = "dead"  # will not get better by trying again


# 401 comes here after the messenger tried a fresh token: the app's credentials are wrong
# or being changed, which an operator can put right before the attempts run out.
_RETRIED = frozenset({401, 408, 412, 500, 502, 503, 504})


# 403 error codes (Microsoft's "Status codes from bot conversational APIs") that close one
# conversation: the person blocked the bot, or the app is not installed there any more.
_CHAT_CLOSED = frozenset(code.casefold() for code in (
    "ConversationBlockedByUser", "BotNotInConversationRoster", "MessageWritesBlocked",
    "ForbiddenOperationException",
))
# 403s that refuse this message only: not enough permission for it, or the wrong host for a
# government tenant. Trying again will not help; the chat itself is not closed.
_MESSAGE_REFUSED = frozenset(code.casefold() for code in (
    "NotEnoughPermissions", "InvalidBotApiHost",
))
# Any other 403, "BotDisabledByAdmin" or one with no code at all, refuses the bot itself: its
# credentials or its app, in every chat of the tenant. Such a refusal must not close every
# chat and give up every message: the tenant is paused until it is put right.

# Not an answer from the Bot Connector: the messenger would not send the bot's token there.
SERVICE_URL_REFUSED = "ServiceUrlNotAllowed"


def classify(status: int | None, code: str | None = None) -> Verdict:
    """The verdict for an HTTP status and the Bot Connector's error code; a status of None
    stands for a network error or time-out."""
    if status is None:
        return Verdict.DEAD if code == SERVICE_URL_REFUSED else Verdict.RETRY
    if status in _RETRIED:
        return Verdict.RETRY
    if 200 <= status < 300:
        return Verdict.SENT
    if status == 429:
        return Verdict.THROTTLED
    if status == 403:
        code = (code or "").casefold()
        if code in _CHAT_CLOSED:
            return Verdict.UNREACHABLE
        return Verdict.DEAD if code in _MESSAGE_REFUSED else Verdict.SUSPENDED
    if status == 404:
        return Verdict.RECREATE
    return Verdict.DEAD
