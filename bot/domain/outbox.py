"""Messages the portal owes people, and the rules for delivering them.

Every proactive message is written to the outbox in the same transaction as the change that
owes it, then delivered by a worker that retries, paces itself and records the outcome.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.messages import CardMessage

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 600.0


class MessageKind(StrEnum):
    WELCOME = "welcome"
    FEEDBACK = "feedback"
    RECEIPT = "receipt"
    STATUS = "status"
    REMINDER = "reminder"
    CAMPAIGN = "campaign"
    NOTICE = "notice"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a message is for: a stored conversation, or a person to open a 1:1 chat with.

    `conversation_id` names one of our stored addresses. Without it, `object_id` and
    `tenant_id` identify a person; the worker uses their latest 1:1 chat, or creates one.
    """

    conversation_id: str | None = None
    object_id: str | None = None
    tenant_id: str | None = None

    def __post_init__(self) -> None:
        if not self.conversation_id and not self.object_id:
            raise ValueError("a recipient needs a conversation id or a person's object id")

    @classmethod
    def conversation(cls, conversation_id: str) -> Recipient:
        return cls(conversation_id=conversation_id)

    @classmethod
    def person(cls, object_id: str, tenant_id: str | None = None) -> Recipient:
        return cls(object_id=object_id, tenant_id=tenant_id)

    @classmethod
    def channel(cls, conversation_id: str, tenant_id: str | None) -> Recipient:
        """A team channel named in configuration (such as the news channel): reached through
        its stored address, or, before it has one, through the tenant's service URL."""
        return cls(conversation_id=conversation_id, tenant_id=tenant_id)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message to queue. The same `dedupe_key` is only ever queued once."""

    recipient: Recipient
    kind: MessageKind
    dedupe_key: str
    message: CardMessage
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """A queued message claimed by a worker, with what it needs to send it."""

    id: int
    recipient: Recipient
    kind: MessageKind
    message: CardMessage
    attempts: int
    replaces_id: int | None = None
    leased_until: datetime | None = None  # the claim's lease, as it was taken


@dataclass(frozen=True, slots=True)
class SentActivity:
    """Where an earlier message went, so that its card can be replaced."""

    state: DeliveryState
    conversation_id: str | None
    activity_id: str | None


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


def backoff_seconds(attempt: int, rng: random.Random | None = None, *,
                    base: float | None = None, cap: float | None = None) -> float:
    """How long to wait before attempt `attempt + 1`: exponential, capped, with jitter.

    The jitter spreads retries over the second half of the window so that messages that
    failed together do not all come back together. `base` and `cap` default to
    BACKOFF_BASE_SECONDS and BACKOFF_CAP_SECONDS.
    """
    base = BACKOFF_BASE_SECONDS if base is None else base
    cap = BACKOFF_CAP_SECONDS if cap is None else cap
    ceiling = min(cap, base * 2 ** min(max(0, attempt - 1), 64))
    return ceiling * (0.5 + 0.5 * (rng or random).random())
