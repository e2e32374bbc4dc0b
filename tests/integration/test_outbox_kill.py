"""Killing the outbox worker mid-way loses nothing, and repeats at most the sends in flight.

`iip outbox run` runs as a real process against the test database, sending to a slow
stand-in Bot Connector in this process. It is SIGKILLed part-way through 200 messages, then
started again; every message must arrive, and a message may arrive twice only if it was
being sent at the moment of the kill (at most IIP_OUTBOX_IN_FLIGHT of them). With two
replicas' workers sending a broadcast together, the one left standing finishes the call
without a restart once the killed one's leases run out.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from support.teams_connector import TeamsConnector

from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.campaigns import Audience, AudienceKind, CampaignRequest
from bot.domain.messages import CardMessage
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.services.campaigns import CampaignService, CampaignViews
from bot.services.clock import SystemClock
from cards.campaign_call import call_card
from cards.campaign_progress import progress_card
from storage.outbox import SqlOutboxQueue
from storage.uow import SqlUnitOfWork, unit_of_work_factory

PROJECT_ROOT = Path(__file__).parents[2]
MESSAGES = 200
CONVERSATIONS = 40
IN_FLIGHT = 4
LEASE_SECONDS = 2
CLOCK = SystemClock()

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def slow_connector() -> AsyncIterator[TeamsConnector]:
    """Every send takes 50 ms to answer, so that sends are in flight when the kill comes."""
    async with TeamsConnector(delay=0.05) as connector:
        yield connector


async def start_worker(database_url: str, log: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "IIP_DATABASE_URL": database_url,
        "IIP_OUTBOX_IN_FLIGHT": str(IN_FLIGHT),
        "IIP_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "IIP_OUTBOX_TENANT_RATE": "50",
        "IIP_LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "outbox", "run", cwd=PROJECT_ROOT, env=env,
            stdout=output, stderr=output,
        )


async def remember_chats(uow: SqlUnitOfWork, connector: TeamsConnector, count: int) -> None:
    """A 1:1 chat with the app for each of `count` people, `a:person-N` for person N."""
    for n in range(count):
        await uow.addresses.remember(ConversationAddress(
            conversation_id=f"a:person-{n}", kind=ConversationKind.PERSONAL,
            service_url=connector.url, tenant_id="tenant-t", bot_id="28:bot",
            object_id=f"00000000-0000-4000-8000-{n:012d}",
        ), CLOCK.now())


async def queue_messages(engine: AsyncEngine, connector: TeamsConnector) -> None:
    async with SqlUnitOfWork(engine) as uow:
        await remember_chats(uow, connector, CONVERSATIONS)
        for n in range(MESSAGES):
            key = f"notice:{n:03}"
            await uow.outbox.enqueue(OutgoingMessage(
                recipient=Recipient.conversation(f"a:person-{n % CONVERSATIONS}"),
                kind=MessageKind.NOTICE, dedupe_key=key,
                message=CardMessage(card={"type": "AdaptiveCard", "version": "1.5",
                                          "body": [{"type": "TextBlock", "text": key}]},
                                    summary=key, fallback_text=key),
            ), CLOCK.now())
        await uow.commit()


def key_of(arrival) -> str:
    return arrival.body["summary"]


def delivered_keys(connector: TeamsConnector) -> Counter[str]:
    return Counter(r.body["summary"] for r in connector.delivered)


async def wait_until(condition, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def test_a_killed_worker_loses_nothing_and_repeats_at_most_its_sends_in_flight(
    engine: AsyncEngine, database_url: str, slow_connector: TeamsConnector, tmp_path: Path,
):
    connector = slow_connector
    await queue_messages(engine, connector)
    log = tmp_path / "worker.log"

    first = await start_worker(database_url, log)
    try:
        await wait_until(lambda: len(connector.delivered) >= 80, 20, "80 deliveries")
    finally:
        first.send_signal(signal.SIGKILL)
    assert await first.wait() == -signal.SIGKILL
    at_kill = sum(delivered_keys(connector).values())
    in_flight_at_kill = connector.arrivals - len(connector.received)
    assert at_kill < MESSAGES, "the worker finished before it could be killed"

    restarted_at = time.monotonic()
    second = await start_worker(database_url, log)
    queue = SqlOutboxQueue(engine)
    try:
        deadline = time.monotonic() + 25
        while True:
            status = await queue.status(CLOCK.now())
            if status.sent == MESSAGES:
                break
            assert second.returncode is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"not all sent after the restart: {status}"
            await asyncio.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
    # Ctrl-C or SIGTERM stops the worker cleanly, after its sends in flight.
    assert await asyncio.wait_for(second.wait(), 15) == 0, log.read_text()[-3000:]

    delivered = delivered_keys(connector)
    assert set(delivered) == {f"notice:{n:03}" for n in range(MESSAGES)}
    repeated = {key: count for key, count in delivered.items() if count > 1}
    explain = (f"killed after {at_kill} deliveries, {in_flight_at_kill} sends at the "
               f"connector; repeated: {repeated}")
    assert sum(count - 1 for count in repeated.values()) <= IN_FLIGHT, explain
    # Only what the killed worker had sent is sent again, never twice by the new one.
    before_restart = {key_of(a) for a in connector.arrivals_log if a.at < restarted_at}
    assert set(repeated) <= before_restart, explain
    assert all(count <= 2 for count in delivered.values()), explain
    status = await queue.status(CLOCK.now())
    assert (status.pending, status.sending, status.dead) == (0, 0, 0)
    # Per conversation, the messages arrived in the order they were queued, repeats aside.
    for n in range(CONVERSATIONS):
        order = [r.body["summary"] for r in connector.delivered_to(f"a:person-{n}")]
        firsts = list(dict.fromkeys(order))
        assert firsts == sorted(firsts)


async def queue_broadcast(engine: AsyncEngine, connector: TeamsConnector, people: int) -> int:
    """A call for ideas sent to everyone with the app, as a PMO member's Send now queues it:
    the campaign's id."""
    async with SqlUnitOfWork(engine) as uow:
        await remember_chats(uow, connector, people)
        await uow.commit()
    service = CampaignService(unit_of_work_factory(engine), CLOCK,
                              CampaignViews(call_card, progress_card))
    today = CLOCK.now().date()
    campaign = await service.create(CampaignRequest(
        name="Neighbourhood policing", theme="Neighbourhoods",
        description="What would help you most on your beat?", opens=today,
        closes=today.replace(year=today.year + 1), audience=Audience(AudienceKind.EVERYONE)),
        "system:test")
    sent = await service.send(campaign.id, "system:test", tenant_id="tenant-t")
    assert sent.recipients == people
    return campaign.id


async def test_a_replica_killed_mid_broadcast_loses_nothing_and_the_other_finishes_it(
    engine: AsyncEngine, database_url: str, slow_connector: TeamsConnector, tmp_path: Path,
):
    connector = slow_connector
    people = 150
    campaign_id = await queue_broadcast(engine, connector, people)
    log = tmp_path / "workers.log"

    doomed = await start_worker(database_url, log)
    standing = await start_worker(database_url, log)
    try:
        await wait_until(lambda: len(connector.delivered) >= 40, 20, "40 deliveries")
        doomed.send_signal(signal.SIGKILL)
        assert await doomed.wait() == -signal.SIGKILL
        at_kill = len(connector.delivered)
        assert at_kill < people, "the broadcast was sent before a replica could be killed"

        service = CampaignService(unit_of_work_factory(engine), CLOCK,
                                  CampaignViews(call_card, progress_card))
        deadline = time.monotonic() + 30
        while (status := await service.status(campaign_id)).sent < people:
            assert standing.returncode is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"the call is not finished: {status}"
            await asyncio.sleep(0.1)
    finally:
        standing.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(standing.wait(), 15) == 0, log.read_text()[-3000:]

    assert (status.sent, status.failed, status.pending) == (people, 0, 0)
    reached = Counter(r.conversation_id for r in connector.delivered)
    assert set(reached) == {f"a:person-{n}" for n in range(people)}
    # Only a call the killed replica was sending at the moment it died may arrive twice.
    repeated = {chat: count for chat, count in reached.items() if count > 1}
    assert sum(count - 1 for count in repeated.values()) <= IN_FLIGHT, (
        f"killed after {at_kill} deliveries; repeated: {repeated}")
