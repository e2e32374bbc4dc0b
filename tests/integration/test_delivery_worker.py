"""The real outbox worker (bot.app.build_worker) on each database, sending over HTTP to a
stand-in Bot Connector on loopback that answers as Teams does, faults included.

What people and operators notice: every message arrives once and in order; a 429 slows the
tenant, not the whole bot; passing faults are retried; a person who blocked the bot is not
pestered; a lost 1:1 chat is opened again; the operator's commands say what is true.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from support.bot_server import serving
from support.cli import run_cli
from support.connector import BAD_GATEWAY, Fault, forbidden
from support.outbox import until_settled
from support.teams_connector import (
    DROP,
    GATEWAY_TIMEOUT,
    PRECONDITION_FAILED,
    SERVER_ERROR,
    TOO_BIG,
    UNAVAILABLE,
    TeamsConnector,
    too_many,
)

from bot.app import build_worker
from bot.config import Settings
from bot.delivery.pacing import ACTIVE_SENDER_SECONDS
from bot.delivery.worker import DeliveryWorker
from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.messages import CardMessage
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.services.clock import SystemClock
from storage import tables
from storage.engine import make_engine
from storage.outbox import SqlOutboxQueue
from storage.uow import SqlUnitOfWork, unit_of_work_factory

TENANT = "tenant-t"
OTHER_TENANT = "tenant-u"
BACKOFF = 0.1  # the first retry waits 0.05-0.1 s, the second 0.1-0.2 s, ...
CLOCK = SystemClock()


# Fixtures and helpers


def settings_for(database_url: str, **changes: Any) -> Settings:
    values: dict[str, Any] = {"database_url": database_url, "outbox_in_flight": 4,
                              "outbox_lease_seconds": 30.0, **changes}
    return Settings(**values)


def make_worker(engine: AsyncEngine, database_url: str, session: aiohttp.ClientSession,
                settings: dict[str, Any] | None = None, **tuning: Any) -> DeliveryWorker:
    tuning = {"backoff_base_seconds": BACKOFF, "idle_poll_seconds": 0.05, **tuning}
    return build_worker(engine, settings_for(database_url, **(settings or {})), CLOCK,
                        session, **tuning)


def personal(name: str, connector: TeamsConnector, tenant: str = TENANT) -> ConversationAddress:
    return ConversationAddress(
        conversation_id=f"a:{name}", kind=ConversationKind.PERSONAL,
        service_url=connector.url, tenant_id=tenant, bot_id="28:bot",
        object_id=f"oid-{name}", user_id=f"29:{name}",
    )


def channel(name: str, connector: TeamsConnector, tenant: str = TENANT) -> ConversationAddress:
    return ConversationAddress(
        conversation_id=f"19:{name}@thread.tacv2", kind=ConversationKind.CHANNEL,
        service_url=connector.url, tenant_id=tenant, bot_id="28:bot",
        team_id="19:team@thread.tacv2",
    )


async def remember(engine: AsyncEngine, *addresses: ConversationAddress) -> None:
    async with SqlUnitOfWork(engine) as uow:
        for address in addresses:
            await uow.addresses.remember(address, CLOCK.now())
        await uow.commit()


def card(key: str) -> CardMessage:
    return CardMessage(card={"type": "AdaptiveCard", "version": "1.5",
                             "body": [{"type": "TextBlock", "text": key}]},
                       summary=key, fallback_text=key)


def to(recipient: Recipient | str, key: str) -> OutgoingMessage:
    if isinstance(recipient, str):
        recipient = Recipient.conversation(recipient)
    return OutgoingMessage(recipient=recipient, kind=MessageKind.NOTICE, dedupe_key=key,
                           message=card(key))


async def queue(engine: AsyncEngine, *messages: OutgoingMessage) -> None:
    async with SqlUnitOfWork(engine) as uow:
        for message in messages:
            assert await uow.outbox.enqueue(message, CLOCK.now())
        await uow.commit()


def key_of(body: dict[str, Any]) -> str:
    return body["attachments"][0]["content"]["body"][0]["text"]


def keys(received: Iterable[Any]) -> list[str]:
    return [key_of(r.body) for r in received]


async def outbox_rows(engine: AsyncEngine) -> dict[str, dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(select(tables.outbox).order_by(tables.outbox.c.id))
        return {row["dedupe_key"]: dict(row) for row in result.mappings()}


async def table(engine: AsyncEngine, which) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        return [dict(r) for r in (await connection.execute(select(which))).mappings()]




async def deliver(worker: DeliveryWorker, engine: AsyncEngine, within: float = 10.0) -> None:
    """Run the worker as the app does until the outbox is settled, then stop it."""
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await until_settled(engine, within)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


def most_in_any_window(times: list[float], seconds: float) -> int:
    return max((sum(1 for u in times if t - seconds < u <= t) for t in times), default=0)


# Delivery


async def test_every_message_arrives_once_and_in_order_per_conversation(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    people = [personal(name, connector) for name in ("alex", "blake", "casey")]
    await remember(engine, *people)
    messages = [to(p.conversation_id, f"{p.conversation_id}#{n:02}")
                for n in range(12) for p in people]
    await queue(engine, *messages)

    await deliver(make_worker(engine, database_url, session), engine)

    assert len(connector.delivered) == len(messages)
    assert sorted(keys(connector.delivered)) == sorted(m.dedupe_key for m in messages)
    for person in people:
        arrived = connector.to(person.conversation_id)
        assert keys(arrived) == [f"{person.conversation_id}#{n:02}" for n in range(12)]
        # Teams' per-conversation limits held (with 50 ms for scheduling jitter).
        times = [a.at for a in arrived]
        assert most_in_any_window(times, 0.95) <= 7
        assert most_in_any_window(times, 1.95) <= 8
    rows = await outbox_rows(engine)
    addressed = {r.body["conversation"]["id"] for r in connector.delivered}
    assert addressed == {p.conversation_id for p in people}
    assert {r["state"] for r in rows.values()} == {"sent"}
    assert all(r["attempts"] == 1 and r["activity_id"] for r in rows.values())
    assert len({r["activity_id"] for r in rows.values()}) == len(messages)
    assert rows["a:alex#00"]["sent_conversation_id"] == "a:alex"


async def test_two_workers_keep_each_chats_order_through_retries(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    """Two replicas, each with its worker, on one database: every message arrives once,
    and each chat reads in the order its messages were queued, faults and retries included."""
    people = [personal(name, connector) for name in ("alex", "blake", "casey", "drew")]
    await remember(engine, *people)
    for person in people[:2]:
        connector.fail_conversation(person.conversation_id, BAD_GATEWAY, times=2)
    messages = [to(p.conversation_id, f"{p.conversation_id}#{n:02}")
                for n in range(10) for p in people]
    await queue(engine, *messages)
    replicas = [make_engine(database_url), make_engine(database_url)]
    stop = asyncio.Event()
    try:
        workers = [asyncio.create_task(make_worker(replica, database_url, session).run(stop))
                   for replica in replicas]
        await until_settled(engine, 20)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*workers), 10)
    finally:
        stop.set()
        for replica in replicas:
            await replica.dispose()

    assert Counter(keys(connector.delivered)) == Counter(m.dedupe_key for m in messages)
    for person in people:
        assert keys(connector.delivered_to(person.conversation_id)) == [
            f"{person.conversation_id}#{n:02}" for n in range(10)]


async def test_what_reaches_teams_is_the_card_with_its_summary(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    alex = personal("alex", connector)
    await remember(engine, alex)
    await queue(engine, to(alex.conversation_id, "receipt:IIP-2026-0001"))

    await make_worker(engine, database_url, session).run_until_empty()

    (sent,) = connector.delivered
    assert (sent.method, sent.path) == ("POST", "/v3/conversations/a:alex/activities")
    assert sent.body["type"] == "message"
    assert sent.body["summary"] == "receipt:IIP-2026-0001"
    assert sent.body["from"] == {"id": "28:bot"}
    assert sent.cards == [card("receipt:IIP-2026-0001").card]
    assert "Authorization" not in sent.headers  # anonymous local run: no token


async def test_a_commit_that_queues_wakes_the_worker_at_once(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    alex = personal("alex", connector)
    await remember(engine, alex)
    worker = make_worker(engine, database_url, session, idle_poll_seconds=30.0)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.sleep(0.3)  # the worker found nothing and is idle for 30 s
        async with unit_of_work_factory(engine, worker.wake)() as uow:
            await uow.outbox.enqueue(to(alex.conversation_id, "welcome"), CLOCK.now())
            await uow.commit()
        await connector.wait_for(1, within=3.0)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert keys(connector.delivered) == ["welcome"]


async def test_a_lease_shorter_than_a_batch_sends_nothing_twice(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    """A slow Bot Connector makes a batch take longer than the lease; the worker must not
    claim and send again what it still holds."""
    people = [personal(f"p{n}", connector) for n in range(10)]
    await remember(engine, *people)
    await queue(engine, *[to(people[n % 10].conversation_id, f"m{n:02}") for n in range(60)])
    connector.delay = 0.05  # 60 sends, 2 at a time: 1.5 s

    await deliver(make_worker(engine, database_url, session,
                              settings={"outbox_lease_seconds": 0.5, "outbox_in_flight": 2}),
                  engine, within=20)

    sent = Counter(keys(connector.delivered))
    assert {key for key, count in sent.items() if count > 1} == set()
    assert len(sent) == 60


class CommitDuringClaim:
    """The worker's queue; while its first empty claim is under way, a request commits a
    message and rings the doorbell, as the app's unit of work does."""

    def __init__(self, inner: SqlOutboxQueue, engine: AsyncEngine, message: OutgoingMessage):
        self._inner = inner
        self._engine = engine
        self._message = message
        self.worker: DeliveryWorker | None = None

    async def claim(self, *args: Any, **kwargs: Any):
        claimed = await self._inner.claim(*args, **kwargs)
        if not claimed and self.worker is not None:
            worker, self.worker = self.worker, None
            async with unit_of_work_factory(self._engine, worker.wake)() as uow:
                await uow.outbox.enqueue(self._message, CLOCK.now())
                await uow.commit()
        return claimed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def test_a_doorbell_rung_while_the_worker_looks_is_not_missed(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    alex = personal("alex", connector)
    await remember(engine, alex)
    worker = make_worker(engine, database_url, session, idle_poll_seconds=30.0)
    racing = CommitDuringClaim(SqlOutboxQueue(engine), engine, to(alex.conversation_id, "hi"))
    racing.worker = worker
    worker._queue = racing
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await connector.wait_for(1, within=3.0)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert keys(connector.delivered) == ["hi"]


# Replicas keep Teams' limits together


async def test_a_chat_passed_to_another_replica_keeps_its_pace(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    """A chat's messages go from whichever worker claims them: the second counts the first
    one's sends to the chat, so that together they keep its limit (one a second here)."""
    alex = personal("alex", connector)
    await remember(engine, alex)
    one_a_second = {"outbox_conversation_rate": 1}
    # A person's notices name them, not their chat: the worker finds the chat they go to.
    await queue(engine, to(Recipient.person("oid-alex", TENANT), "first"))
    await deliver(make_worker(engine, database_url, session, one_a_second), engine)
    await queue(engine, to(Recipient.person("oid-alex", TENANT), "second"))
    other_replica = make_engine(database_url)
    try:
        await deliver(make_worker(other_replica, database_url, session, one_a_second), engine)
    finally:
        await other_replica.dispose()

    first, second = connector.to(alex.conversation_id)
    assert second.at - first.at >= 0.95, "the second replica sent as if the chat were quiet"
    assert keys(connector.delivered_to(alex.conversation_id)) == ["first", "second"]


async def test_replicas_sending_at_once_share_the_tenants_rate(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    """Another worker has just sent: this one keeps half the tenant's rate (two a second here,
    so one), and says so once; once the other is quiet, it has the whole rate again."""
    people = [personal(f"person-{n}", connector) for n in range(4)]
    later = [personal(f"later-{n}", connector) for n in range(4)]
    await remember(engine, *people, *later)
    await queue(engine, to(people[0].conversation_id, "sent elsewhere"))
    outbox = SqlOutboxQueue(engine)
    (claimed,) = await outbox.claim("worker-elsewhere", CLOCK.now(), 1, timedelta(seconds=30))
    await outbox.sent(claimed.id, "worker-elsewhere", CLOCK.now(), people[0].conversation_id,
                      "activity-elsewhere")
    await queue(engine, *(to(p.conversation_id, f"{p.conversation_id}#1") for p in people))
    worker = make_worker(engine, database_url, session, {"outbox_tenant_rate": 2})

    with structlog.testing.capture_logs() as logged:
        await deliver(worker, engine)
        await asyncio.sleep(ACTIVE_SENDER_SECONDS)
        await queue(engine, *(to(p.conversation_id, f"{p.conversation_id}#1") for p in later))
        await deliver(worker, engine)

    shared = [a.at for a in connector.arrivals_log if a.conversation_id.startswith("a:person")]
    alone = [a.at for a in connector.arrivals_log if a.conversation_id.startswith("a:later")]
    assert len(shared) == len(alone) == 4
    assert most_in_any_window(shared, 1.0) == 1
    assert most_in_any_window(alone, 1.0) == 2
    told = [e["workers"] for e in logged if e["event"] == "outbox.tenant_rate_shared"]
    assert told == [2, 1]


# 429: slow down the tenant


async def test_a_429_holds_the_whole_tenant_for_retry_after_and_no_other_tenant(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    alex, blake = personal("alex", connector), personal("blake", connector)
    casey = personal("casey", connector, tenant=OTHER_TENANT)
    await remember(engine, alex, blake, casey)
    connector.fail_conversation(alex.conversation_id, too_many(2))
    await queue(engine, to(alex.conversation_id, "alex-1"), to(blake.conversation_id, "blake-1"),
                to(alex.conversation_id, "alex-2"), to(casey.conversation_id, "casey-1"))

    await deliver(make_worker(engine, database_url, session,
                              settings={"outbox_tenant_rate": 1}), engine, within=15)

    (throttled,) = [a for a in connector.arrivals_log if a.status == 429]
    hold_ends = throttled.at + 2.0
    tenant_t = [a for a in connector.arrivals_log
                if a.conversation_id in (alex.conversation_id, blake.conversation_id)]
    during_hold = [(key_of(a.body), round(a.at - throttled.at, 2)) for a in tenant_t
                   if throttled.at < a.at < hold_ends - 0.05]
    assert during_hold == [], "the tenant was sent to while Teams said to wait"
    # The other tenant is not held up by this one's 429.
    (other,) = connector.to(casey.conversation_id)
    assert other.at < throttled.at + 1.0
    # The throttled message is delivered after the hold, still before alex's next one.
    assert keys(connector.delivered_to(alex.conversation_id)) == ["alex-1", "alex-2"]
    assert keys(connector.delivered_to(blake.conversation_id)) == ["blake-1"]
    assert all(a.at >= hold_ends - 0.05 for a in tenant_t if a.status == 200)
    rows = await outbox_rows(engine)
    assert rows["alex-1"]["state"] == "sent"
    assert rows["alex-1"]["attempts"] == 1  # a 429 is not a failed attempt


async def test_a_429_holds_back_the_next_message_already_lined_up_for_the_same_chat(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    """Both messages are claimed together, the second lined up behind the first: when the
    first is answered 429, the second must wait out the hold, and go after the first."""
    alex = personal("alex", connector)
    await remember(engine, alex)
    # Answered slowly, so that the second message is surely lined up before the 429 is known.
    connector.fail_conversation(alex.conversation_id, too_many(1.5, delay=0.3))
    await queue(engine, to(alex.conversation_id, "alex-1"), to(alex.conversation_id, "alex-2"))

    await deliver(make_worker(engine, database_url, session), engine)

    (throttled,) = [a for a in connector.arrivals_log if a.status == 429]
    answered = throttled.at + 0.3
    after = [a for a in connector.to(alex.conversation_id) if a is not throttled]
    assert [key_of(a.body) for a in after] == ["alex-1", "alex-2"]
    assert all(a.at >= answered + 1.45 for a in after)


@pytest.mark.parametrize("retry_after", ["inf", "1e308", "99999999",
                                         "Fri, 31 Dec 9999 23:59:59 GMT"],
                         ids=["inf", "1e308", "three-years", "year-9999"])
async def test_a_429_asking_for_ever_holds_the_tenant_no_longer_than_the_setting(
    retry_after: str, engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    """One hostile or broken answer must not stop every notification until a restart."""
    alex, blake = personal("alex", connector), personal("blake", connector)
    await remember(engine, alex, blake)
    connector.fail_conversation(alex.conversation_id, too_many(retry_after))
    await queue(engine, to(alex.conversation_id, "alex-1"), to(blake.conversation_id, "blake-1"))

    await deliver(make_worker(engine, database_url, session,
                              settings={"outbox_max_retry_after": 1.5}), engine)

    (throttled,) = [a for a in connector.arrivals_log if a.status == 429]
    assert keys(connector.delivered_to(alex.conversation_id)) == ["alex-1"]
    assert keys(connector.delivered_to(blake.conversation_id)) == ["blake-1"]
    # Held for the longest the setting allows, then sent.
    (sent,) = [a for a in connector.to(alex.conversation_id) if a.status == 200]
    assert sent.at >= throttled.at + 1.45
    rows = await outbox_rows(engine)
    assert {(r["state"], r["attempts"]) for r in rows.values()} == {("sent", 1)}


async def test_a_fault_in_pacing_counts_an_attempt_and_never_wedges_the_batch(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    """A pace of one send in 10^300 seconds cannot be waited for (its time is past any date):
    the message it holds back counts its attempts and is given up with the reason, and the
    worker goes on with the rest instead of failing the whole batch again and again."""
    alex, blake = personal("alex", connector), personal("blake", connector)
    casey = personal("casey", connector, tenant=OTHER_TENANT)
    await remember(engine, alex, blake, casey)
    await queue(engine, to(alex.conversation_id, "alex-1"), to(blake.conversation_id, "blake-1"),
                to(casey.conversation_id, "casey-1"))

    await deliver(make_worker(engine, database_url, session, max_attempts=3,
                              settings={"outbox_tenant_rate": 1e-300}), engine)

    assert sorted(keys(connector.delivered)) == ["alex-1", "casey-1"]
    rows = await outbox_rows(engine)
    assert (rows["blake-1"]["state"], rows["blake-1"]["attempts"]) == ("dead", 3)
    assert rows["blake-1"]["last_error"] == "network: OverflowError"


# Passing faults are retried


async def test_a_message_retried_after_a_fault_still_arrives_before_the_next_one(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    """A status change must not overtake the receipt queued before it to the same person."""
    alex = personal("alex", connector)
    await remember(engine, alex)
    connector.fail_conversation(alex.conversation_id, BAD_GATEWAY)
    await queue(engine, to(alex.conversation_id, "receipt:7"),
                to(alex.conversation_id, "status:7"), to(alex.conversation_id, "status:7b"))

    await deliver(make_worker(engine, database_url, session), engine)

    assert keys(connector.delivered_to(alex.conversation_id)) == [
        "receipt:7", "status:7", "status:7b"]
    rows = await outbox_rows(engine)
    assert [rows[k]["attempts"] for k in ("receipt:7", "status:7", "status:7b")] == [2, 1, 1]


@pytest.mark.parametrize("fault", [BAD_GATEWAY, SERVER_ERROR, UNAVAILABLE, GATEWAY_TIMEOUT,
                                   PRECONDITION_FAILED, DROP],
                         ids=["502", "500", "503", "504", "412", "dropped"])
async def test_a_passing_fault_is_retried_with_backoff_and_the_message_delivered_once(
    fault: Fault, engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    alex = personal("alex", connector)
    await remember(engine, alex)
    connector.fail_conversation(alex.conversation_id, fault, times=2)
    await queue(engine, to(alex.conversation_id, "status:IIP-2026-0007"))

    await deliver(make_worker(engine, database_url, session), engine)

    tries = connector.to(alex.conversation_id)
    assert [a.status for a in tries] == [fault.status, fault.status, 200]
    # Exponential backoff: 0.05-0.1 s before the second try, 0.1-0.2 s before the third.
    assert tries[1].at - tries[0].at >= BACKOFF / 2
    assert tries[2].at - tries[1].at >= BACKOFF
    assert keys(connector.delivered) == ["status:IIP-2026-0007"]
    row = (await outbox_rows(engine))["status:IIP-2026-0007"]
    assert (row["state"], row["attempts"], row["last_error"]) == ("sent", 3, None)


async def test_a_fault_that_never_passes_ends_in_a_dead_row_after_bounded_attempts(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    alex = personal("alex", connector)
    await remember(engine, alex)
    connector.fail_conversation(alex.conversation_id, BAD_GATEWAY, times=100)
    await queue(engine, to(alex.conversation_id, "reminder:1"))

    await deliver(make_worker(engine, database_url, session, max_attempts=4), engine)
    await connector.settle(quiet=0.5)

    assert [a.status for a in connector.to(alex.conversation_id)] == [502] * 4
    row = (await outbox_rows(engine))["reminder:1"]
    assert (row["state"], row["attempts"]) == ("dead", 4)
    assert row["last_error"] == "502: ServiceError"
    status = await SqlOutboxQueue(engine).status(CLOCK.now())
    assert (status.dead, status.pending, status.oldest_pending_seconds) == (1, 0, None)


@pytest.mark.parametrize("fault", [TOO_BIG, Fault(400, body={"error": {"code": "BadArgument"}})],
                         ids=["413", "400"])
async def test_a_message_teams_refuses_is_not_retried(
    fault: Fault, engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    alex = personal("alex", connector)
    await remember(engine, alex)
    connector.fail_conversation(alex.conversation_id, fault, times=5)
    await queue(engine, to(alex.conversation_id, "campaign:launch"))

    await deliver(make_worker(engine, database_url, session), engine)
    await connector.settle(quiet=0.3)

    assert len(connector.to(alex.conversation_id)) == 1
    row = (await outbox_rows(engine))["campaign:launch"]
    assert row["state"] == "dead" and row["last_error"].startswith(str(fault.status))


# 401: the token was refused


class RotatingToken:
    """The app's token: the same one until the Bot Connector refuses it, then the next."""

    def __init__(self) -> None:
        self.generation = 1
        self.refreshes = 0

    async def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer token-{self.generation}"}

    async def refresh(self, rejected: dict[str, str]) -> None:
        if rejected == await self.headers():
            self.generation += 1
            self.refreshes += 1


async def test_sends_refused_for_a_stale_token_go_again_with_a_new_one(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    """The token was revoked (or the clock ran past it): nothing is lost or given up, and
    the many sends refused together fetch one new token, not one each."""
    people = [personal(f"person-{n}", connector) for n in range(6)]
    await remember(engine, *people)
    await queue(engine, *[to(p.conversation_id, f"status:{n}") for n, p in enumerate(people)])
    connector.accepted_authorization = "Bearer token-2"
    token = RotatingToken()

    await deliver(build_worker(engine, settings_for(database_url), CLOCK, session,
                               tokens=token, idle_poll_seconds=0.05), engine)

    assert sorted(keys(connector.delivered)) == [f"status:{n}" for n in range(6)]
    assert {r.headers["Authorization"] for r in connector.delivered} == {"Bearer token-2"}
    assert token.refreshes == 1
    rows = await outbox_rows(engine)
    assert {(r["state"], r["attempts"]) for r in rows.values()} == {("sent", 1)}


async def test_a_token_refused_even_when_new_keeps_the_message_for_later(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    """Wrong credentials (a secret changed in Entra, not yet here): the message waits to be
    retried while an operator puts them right, rather than dying at the first refusal."""
    alex = personal("alex", connector)
    await remember(engine, alex)
    await queue(engine, to(alex.conversation_id, "status:1"))
    connector.accepted_authorization = "Bearer the-right-one"
    worker = build_worker(engine, settings_for(database_url), CLOCK, session,
                          tokens=RotatingToken(), backoff_base_seconds=60)

    await worker.run_until_empty()

    assert [(r.status, r.headers["Authorization"]) for r in connector.received] == [
        (401, "Bearer token-1"), (401, "Bearer token-2")]
    row = (await outbox_rows(engine))["status:1"]
    assert (row["state"], row["attempts"]) == ("pending", 1)
    assert row["last_error"].startswith("401")


# The bot's token goes to the Bot Connector only


async def test_an_address_whose_service_url_is_not_the_connectors_gets_no_token(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    """A stored address pointing elsewhere (forged, or corrupted) would hand the bot's token
    to whoever runs that host: its message is given up with the reason, and nothing at all
    is sent there."""
    async with TeamsConnector() as elsewhere:
        alex = replace(personal("alex", connector),
                       service_url=connector.url.replace("127.0.0.1", "localhost"))
        mallory = personal("mallory", elsewhere)  # 127.0.0.1, which is not listed
        await remember(engine, alex, mallory)
        await queue(engine, to(alex.conversation_id, "alex-1"),
                    to(mallory.conversation_id, "mallory-1"),
                    to(Recipient.person("oid-nobody", TENANT), "nobody-1"))
        settings = settings_for(database_url, app_id="the-bots-app-id",
                                connector_hosts=("localhost",))

        with structlog.testing.capture_logs() as logged:
            await deliver(build_worker(engine, settings, CLOCK, session, tokens=RotatingToken(),
                                       idle_poll_seconds=0.05), engine)

        assert elsewhere.arrivals == 0 and not elsewhere.created
        (sent,) = connector.delivered
        assert key_of(sent.body) == "alex-1"
        assert sent.headers["Authorization"] == "Bearer token-1"
        rows = await outbox_rows(engine)
        assert [rows[k]["state"] for k in ("alex-1", "mallory-1", "nobody-1")] == [
            "sent", "dead", "dead"]  # nobody's chat would be opened through mallory's host
        assert rows["mallory-1"]["attempts"] == 1
        assert "not a Bot Connector host" in rows["mallory-1"]["last_error"]
        refused = [e for e in logged if e["event"] == "connector.service_url_refused"]
        assert refused and all(e["log_level"] == "error" and "127.0.0.1" in e["reason"]
                               for e in refused)


# 403: the person blocked the bot


@pytest.mark.parametrize("code", ["MessageWritesBlocked", "ConversationBlockedByUser",
                                  "BotNotInConversationRoster"])
async def test_a_blocked_bot_stops_sending_there_and_says_so_in_the_audit_log(
    code: str, engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    alex, blake = personal("alex", connector), personal("blake", connector)
    await remember(engine, alex, blake)
    connector.fail_conversation(alex.conversation_id, forbidden(code), times=100)
    await queue(engine, to(alex.conversation_id, "status:1"), to(blake.conversation_id, "b:1"))

    await deliver(make_worker(engine, database_url, session), engine)
    await queue(engine, to(alex.conversation_id, "status:2"), to(Recipient.person("oid-alex"),
                                                                  "status:3"))
    await deliver(make_worker(engine, database_url, session), engine)
    await connector.settle(quiet=0.3)

    assert [a.status for a in connector.to(alex.conversation_id)] == [403]  # never again
    assert keys(connector.delivered_to(blake.conversation_id)) == ["b:1"]
    rows = await outbox_rows(engine)
    assert rows["status:1"]["state"] == "dead"
    assert rows["status:1"]["last_error"] == f"403: {code}"
    assert rows["status:1"]["attempts"] == 1
    assert rows["status:2"]["state"] == rows["status:3"]["state"] == "dead"
    addresses = {a["conversation_id"]: a for a in await table(engine,
                                                              tables.conversation_addresses)}
    assert addresses["a:alex"]["removed_at"] is not None
    assert addresses["a:blake"]["removed_at"] is None
    audit = [a for a in await table(engine, tables.audit_log)
             if a["action"] == "conversation.unreachable"]
    assert [(a["subject"], a["detail"]["reason"]) for a in audit] == [
        ("a:alex", f"403: {code}")]
    assert not connector.created  # no new chat was forced on them


@pytest.mark.parametrize("code", ["BotDisabledByAdmin", None], ids=["disabled-by-admin", "no-code"])
async def test_a_403_refusing_the_bot_itself_pauses_the_tenant_and_closes_no_chat(
    code: str | None, engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    """The tenant's admin blocked the app, or the bot's credentials are refused: every chat
    in the tenant would say the same. Nothing is given up and nobody is marked unreachable;
    the tenant waits out a pause, the operator is told once, and the messages go after."""
    alex, blake = personal("alex", connector), personal("blake", connector)
    casey = personal("casey", connector, tenant=OTHER_TENANT)
    await remember(engine, alex, blake, casey)
    connector.fail_conversation(alex.conversation_id, forbidden(code))
    await queue(engine, to(alex.conversation_id, "alex-1"), to(blake.conversation_id, "blake-1"),
                to(casey.conversation_id, "casey-1"))

    with structlog.testing.capture_logs() as logged:
        await deliver(make_worker(engine, database_url, session, first_pause_seconds=1.5,
                                  settings={"outbox_tenant_rate": 1}), engine)

    (refused,) = [a for a in connector.arrivals_log if a.status == 403]
    tenant_t = [a for a in connector.arrivals_log if a.conversation_id in ("a:alex", "a:blake")]
    assert [a for a in tenant_t if refused.at < a.at < refused.at + 1.45] == []
    assert keys(connector.delivered_to("a:alex")) == ["alex-1"]
    assert keys(connector.delivered_to("a:blake")) == ["blake-1"]
    (other,) = connector.to(casey.conversation_id)
    assert other.at < refused.at + 1.0  # another tenant is not paused
    rows = await outbox_rows(engine)
    assert {k: r["state"] for k, r in rows.items()} == {
        "alex-1": "sent", "blake-1": "sent", "casey-1": "sent"}
    addresses = await table(engine, tables.conversation_addresses)
    assert [a["conversation_id"] for a in addresses if a["removed_at"] is not None] == []
    audit = await table(engine, tables.audit_log)
    assert [a for a in audit if a["action"] == "conversation.unreachable"] == []
    (paused,) = [e for e in logged if e["event"] == "outbox.tenant_paused"]
    assert (paused["log_level"], paused["tenant"], paused["pause_seconds"]) == (
        "error", TENANT, 1.5)


async def test_a_tenant_that_keeps_refusing_the_bot_is_paused_longer_each_time(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    alex = personal("alex", connector)
    await remember(engine, alex)
    connector.fail_conversation(alex.conversation_id, forbidden("BotDisabledByAdmin"), times=100)
    await queue(engine, to(alex.conversation_id, "alex-1"))
    worker = make_worker(engine, database_url, session, first_pause_seconds=0.4)

    with structlog.testing.capture_logs() as logged:
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        await connector.wait_for_arrivals(3, within=10)
        stop.set()
        await asyncio.wait_for(task, 10)

    tries = connector.to(alex.conversation_id)
    assert [a.status for a in tries] == [403] * len(tries)
    assert tries[1].at - tries[0].at >= 0.4 - 0.05
    assert tries[2].at - tries[1].at >= 0.8 - 0.05
    assert [e["pause_seconds"] for e in logged if e["event"] == "outbox.tenant_paused"][:3] == [
        0.4, 0.8, 1.6]
    row = (await outbox_rows(engine))["alex-1"]
    assert row["state"] == "pending" and row["last_error"] == "403: BotDisabledByAdmin"
    (address,) = await table(engine, tables.conversation_addresses)
    assert address["removed_at"] is None


# 404: the 1:1 chat is gone


async def test_a_lost_personal_chat_is_opened_again_once_and_the_message_delivered_there(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    alex = personal("alex", connector)
    await remember(engine, alex)
    connector.gone.add(alex.conversation_id)
    await queue(engine, to(alex.conversation_id, "status:1"))

    await deliver(make_worker(engine, database_url, session), engine)

    assert [a.status for a in connector.to("a:alex")] == [404]
    (created,) = connector.created
    assert created["members"] == [{"id": "oid-alex"}]
    assert created["tenantId"] == TENANT and created["bot"] == {"id": "28:bot"}
    assert keys(connector.delivered_to("a:new-1")) == ["status:1"]
    row = (await outbox_rows(engine))["status:1"]
    assert (row["state"], row["sent_conversation_id"]) == ("sent", "a:new-1")
    async with SqlUnitOfWork(engine) as uow:
        stored = await uow.addresses.personal_address("oid-alex")
    assert stored is not None and stored.conversation_id == "a:new-1"
    assert (stored.kind, stored.tenant_id, stored.service_url) == (
        ConversationKind.PERSONAL, TENANT, connector.url)

    # The next message to Alex goes straight to the new chat.
    await queue(engine, to(Recipient.person("oid-alex", TENANT), "status:2"))
    await deliver(make_worker(engine, database_url, session), engine)
    assert keys(connector.delivered_to("a:new-1")) == ["status:1", "status:2"]
    assert len(connector.created) == 1


async def test_a_chat_that_cannot_be_opened_again_is_given_up_after_one_try(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    alex = personal("alex", connector)
    await remember(engine, alex)
    connector.gone.update({"a:alex", "a:new-1"})
    await queue(engine, to(alex.conversation_id, "status:1"))

    await deliver(make_worker(engine, database_url, session), engine)
    await connector.settle(quiet=0.3)

    assert len(connector.created) == 1
    assert [a.status for a in connector.arrivals_log] == [404, 404]
    row = (await outbox_rows(engine))["status:1"]
    assert row["state"] == "dead" and row["last_error"].startswith("404")


async def test_a_404_in_a_channel_is_not_answered_by_opening_a_chat(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    news = channel("news", connector)
    await remember(engine, news)
    connector.gone.add(news.conversation_id)
    await queue(engine, to(news.conversation_id, "campaign:1"))

    await make_worker(engine, database_url, session).run_until_empty()

    assert not connector.created
    # The channel is paused (tests/integration/test_outbox_breakers.py), not given up.
    assert (await outbox_rows(engine))["campaign:1"]["state"] == "pending"
    assert [r.status for r in connector.to(news.conversation_id)] == [404]


# A person with no 1:1 chat yet


async def test_a_person_known_only_by_tenant_and_object_id_gets_a_new_chat(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    await remember(engine, channel("news", connector))  # where the tenant's service URL is known
    pmo = [Recipient.person(f"oid-pmo-{n}", TENANT) for n in (1, 2)]
    await queue(engine, *[to(r, f"feedback:9:{r.object_id}") for r in pmo],
                to(pmo[0], "feedback:10:oid-pmo-1"))

    await deliver(make_worker(engine, database_url, session), engine)

    # One chat per person, however many messages they are owed.
    assert [c["members"] for c in connector.created] == [[{"id": "oid-pmo-1"}],
                                                         [{"id": "oid-pmo-2"}]]
    assert all(c["tenantId"] == TENANT for c in connector.created)
    assert keys(connector.delivered_to("a:new-1")) == ["feedback:9:oid-pmo-1",
                                                       "feedback:10:oid-pmo-1"]
    assert keys(connector.delivered_to("a:new-2")) == ["feedback:9:oid-pmo-2"]
    async with SqlUnitOfWork(engine) as uow:
        stored = await uow.addresses.personal_address("oid-pmo-2")
    assert stored is not None and stored.conversation_id == "a:new-2"


async def test_a_person_with_no_chat_and_no_known_service_is_given_up(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    await queue(engine, to(Recipient.person("oid-stranger", TENANT), "feedback:1:stranger"))

    await deliver(make_worker(engine, database_url, session), engine)

    assert not connector.arrivals_log and not connector.created
    row = (await outbox_rows(engine))["feedback:1:stranger"]
    assert row["state"] == "dead" and "no 1:1 chat" in row["last_error"]


# Replacing a card that was sent


async def test_a_replaced_card_updates_the_message_that_was_sent(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    alex = personal("alex", connector)
    await remember(engine, alex)
    await queue(engine, to(alex.conversation_id, "status:7"))
    await deliver(make_worker(engine, database_url, session), engine)
    activity_id = (await outbox_rows(engine))["status:7"]["activity_id"]

    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.replace_cards({"status:7": to(alex.conversation_id, "status:7b")},
                                              CLOCK.now())
        await uow.commit()
    await deliver(make_worker(engine, database_url, session), engine)

    first, update = connector.delivered
    assert (update.method, update.path) == (
        "PUT", f"/v3/conversations/a:alex/activities/{activity_id}")
    assert update.body["id"] == activity_id
    assert keys([first, update]) == ["status:7", "status:7b"]


# The worker keeps going


class FlakyQueue:
    """The worker's queue, with the database failing for the next `failures` claims."""

    def __init__(self, inner: SqlOutboxQueue, failures: int) -> None:
        self._inner = inner
        self.failures = failures

    async def claim(self, *args: Any, **kwargs: Any):
        if self.failures:
            self.failures -= 1
            raise ConnectionResetError("the database went away for a moment")
        return await self._inner.claim(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def test_the_worker_survives_the_database_going_away_for_a_moment(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession,
):
    alex = personal("alex", connector)
    await remember(engine, alex)
    await queue(engine, to(alex.conversation_id, "receipt:1"))
    worker = make_worker(engine, database_url, session)
    flaky = FlakyQueue(SqlOutboxQueue(engine), failures=3)
    worker._queue = flaky  # the same worker, its database failing under it

    await deliver(worker, engine)

    assert flaky.failures == 0
    assert keys(connector.delivered) == ["receipt:1"]


# What the operator sees and does


async def test_iip_outbox_status_and_retry_dead(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    monkeypatch.setenv("IIP_DATABASE_URL", database_url)
    monkeypatch.setenv("IIP_LOG_LEVEL", "WARNING")
    alex, blake = personal("alex", connector), personal("blake", connector)
    await remember(engine, alex, blake)
    connector.fail_conversation(alex.conversation_id, BAD_GATEWAY, times=4)
    await queue(engine, to(alex.conversation_id, "a:1"), to(alex.conversation_id, "a:2"),
                to(blake.conversation_id, "b:1"))
    await deliver(make_worker(engine, database_url, session, max_attempts=2), engine)
    capsys.readouterr()

    assert await asyncio.to_thread(run_cli, ["outbox", "status"]) == 0
    printed = capsys.readouterr().out
    counts = {line.split()[0]: line.split()[1] for line in printed.splitlines()
              if line.split() and line.split()[0] in ("pending", "sent", "dead")}
    assert counts == {"pending": "0", "sent": "1", "dead": "2"}
    assert "oldest pending: none" in printed

    assert await asyncio.to_thread(run_cli, ["outbox", "retry", "--dead"]) == 0
    assert "Requeued 2 dead message(s)." in capsys.readouterr().out
    assert await asyncio.to_thread(run_cli, ["outbox", "status"]) == 0
    printed = capsys.readouterr().out
    assert "pending           2" in printed
    assert "oldest pending: none" not in printed

    # The Bot Connector is well again: `iip outbox run --once` delivers them.
    assert await asyncio.to_thread(run_cli, ["outbox", "run", "--once"]) == 0
    assert keys(connector.delivered_to(alex.conversation_id)) == ["a:1", "a:2"]
    rows = await outbox_rows(engine)
    assert {k: r["state"] for k, r in rows.items()} == {"a:1": "sent", "a:2": "sent",
                                                         "b:1": "sent"}
    assert await asyncio.to_thread(run_cli, ["outbox", "retry", "--dead"]) == 0
    assert "Requeued 0 dead message(s)." in capsys.readouterr().out


async def test_healthz_reports_how_long_the_oldest_message_has_waited(
    database_url: str, connector: TeamsConnector, clock,
):
    settings = Settings(database_url=database_url, outbox_worker=False)
    async with serving(settings, connector.url, clock=clock) as bot:
        response = await bot.get("/healthz")
        assert (await response.json())["outbox_oldest_pending_seconds"] is None

        async with SqlUnitOfWork(bot.engine) as uow:
            await uow.outbox.enqueue(to("a:alex", "receipt:1"), clock.now())
            await uow.commit()
        clock.advance(seconds=90)
        response = await bot.get("/healthz")

        assert response.status == 200
        body = await response.json()
        assert body["status"] == "ok"
        assert body["outbox_oldest_pending_seconds"] == pytest.approx(90)


async def test_the_worker_inside_the_app_delivers_what_the_bot_queued(
    database_url: str, connector: TeamsConnector, teams_activity,
):
    """`iip serve` runs the worker beside the web server: a personal install is welcomed
    through the outbox, to the stand-in connector the install came from."""
    install = teams_activity("conversationUpdate.membersAdded.personal.msteams-docs.json")
    install["recipient"]["id"] = install["membersAdded"][0]["id"]
    settings = Settings(database_url=database_url)
    async with serving(settings, connector.url) as bot:
        assert (await bot.post(install)).status in (200, 201)
        await connector.wait_for(1, within=5)
        await until_settled(bot.engine, within=5)
        rows = await outbox_rows(bot.engine)
    (welcome,) = connector.delivered
    assert welcome.conversation_id == install["conversation"]["id"]
    (row,) = rows.values()
    assert (row["kind"], row["state"]) == ("welcome", "sent")
    assert timedelta(0) <= row["sent_at"] - row["created_at"] < timedelta(seconds=5)
