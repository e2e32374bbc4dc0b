"""A team channel that refuses the bot (403) pauses rather than loses its messages: the real
worker (bot.app.build_worker), two of them at once, on each database, against a stand-in Bot
Connector on loopback.

What people notice: the news channel's posts wait while the app is out of the team and all
arrive, in order, once it is back; one message is tried at each probe, never the lot; the PMO
is told once each time a channel is paused, in their own chats, and by the channel's name.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from support.connector import forbidden
from support.organisation import demo_organisation
from support.outbox import until_settled
from support.teams_connector import TeamsConnector

from bot.app import build_worker
from bot.config import Settings
from bot.delivery.worker import DeliveryWorker
from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.breakers import ProbeWaits
from bot.domain.messages import CardMessage
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.services.clock import SystemClock
from storage import tables
from storage.uow import SqlUnitOfWork

TENANT = "tenant-t"
CLOCK = SystemClock()
NEWS = "19:news@thread.tacv2"
REMOVED = forbidden("BotNotInConversationRoster", "The bot is not part of the roster")
PROBE_AFTER = 0.6  # seconds before the first probe; doubling, to at most 2 s
WAITS = ProbeWaits(first=timedelta(seconds=PROBE_AFTER), longest=timedelta(seconds=2))


@pytest.fixture
async def connector() -> AsyncIterator[TeamsConnector]:
    async with TeamsConnector() as connector:
        yield connector


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def make_worker(engine: AsyncEngine, database_url: str,
                session: aiohttp.ClientSession) -> DeliveryWorker:
    settings = Settings(database_url=database_url, outbox_in_flight=4,
                        outbox_lease_seconds=30.0)
    return build_worker(engine, settings, CLOCK, session, probe_waits=WAITS,
                        backoff_base_seconds=0.1, idle_poll_seconds=0.05)


async def news_channel_known(engine: AsyncEngine, connector: TeamsConnector) -> None:
    """The organisation names NEWS its news channel, and the bot has heard from it."""
    async with SqlUnitOfWork(engine) as uow:
        await uow.organisation.replace(replace(demo_organisation(), news_channel=NEWS),
                                       CLOCK.now())
        await uow.addresses.remember(ConversationAddress(
            conversation_id=NEWS, kind=ConversationKind.CHANNEL, service_url=connector.url,
            tenant_id=TENANT, bot_id="28:bot", team_id="19:team@thread.tacv2"), CLOCK.now())
        await uow.commit()


def post(key: str) -> OutgoingMessage:
    card = CardMessage(card={"type": "AdaptiveCard", "version": "1.5",
                             "body": [{"type": "TextBlock", "text": key}]},
                       summary=key, fallback_text=key)
    return OutgoingMessage(recipient=Recipient.channel(NEWS, TENANT), kind=MessageKind.NOTICE,
                           dedupe_key=key, message=card)


async def queue(engine: AsyncEngine, *messages: OutgoingMessage) -> None:
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.enqueue_all(list(messages), CLOCK.now()) == len(messages)
        await uow.commit()


def text_of(body: dict[str, Any]) -> str:
    return body["attachments"][0]["content"]["body"][0]["text"]


async def rows(engine: AsyncEngine, table: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        return [dict(r) for r in (await connection.execute(select(table))).mappings()]




async def deliver(engine: AsyncEngine, *workers: DeliveryWorker, within: float = 20.0) -> None:
    """Run the workers side by side, as replicas do, until the outbox is settled."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]
    try:
        await until_settled(engine, within)
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)


def alerts_in(outbox_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in outbox_rows if r["dedupe_key"].startswith("paused:")]


async def test_a_refusing_news_channel_pauses_is_probed_and_resumes_in_order_across_replicas(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    await news_channel_known(engine, connector)
    connector.fail_conversation(NEWS, REMOVED, times=2)  # the first try and the first probe
    await queue(engine, post("recognition:1"), post("recognition:2"), post("recognition:3"))

    await deliver(engine, make_worker(engine, database_url, session),
                  make_worker(engine, database_url, session))

    tried = connector.to(NEWS)
    assert [a.status for a in tried] == [403, 403, 200, 200, 200]
    # Each probe tried the one message at the head of the channel, never the rest.
    assert [text_of(a.body) for a in tried] == ["recognition:1"] * 3 + [
        "recognition:2", "recognition:3"]
    # The probes waited: the first after PROBE_AFTER, the second twice as long.
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(tried[:3])]
    assert gaps[0] >= PROBE_AFTER * 0.9 and gaps[1] >= 2 * PROBE_AFTER * 0.9
    outbox = {r["dedupe_key"]: r for r in await rows(engine, tables.outbox)}
    assert [outbox[f"recognition:{n}"]["state"] for n in (1, 2, 3)] == ["sent"] * 3
    assert outbox["recognition:1"]["attempts"] == 1  # a pause is no failed attempt
    # The PMO was told once, each in their own chat, naming the news channel.
    pmo = demo_organisation().pmo
    alerts = alerts_in(list(outbox.values()))
    assert sorted(a["object_id"] for a in alerts) == sorted(pmo)
    assert all(a["state"] == "sent" for a in alerts)
    assert all("the news channel" in a["summary"] for a in alerts)
    assert await rows(engine, tables.delivery_breakers) == []
    actions = [a["action"] for a in await rows(engine, tables.audit_log)
               if a["action"].startswith("outbox.destination")]
    assert actions == ["outbox.destination_paused", "outbox.destination_resumed"]

    # Paused again later: a new opening, and the PMO is told again, once.
    connector.fail_conversation(NEWS, REMOVED, times=1)
    await queue(engine, post("recognition:4"))
    await deliver(engine, make_worker(engine, database_url, session))

    assert connector.delivered_to(NEWS)[-1].body["attachments"][0]["content"]["body"][0][
        "text"] == "recognition:4"
    assert len(alerts_in(await rows(engine, tables.outbox))) == 2 * len(pmo)


async def test_a_pause_outlives_the_replica_that_saw_the_refusal(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    await news_channel_known(engine, connector)
    connector.fail_conversation(NEWS, REMOVED, times=1)
    await queue(engine, post("recognition:1"))
    first = make_worker(engine, database_url, session)
    await first.run_until_empty()  # it sees the refusal, then stops (a restart)
    refused_at = connector.to(NEWS)[0].at
    (breaker,) = await rows(engine, tables.delivery_breakers)
    assert breaker["failures"] == 1

    # A message queued meanwhile waits behind the paused one, on a replica that never saw
    # the refusal; both go once the probe gets through.
    await queue(engine, post("recognition:2"))
    await deliver(engine, make_worker(engine, database_url, session))

    tried = connector.to(NEWS)
    assert [text_of(a.body) for a in tried] == ["recognition:1", "recognition:1",
                                                "recognition:2"]
    assert tried[1].at - refused_at >= PROBE_AFTER * 0.9
    assert await rows(engine, tables.delivery_breakers) == []
