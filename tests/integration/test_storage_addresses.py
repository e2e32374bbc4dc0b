"""SqlAddressBook: where the bot can reach each conversation, kept fresh but rarely rewritten."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from support.tables import rows

from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.services.conversations import ConversationService
from storage import tables
from storage.uow import SqlUnitOfWork, unit_of_work_factory

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
ALEX = "00000000-0000-0000-0000-0000000000020"

PERSONAL = ConversationAddress(
    conversation_id="a:1personal-alex",
    kind=ConversationKind.PERSONAL,
    service_url="https://smba.trafficmanager.net/uk/",
    tenant_id="50612dbb-0237-4969-b378-8d42590f9c00",
    bot_id="28:bot-app-id",
    object_id=ALEX,
    user_id="29:1alex",
)
CHANNEL = ConversationAddress(
    conversation_id="19:announcements@thread.tacv2",
    kind=ConversationKind.CHANNEL,
    service_url="https://smba.trafficmanager.net/uk/",
    tenant_id="50612dbb-0237-4969-b378-8d42590f9c00",
    bot_id="28:bot-app-id",
    team_id="19:team@thread.tacv2",
)


async def remember(engine: AsyncEngine, address: ConversationAddress, at: datetime) -> bool:
    async with SqlUnitOfWork(engine) as uow:
        is_new = await uow.addresses.remember(address, at)
        await uow.commit()
    return is_new


async def mark_removed(engine: AsyncEngine, conversation_id: str, at: datetime) -> None:
    async with SqlUnitOfWork(engine) as uow:
        await uow.addresses.mark_removed(conversation_id, at)
        await uow.commit()


async def personal_address(engine: AsyncEngine, object_id: str) -> ConversationAddress | None:
    async with SqlUnitOfWork(engine) as uow:
        return await uow.addresses.personal_address(object_id)


async def stored(engine: AsyncEngine, conversation_id: str) -> dict:
    (row,) = await rows(engine, tables.conversation_addresses,
                        tables.conversation_addresses.c.conversation_id == conversation_id)
    return row


async def test_an_address_is_new_only_the_first_time(engine: AsyncEngine) -> None:
    assert await remember(engine, PERSONAL, T0) is True
    assert await remember(engine, PERSONAL, T0 + timedelta(minutes=1)) is False
    assert await remember(engine, PERSONAL, T0 + timedelta(days=3)) is False
    row = await stored(engine, PERSONAL.conversation_id)
    assert row["first_seen_at"] == T0
    assert row["kind"] == "personal"
    assert (row["object_id"], row["user_id"]) == (ALEX, "29:1alex")


async def test_nothing_is_kept_when_the_transaction_is_not_committed(
        engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.addresses.remember(PERSONAL, T0) is True
    assert await rows(engine, tables.conversation_addresses) == []
    assert await remember(engine, PERSONAL, T0) is True


async def test_an_unchanged_address_is_not_rewritten_within_the_hour(
        engine: AsyncEngine) -> None:
    await remember(engine, PERSONAL, T0)
    await remember(engine, PERSONAL, T0 + timedelta(minutes=59))
    assert (await stored(engine, PERSONAL.conversation_id))["last_seen_at"] == T0
    await remember(engine, PERSONAL, T0 + timedelta(minutes=61))
    row = await stored(engine, PERSONAL.conversation_id)
    assert row["last_seen_at"] == T0 + timedelta(minutes=61)
    assert row["first_seen_at"] == T0


async def test_a_changed_service_url_is_stored_at_once(engine: AsyncEngine) -> None:
    await remember(engine, PERSONAL, T0)
    moved = dataclasses.replace(PERSONAL, service_url="https://smba.trafficmanager.net/emea/")
    assert await remember(engine, moved, T0 + timedelta(minutes=5)) is False
    row = await stored(engine, PERSONAL.conversation_id)
    assert row["service_url"] == "https://smba.trafficmanager.net/emea/"
    assert row["last_seen_at"] == T0 + timedelta(minutes=5)
    assert (await personal_address(engine, ALEX)) == moved


async def test_the_personal_address_is_the_newest_reachable_one(engine: AsyncEngine) -> None:
    assert await personal_address(engine, ALEX) is None
    older = dataclasses.replace(PERSONAL, conversation_id="a:1old-chat")
    await remember(engine, older, T0)
    await remember(engine, PERSONAL, T0 + timedelta(days=1))
    await remember(engine, CHANNEL, T0 + timedelta(days=2))
    assert await personal_address(engine, ALEX) == PERSONAL
    assert await personal_address(engine, "someone-else") is None

    await mark_removed(engine, PERSONAL.conversation_id, T0 + timedelta(days=3))
    assert await personal_address(engine, ALEX) == older
    await mark_removed(engine, older.conversation_id, T0 + timedelta(days=3))
    assert await personal_address(engine, ALEX) is None
    row = await stored(engine, PERSONAL.conversation_id)
    assert row["removed_at"] == T0 + timedelta(days=3)      # kept, marked, not deleted


async def test_an_address_seen_again_after_removal_is_reachable_again(
        engine: AsyncEngine) -> None:
    await remember(engine, PERSONAL, T0)
    await mark_removed(engine, PERSONAL.conversation_id, T0 + timedelta(minutes=1))
    assert await personal_address(engine, ALEX) is None
    assert await remember(engine, PERSONAL, T0 + timedelta(minutes=2)) is False
    assert await personal_address(engine, ALEX) == PERSONAL
    assert (await stored(engine, PERSONAL.conversation_id))["removed_at"] is None


@pytest.mark.parametrize("kind", [ConversationKind.CHANNEL, ConversationKind.GROUP_CHAT])
async def test_a_shared_conversation_never_stores_a_persons_ids(
        engine: AsyncEngine, kind: ConversationKind) -> None:
    # Whoever spoke in a channel or group chat, the address is not theirs.
    spoken = dataclasses.replace(CHANNEL, kind=kind, object_id=ALEX, user_id="29:1alex")
    await remember(engine, spoken, T0)
    other = dataclasses.replace(spoken, object_id="00000000-0000-0000-0000-0000000000021",
                                user_id="29:1megan", service_url="https://elsewhere/")
    await remember(engine, other, T0 + timedelta(hours=2))
    row = await stored(engine, CHANNEL.conversation_id)
    assert (row["object_id"], row["user_id"]) == (None, None)
    assert row["service_url"] == "https://elsewhere/"
    assert await personal_address(engine, ALEX) is None


async def test_first_contact_is_audited_once(engine: AsyncEngine, clock) -> None:
    service = ConversationService(unit_of_work_factory(engine), clock)
    assert await service.remember(PERSONAL) is True
    clock.advance(hours=2)
    assert await service.remember(PERSONAL) is False
    assert await service.remember(CHANNEL) is True
    audit = await rows(engine, tables.audit_log)
    assert [(a["action"], a["actor"], a["subject"]) for a in audit] == [
        ("conversation.first_contact", ALEX, PERSONAL.conversation_id),
        ("conversation.first_contact", CHANNEL.bot_id, CHANNEL.conversation_id),
    ]
    assert audit[0]["detail"] == {"kind": "personal", "team_id": None}
    assert audit[1]["detail"] == {"kind": "channel", "team_id": "19:team@thread.tacv2"}
    assert audit[1]["at"] == clock.now()


async def test_removal_is_audited(engine: AsyncEngine, clock) -> None:
    service = ConversationService(unit_of_work_factory(engine), clock)
    await service.remember(PERSONAL)
    await service.removed(PERSONAL.conversation_id, actor=ALEX)
    audit = await rows(engine, tables.audit_log)
    assert [(a["action"], a["actor"]) for a in audit][-1] == ("conversation.removed", ALEX)
    assert (await stored(engine, PERSONAL.conversation_id))["removed_at"] == clock.now()
