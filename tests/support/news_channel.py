"""The organisation's news channel, known to the bot, and posts queued to it: for the tests of
a destination that refuses the bot (its breaker, `iip outbox status|drop`)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.messages import CardMessage
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.services.clock import SystemClock
from storage.uow import SqlUnitOfWork
from support.organisation import demo_organisation

TENANT = "tenant-t"
NEWS = "19:news@thread.tacv2"


async def news_channel_known(engine: AsyncEngine, service_url: str) -> None:
    """The organisation names NEWS its news channel, and the bot has heard from it (its Bot
    Connector at `service_url`)."""
    now = SystemClock().now()
    async with SqlUnitOfWork(engine) as uow:
        await uow.organisation.replace(replace(demo_organisation(), news_channel=NEWS), now)
        await uow.addresses.remember(ConversationAddress(
            conversation_id=NEWS, kind=ConversationKind.CHANNEL, service_url=service_url,
            tenant_id=TENANT, bot_id="28:bot", team_id="19:team@thread.tacv2"), now)
        await uow.commit()


def post(key: str) -> OutgoingMessage:
    """A post to the news channel whose card says `key` (its de-duplication key too)."""
    card = CardMessage(card={"type": "AdaptiveCard", "version": "1.5",
                             "body": [{"type": "TextBlock", "text": key}]},
                       summary=key, fallback_text=key)
    return OutgoingMessage(recipient=Recipient.channel(NEWS, TENANT), kind=MessageKind.NOTICE,
                           dedupe_key=key, message=card)


async def queue(engine: AsyncEngine, *messages: OutgoingMessage) -> None:
    """Queue `messages` in one committed change, each new."""
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.enqueue_all(list(messages), SystemClock().now()) == len(messages)
        await uow.commit()
