"""Stored conversation addresses as Teams would have given them: people's 1:1 chats and team
channels, kept through the real storage."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.addresses import ConversationAddress, ConversationKind
from storage.uow import SqlUnitOfWork

TENANT = "tenant-t"
CHANNEL = "19:general@thread.tacv2"


async def remember(engine: AsyncEngine, clock, *addresses: ConversationAddress,
                   removed: tuple[str, ...] = ()) -> None:
    async with SqlUnitOfWork(engine) as uow:
        for address in addresses:
            await uow.addresses.remember(address, clock.now())
        for conversation in removed:
            await uow.addresses.mark_removed(conversation, clock.now())
        await uow.commit()


def chat_with(object_id: str, name: str | None = None) -> ConversationAddress:
    return ConversationAddress(
        conversation_id=f"a:{name or object_id}", kind=ConversationKind.PERSONAL,
        service_url="https://smba.trafficmanager.net/uk/", tenant_id=TENANT, bot_id="28:bot",
        object_id=object_id, user_id=f"29:{name or object_id}")


def channel_address(conversation_id: str = CHANNEL) -> ConversationAddress:
    return ConversationAddress(
        conversation_id=conversation_id, kind=ConversationKind.CHANNEL,
        service_url="https://smba.trafficmanager.net/uk/", tenant_id=TENANT, bot_id="28:bot",
        team_id="19:team@thread.tacv2")


