"""Where a message goes, with an in-memory address book and messenger: the resolver answers
with an outcome (an address, give up, or a failure to open a chat) and acts on none itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Self

import pytest

from bot.delivery.failures import GiveUp
from bot.delivery.resolver import AddressResolver, OpenFailed, Resolved
from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.audit import AuditEntry
from bot.domain.messages import CardMessage
from bot.domain.outbox import Recipient
from bot.services.ports import SendResult

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
    """Opens 1:1 chats (or refuses to, with `refusal`); sends nothing."""

    def __init__(self, refusal: SendResult | None = None) -> None:
        self.refusal = refusal
        self.opened: list[tuple[str, str | None, ConversationAddress]] = []

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
        raise AssertionError("the resolver sends nothing")

    async def replace(self, address: ConversationAddress, activity_id: str,
                      message: CardMessage) -> SendResult:
        raise AssertionError("the resolver sends nothing")


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def messenger() -> FakeMessenger:
    return FakeMessenger()


def resolver_for(store: Store, messenger: FakeMessenger, clock, **defaults: str
                 ) -> AddressResolver:
    return AddressResolver(lambda: FakeUnitOfWork(store), messenger, clock, **defaults)


def known(store: Store, *addresses: ConversationAddress) -> None:
    for address in addresses:
        store.addresses[address.conversation_id] = address


async def test_a_stored_conversation_and_a_persons_stored_chat(store, messenger, clock) -> None:
    alex, news = personal("alex"), channel("news")
    known(store, alex, news)
    resolver = resolver_for(store, messenger, clock)

    assert await resolver.resolve(Recipient.conversation(news.conversation_id)) == Resolved(news)
    assert await resolver.resolve(Recipient.person("oid-alex", TENANT)) == Resolved(alex)
    assert messenger.opened == []


async def test_a_batch_is_read_ahead_in_one_query(store, messenger, clock) -> None:
    alex, blake = personal("alex"), personal("blake")
    known(store, alex, blake)
    resolver = resolver_for(store, messenger, clock)
    batch = [Recipient.conversation(alex.conversation_id), Recipient.person("oid-blake")]

    await resolver.read_ahead(batch)
    resolved = [await resolver.resolve(recipient) for recipient in batch]

    assert resolved == [Resolved(alex), Resolved(blake)]
    assert store.reads == 1


async def test_an_empty_batch_reads_nothing(store, messenger, clock) -> None:
    await resolver_for(store, messenger, clock).read_ahead([])

    assert store.reads == 0


async def test_what_was_read_ahead_is_forgotten_once_a_chat_is_closed(store, messenger,
                                                                       clock) -> None:
    """A person who blocked the bot while the batch was under way is not sent to again."""
    alex = personal("alex")
    known(store, alex)
    resolver = resolver_for(store, messenger, clock)
    await resolver.read_ahead([Recipient.conversation(alex.conversation_id)] * 2)

    await resolver.mark_unreachable(alex, "403: ConversationBlockedByUser")

    assert await resolver.resolve(Recipient.conversation(alex.conversation_id)) == GiveUp(
        "the conversation is unknown or the app was removed")


async def test_what_was_read_ahead_is_forgotten_once_a_chat_is_opened_again(store, messenger,
                                                                            clock) -> None:
    alex = personal("alex")
    known(store, alex)
    resolver = resolver_for(store, messenger, clock)
    await resolver.read_ahead([Recipient.person("oid-alex")])

    _result, reopened = await resolver.reopen(alex)
    store.removed.add(alex.conversation_id)  # the old chat is gone

    assert reopened is not None
    assert await resolver.resolve(Recipient.person("oid-alex")) == Resolved(reopened)


async def test_an_unknown_conversation_is_given_up(store, messenger, clock) -> None:
    resolver = resolver_for(store, messenger, clock)

    assert await resolver.resolve(Recipient.conversation("19:gone")) == GiveUp(
        "the conversation is unknown or the app was removed")
    assert messenger.opened == []


async def test_a_configured_channel_that_never_spoke_is_reached_through_its_tenant(
        store, messenger, clock) -> None:
    alex = personal("alex")
    known(store, alex)
    resolver = resolver_for(store, messenger, clock)

    outcome = await resolver.resolve(Recipient.channel("19:news@thread.tacv2", TENANT))

    assert outcome == Resolved(replace(alex, conversation_id="19:news@thread.tacv2",
                                       kind=ConversationKind.CHANNEL, object_id=None,
                                       user_id=None))
    assert await resolver_for(store, messenger, clock).resolve(
        Recipient.channel("19:news@thread.tacv2", "another-tenant")) == GiveUp(
            "the conversation is unknown or the app was removed")


async def test_a_person_without_a_chat_gets_one_opened_through_their_tenant(
        store, messenger, clock) -> None:
    blake = personal("blake")
    known(store, blake)
    resolver = resolver_for(store, messenger, clock)

    outcome = await resolver.resolve(Recipient.person("oid-casey", TENANT))

    assert messenger.opened == [("oid-casey", TENANT, blake)]
    assert isinstance(outcome, Resolved)
    assert outcome.address.object_id == "oid-casey"
    # Remembered, so the next message to Casey finds the chat.
    assert store.addresses[outcome.address.conversation_id] == outcome.address
    assert store.commits == 1


async def test_with_no_address_in_the_tenant_the_default_service_url_serves(
        store, messenger, clock) -> None:
    resolver = resolver_for(store, messenger, clock, default_service_url=SERVICE_URL,
                            bot_id="28:bot")

    outcome = await resolver.resolve(Recipient.person("oid-casey", TENANT))

    ((_, _, via),) = messenger.opened
    assert (via.service_url, via.bot_id, via.tenant_id) == (SERVICE_URL, "28:bot", TENANT)
    assert isinstance(outcome, Resolved)


@pytest.mark.parametrize("defaults", [{}, {"default_service_url": SERVICE_URL},
                                      {"bot_id": "28:bot"}])
async def test_with_nowhere_to_open_a_chat_the_message_is_given_up(
        defaults: dict[str, str], store, messenger, clock) -> None:
    resolver = resolver_for(store, messenger, clock, **defaults)

    assert await resolver.resolve(Recipient.person("oid-casey", TENANT)) == GiveUp(
        "no 1:1 chat with this person and no service URL")
    assert messenger.opened == []


async def test_a_chat_that_cannot_be_opened_is_a_failure_for_the_caller_to_weigh(
        store, clock) -> None:
    known(store, personal("blake"))
    refusal = SendResult(status=403, error="ForbiddenOperationException")
    resolver = resolver_for(store, FakeMessenger(refusal), clock)

    assert await resolver.resolve(Recipient.person("oid-casey", TENANT)) == OpenFailed(refusal)
    assert store.commits == 0


async def test_reopening_a_gone_chat_remembers_the_new_one(store, messenger, clock) -> None:
    alex = personal("alex")
    known(store, alex)
    resolver = resolver_for(store, messenger, clock)

    result, opened = await resolver.reopen(alex)

    assert result.status == 201
    assert messenger.opened == [("oid-alex", TENANT, alex)]
    assert opened is not None and store.addresses[opened.conversation_id] == opened


async def test_a_chat_that_cannot_be_reopened_is_said_and_nothing_remembered(store,
                                                                             clock) -> None:
    alex = personal("alex")
    refusal = SendResult(status=404)
    resolver = resolver_for(store, FakeMessenger(refusal), clock)

    assert await resolver.reopen(alex) == (refusal, None)
    assert store.addresses == {}


async def test_a_closed_chat_is_marked_and_audited_with_the_reason(store, messenger,
                                                                   clock) -> None:
    alex = personal("alex")
    known(store, alex)

    await resolver_for(store, messenger, clock).mark_unreachable(
        alex, "403: ConversationBlockedByUser")

    assert store.removed == {alex.conversation_id}
    (entry,) = store.audit
    assert (entry.action, entry.subject, entry.at, entry.detail) == (
        "conversation.unreachable", alex.conversation_id, clock.now(),
        {"reason": "403: ConversationBlockedByUser"})
    assert store.commits == 1


async def test_the_stored_address_of_a_conversation(store, messenger, clock) -> None:
    news = channel("news")
    known(store, news)
    resolver = resolver_for(store, messenger, clock)

    assert await resolver.stored(news.conversation_id) == news
    assert await resolver.stored("19:gone") is None
