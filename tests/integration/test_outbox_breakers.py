"""A team channel that refuses the bot (403) or is gone (404) pauses rather than loses its
messages, until it has refused for too long: the real
worker (bot.app.build_worker), two of them at once, on each database, against a stand-in Bot
Connector on loopback.

What people notice: the news channel's posts wait while the app is out of the team and all
arrive, in order, once it is back; one message is tried at each probe, never the lot; the PMO
is told once each time a channel is paused, once when it resumes (or is given up), in their
own chats, and by the channel's name.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from datetime import timedelta
from typing import Any

import aiohttp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from support.connector import forbidden
from support.news_channel import NEWS, news_channel_known, post, queue
from support.organisation import demo_organisation
from support.outbox import until_settled
from support.teams_connector import NOT_FOUND, TeamsConnector

from bot.app import build_worker
from bot.config import Settings
from bot.delivery.worker import DeliveryWorker
from bot.domain.breakers import ProbeWaits
from bot.services.clock import SystemClock
from storage import tables

CLOCK = SystemClock()
REMOVED = forbidden("BotNotInConversationRoster", "The bot is not part of the roster")
PROBE_AFTER = 0.6  # seconds before the first probe; doubling, to at most 2 s
WAITS = ProbeWaits(first=timedelta(seconds=PROBE_AFTER), longest=timedelta(seconds=2))


def make_worker(engine: AsyncEngine, database_url: str,
                session: aiohttp.ClientSession) -> DeliveryWorker:
    settings = Settings(database_url=database_url, outbox_in_flight=4,
                        outbox_lease_seconds=30.0)
    return build_worker(engine, settings, CLOCK, session, probe_waits=WAITS,
                        backoff_base_seconds=0.1, idle_poll_seconds=0.05)


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


def alerts_in(outbox_rows: list[dict[str, Any]], what: str = "paused") -> list[dict[str, Any]]:
    """The PMO's notices of one kind: paused, resumed or gaveup."""
    return [r for r in outbox_rows if r["dedupe_key"].startswith(f"{what}:")]


async def destination_actions(engine: AsyncEngine) -> list[str]:
    return [a["action"] for a in await rows(engine, tables.audit_log)
            if a["action"].startswith("outbox.destination")]


async def test_a_refusing_news_channel_pauses_is_probed_and_resumes_in_order_across_replicas(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    await news_channel_known(engine, connector.url)
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
    assert await destination_actions(engine) == ["outbox.destination_paused",
                                                 "outbox.destination_resumed"]
    # ... and told once more, when it resumed.
    resumed = alerts_in(list(outbox.values()), "resumed")
    assert sorted(a["object_id"] for a in resumed) == sorted(pmo)
    assert all(a["state"] == "sent" and "going again" in a["summary"] for a in resumed)

    # Paused again later: a new opening, and the PMO is told again, once.
    connector.fail_conversation(NEWS, REMOVED, times=1)
    await queue(engine, post("recognition:4"))
    await deliver(engine, make_worker(engine, database_url, session))

    assert connector.delivered_to(NEWS)[-1].body["attachments"][0]["content"]["body"][0][
        "text"] == "recognition:4"
    assert len(alerts_in(await rows(engine, tables.outbox))) == 2 * len(pmo)
    assert len(alerts_in(await rows(engine, tables.outbox), "resumed")) == 2 * len(pmo)


async def test_a_pause_outlives_the_replica_that_saw_the_refusal(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    await news_channel_known(engine, connector.url)
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


async def test_a_deleted_channel_404_pauses_it_like_a_refusal_and_nothing_is_lost(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    """404 (the channel deleted, the bot taken out of the team) on a team channel: before,
    each message was given up as unreachable; now the channel waits like one that refuses."""
    await news_channel_known(engine, connector.url)
    connector.fail_conversation(NEWS, NOT_FOUND, times=2)
    await queue(engine, post("recognition:1"), post("recognition:2"))

    await deliver(engine, make_worker(engine, database_url, session))

    tried = connector.to(NEWS)
    assert [a.status for a in tried] == [404, 404, 200, 200]
    assert [text_of(a.body) for a in tried] == ["recognition:1"] * 3 + ["recognition:2"]
    outbox = {r["dedupe_key"]: r for r in await rows(engine, tables.outbox)}
    assert [outbox[f"recognition:{n}"]["state"] for n in (1, 2)] == ["sent", "sent"]
    pmo = sorted(demo_organisation().pmo)
    assert sorted(a["object_id"] for a in alerts_in(list(outbox.values()))) == pmo
    assert sorted(a["object_id"] for a in alerts_in(list(outbox.values()), "resumed")) == pmo
    assert await destination_actions(engine) == ["outbox.destination_paused",
                                                 "outbox.destination_resumed"]


async def test_a_channel_refusing_past_the_ceiling_is_given_up_once_with_all_it_held(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    await news_channel_known(engine, connector.url)
    connector.refuse(NEWS, REMOVED)  # for good
    await queue(engine, post("recognition:1"), post("recognition:2"), post("recognition:3"))
    settings = Settings(database_url=database_url, outbox_in_flight=4,
                        outbox_lease_seconds=30.0)
    waits = replace(WAITS, give_up_after=timedelta(seconds=2))
    worker = build_worker(engine, settings, CLOCK, session, probe_waits=waits,
                          backoff_base_seconds=0.1, idle_poll_seconds=0.05)

    await deliver(engine, worker)

    outbox = {r["dedupe_key"]: r for r in await rows(engine, tables.outbox)}
    posts = [outbox[f"recognition:{n}"] for n in (1, 2, 3)]
    assert [p["state"] for p in posts] == ["dead"] * 3
    assert all("refused the portal for 2 seconds or more" in p["last_error"] for p in posts)
    # Only the head of the channel was ever tried; the PMO was told it paused, then that it
    # was given up, once each.
    assert {text_of(a.body) for a in connector.to(NEWS)} == {"recognition:1"}
    pmo = sorted(demo_organisation().pmo)
    assert sorted(a["object_id"] for a in alerts_in(list(outbox.values()))) == pmo
    given_up = alerts_in(list(outbox.values()), "gaveup")
    assert sorted(a["object_id"] for a in given_up) == pmo
    assert all("given up" in a["summary"] and a["state"] == "sent" for a in given_up)
    assert await rows(engine, tables.delivery_breakers) == []
    assert await destination_actions(engine) == ["outbox.destination_paused",
                                                 "outbox.destination_given_up"]
    (audit,) = [a for a in await rows(engine, tables.audit_log)
                if a["action"] == "outbox.destination_given_up"]
    assert audit["detail"]["messages"] == 3 and audit["subject"] == NEWS
