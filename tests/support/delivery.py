"""In-memory stand-ins for what the delivery worker talks to: the outbox queue, the address
book, the messenger, and a monotonic clock that moves only when slept on."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Self

from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.audit import AuditEntry
from bot.domain.messages import CardMessage
from bot.domain.outbox import (
    Delivery,
    DeliveryState,
    MessageKind,
    Recipient,
    SendsElsewhere,
    SentActivity,
)
from bot.services.ports import Clock, SendResult

TENANT = "tenant-t"
SERVICE_URL = "https://smba.trafficmanager.net/uk/"


def personal(name: str, tenant: str = TENANT) -> ConversationAddress:
    return ConversationAddress(
        conversation_id=f"a:{name}", kind=ConversationKind.PERSONAL, service_url=SERVICE_URL,
        tenant_id=tenant, bot_id="28:bot", object_id=f"oid-{name}", user_id=f"29:{name}")


def channel(name: str) -> ConversationAddress:
    return ConversationAddress(
        conversation_id=f"19:{name}@thread.tacv2", kind=ConversationKind.CHANNEL,
        service_url=SERVICE_URL, tenant_id=TENANT, bot_id="28:bot", team_id="19:team")


class FakeTime:
    """A monotonic clock that moves only when slept on; `while_asleep` holds what happens in
    the world during each sleep, in turn."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []
        self.while_asleep: list[Callable[[], object]] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        if self.while_asleep:
            self.while_asleep.pop(0)()


@dataclass
class Store:
    """What the database would hold, and how often it was asked."""

    addresses: dict[str, ConversationAddress] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    audit: list[AuditEntry] = field(default_factory=list)
    reads: int = 0
    commits: int = 0

    def reachable(self) -> list[ConversationAddress]:
        return [a for c, a in self.addresses.items() if c not in self.removed]


class FakeAddressBook:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def remember(self, address: ConversationAddress, seen_at: datetime) -> bool:
        new = address.conversation_id not in self._store.addresses
        self._store.addresses[address.conversation_id] = address
        self._store.removed.discard(address.conversation_id)
        return new

    async def mark_removed(self, conversation_id: str, at: datetime) -> None:
        self._store.removed.add(conversation_id)

    async def personal_address(self, object_id: str) -> ConversationAddress | None:
        self._store.reads += 1
        found = [a for a in self._store.reachable()
                 if a.kind is ConversationKind.PERSONAL and a.object_id == object_id]
        return found[-1] if found else None

    async def address(self, conversation_id: str) -> ConversationAddress | None:
        self._store.reads += 1
        if conversation_id in self._store.removed:
            return None
        return self._store.addresses.get(conversation_id)

    async def latest_in_tenant(self, tenant_id: str | None) -> ConversationAddress | None:
        self._store.reads += 1
        found = [a for a in self._store.reachable() if a.tenant_id == tenant_id]
        return found[-1] if found else None

    async def addresses_for(
        self, recipients: Iterable[Recipient]
    ) -> dict[Recipient, ConversationAddress]:
        self._store.reads += 1
        known: dict[Recipient, ConversationAddress] = {}
        for recipient in recipients:
            if recipient.conversation_id:
                address = self._store.addresses.get(recipient.conversation_id)
                if address is not None and recipient.conversation_id not in self._store.removed:
                    known[recipient] = address
            else:
                found = [a for a in self._store.reachable()
                         if a.object_id == recipient.object_id]
                if found:
                    known[recipient] = found[-1]
        return known


class FakeAuditLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def record(self, entry: AuditEntry) -> None:
        self._store.audit.append(entry)


class FakeUnitOfWork:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.addresses = FakeAddressBook(store)
        self.audit = FakeAuditLog(store)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        return None

    async def commit(self) -> None:
        self._store.commits += 1


class FakeMessenger:
    """Opens 1:1 chats (or refuses to, with `refusal`) and sends: 201 unless `answer` gave a
    conversation other answers first."""

    def __init__(self, refusal: SendResult | None = None) -> None:
        self.refusal = refusal
        self.opened: list[tuple[str, str | None, ConversationAddress]] = []
        self.sent: list[tuple[str, str]] = []  # (conversation id, the card's summary)
        self.replaced: list[tuple[str, str, str]] = []  # (conversation, activity, summary)
        self._answers: dict[str, list[SendResult]] = {}

    def answer(self, conversation_id: str, *results: SendResult) -> None:
        """The next sends to this conversation are answered so, in turn."""
        self._answers.setdefault(conversation_id, []).extend(results)

    async def open_personal_chat(
        self, object_id: str, tenant_id: str | None, via: ConversationAddress
    ) -> tuple[SendResult, ConversationAddress | None]:
        self.opened.append((object_id, tenant_id, via))
        if self.refusal is not None:
            return self.refusal, None
        opened = replace(via, conversation_id=f"a:new-{object_id}",
                         kind=ConversationKind.PERSONAL, object_id=object_id,
                         user_id=f"29:{object_id}", tenant_id=tenant_id)
        return SendResult(status=201), opened

    async def send(self, address: ConversationAddress, message: CardMessage) -> SendResult:
        waiting = self._answers.get(address.conversation_id)
        result = waiting.pop(0) if waiting else SendResult(
            status=201, activity_id=f"activity-{len(self.sent) + 1}")
        if result.status is not None and 200 <= result.status < 300:
            self.sent.append((address.conversation_id, message.summary))
        return result

    async def replace(self, address: ConversationAddress, activity_id: str,
                      message: CardMessage) -> SendResult:
        self.replaced.append((address.conversation_id, activity_id, message.summary))
        return SendResult(status=200, activity_id=activity_id)


def card(key: str) -> CardMessage:
    return CardMessage(card={"type": "AdaptiveCard", "version": "1.5", "body": []},
                       summary=key, fallback_text=key)


@dataclass
class Row:
    """One message in the in-memory outbox; its card's summary is its key."""

    id: int
    recipient: Recipient
    message: CardMessage
    not_before: datetime
    replaces_id: int | None = None
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    owner: str | None = None
    leased_until: datetime | None = None
    last_error: str | None = None
    unreachable: bool = False
    conversation_id: str | None = None
    activity_id: str | None = None
    sent_at: datetime | None = None
    sent_by: str | None = None


class MemoryQueue:
    """The worker's side of an outbox held in memory, claimed in order as the real one is."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.rows: dict[int, Row] = {}
        self.claims = 0

    def add(self, recipient: Recipient | str, key: str, *, replaces: str | None = None) -> int:
        if isinstance(recipient, str):
            recipient = Recipient.conversation(recipient)
        row_id = len(self.rows) + 1
        self.rows[row_id] = Row(row_id, recipient, card(key), self._clock.now(),
                                self[replaces].id if replaces else None)
        return row_id

    def __getitem__(self, key: str) -> Row:
        (row,) = [r for r in self.rows.values() if r.message.summary == key]
        return row

    async def claim(self, owner: str, now: datetime, limit: int,
                    lease: timedelta) -> list[Delivery]:
        self.claims += 1
        due = [r for r in self.rows.values()
               if (r.state is DeliveryState.PENDING and r.not_before <= now)
               or (r.state is DeliveryState.SENDING and r.leased_until is not None
                   and r.leased_until < now)]
        claimed: list[Delivery] = []
        for row in sorted(due, key=lambda r: (r.not_before, r.id))[:limit]:
            row.state, row.owner, row.leased_until = DeliveryState.SENDING, owner, now + lease
            claimed.append(Delivery(row.id, row.recipient, MessageKind.NOTICE, row.message,
                                    row.attempts, row.replaces_id, row.leased_until))
        return claimed

    async def renew(self, delivery_id: int, owner: str, until: datetime) -> bool:
        row = self._held(delivery_id, owner)
        if row is not None:
            row.leased_until = until
        return row is not None

    async def sent(self, delivery_id: int, owner: str, at: datetime, conversation_id: str,
                   activity_id: str | None) -> None:
        if (row := self._finish(delivery_id, owner, DeliveryState.SENT)) is not None:
            row.attempts += 1
            row.last_error, row.conversation_id, row.activity_id = (
                None, conversation_id, activity_id)
            row.sent_at, row.sent_by = at, owner

    async def retry(self, delivery_id: int, owner: str, not_before: datetime,
                    error: str | None, *, count_attempt: bool = True) -> None:
        if (row := self._finish(delivery_id, owner, DeliveryState.PENDING)) is not None:
            row.not_before = not_before
            row.attempts += 1 if count_attempt else 0
            row.last_error = error if error is not None else row.last_error

    async def dead(self, delivery_id: int, owner: str, error: str, *,
                   unreachable: bool = False) -> None:
        if (row := self._finish(delivery_id, owner, DeliveryState.DEAD)) is not None:
            row.attempts += 1
            row.last_error = error
            row.unreachable = unreachable

    async def sent_activity(self, delivery_id: int) -> SentActivity | None:
        row = self.rows.get(delivery_id)
        if row is None:
            return None
        return SentActivity(row.state, row.conversation_id, row.activity_id)

    async def sends_elsewhere(self, owner: str, conversations: Collection[str],
                              since: datetime, active_since: datetime) -> SendsElsewhere:
        sent = sorted((r for r in self.rows.values()
                       if r.sent_at is not None and r.sent_by != owner),
                      key=lambda r: r.sent_at or since)
        to_conversation: dict[str, list[datetime]] = {}
        for row in sent:
            if row.conversation_id in conversations and row.sent_at and row.sent_at > since:
                to_conversation.setdefault(row.conversation_id, []).append(row.sent_at)
        senders = {row.sent_by for row in sent
                   if row.sent_at and row.sent_at > active_since and row.sent_by}
        return SendsElsewhere(to_conversation, len(senders))

    def _held(self, delivery_id: int, owner: str) -> Row | None:
        row = self.rows[delivery_id]
        if row.owner != owner or row.state is not DeliveryState.SENDING:
            return None
        return row

    def _finish(self, delivery_id: int, owner: str, state: DeliveryState) -> Row | None:
        row = self._held(delivery_id, owner)
        if row is not None:
            row.state, row.owner, row.leased_until = state, None, None
        return row
