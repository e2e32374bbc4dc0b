"""Messages the portal owes people: who each is for, what it says, and where it stands.

Every proactive message is written to the outbox in the same transaction as the change that
owes it, then delivered by a worker that retries, paces itself and records the outcome (how
it does so with Teams is bot.delivery's business).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.messages import CardMessage


class MessageKind(StrEnum):
    WELCOME = "welcome"
    FEEDBACK = "feedback"
    RECEIPT = "receipt"
    STATUS = "status"
    REMINDER = "reminder"
    CAMPAIGN = "campaign"
    DIGEST = "digest"  # the workforce's "you said, we did"
    NOTICE = "notice"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    CANCELLED = "cancelled"  # its batch was called off before it was sent; never claimed


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
    """One message to queue. The same `dedupe_key` is only ever queued once.

    A message in a `batch` (a campaign's broadcast, say) is bulk: it can be counted and
    called off with the rest of its batch, and interactive messages (in no batch) due at the
    same time go before it."""

    recipient: Recipient
    kind: MessageKind
    dedupe_key: str
    message: CardMessage
    not_before: datetime | None = None
    batch: str | None = None


@dataclass(frozen=True, slots=True)
class BatchProgress:
    """Where a batch's messages stand, each counted once: `failing` are waiting to be tried
    again after an error, `pending` the rest still waiting, `sending` those in flight."""

    pending: int = 0
    sending: int = 0
    sent: int = 0
    failing: int = 0
    dead: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return (self.pending + self.sending + self.sent + self.failing + self.dead
                + self.cancelled)

    @property
    def finished(self) -> bool:
        """Nothing of the batch is left to send or to try again."""
        return not (self.pending or self.sending or self.failing)


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
    batch: str | None = None  # the bulk send it belongs to; None for an interactive message


@dataclass(frozen=True, slots=True)
class SendsElsewhere:
    """What other workers sent lately, read when a worker claims a batch: when they sent to
    each of the batch's chats (a chat passes from worker to worker, and its limits hold across
    the hand-over), and how many of them are sending now (they share the tenant's rate: the
    bot is registered in one tenant)."""

    to_conversation: Mapping[str, Sequence[datetime]]
    senders: int


@dataclass(frozen=True, slots=True)
class SentActivity:
    """Where an earlier message went, so that its card can be replaced."""

    state: DeliveryState
    conversation_id: str | None
    activity_id: str | None
