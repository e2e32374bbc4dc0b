"""Where a message goes, with an in-memory address book and messenger: the resolver answers
with an outcome (an address, give up, or a failure to open a chat) and acts on none itself."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.delivery import (
    SERVICE_URL,
    TENANT,
    FakeMessenger,
    FakeUnitOfWork,
    Store,
    channel,
    personal,
)

from bot.delivery.failures import GiveUp
from bot.delivery.resolver import AddressResolver, OpenFailed, Resolved
from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.outbox import Recipient
from bot.services.ports import SendResult


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
    batch = [Recipient.conversation(alex.conversation_id), Recipient.person("oid-blake"),
             Recipient.conversation("19:news@thread.tacv2")]  # not stored: given up later

    going_to = await resolver.read_ahead(batch)
    resolved = [await resolver.resolve(recipient) for recipient in batch[:2]]

    assert resolved == [Resolved(alex), Resolved(blake)]
    assert store.reads == 1
    # Where the batch goes, as far as is known before sending: blake's 1:1 chat too.
    assert going_to == {alex.conversation_id, blake.conversation_id, "19:news@thread.tacv2"}


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
