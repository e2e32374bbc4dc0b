"""Batches in the outbox on both databases: a campaign's broadcast counted, called off, and
never in the way of the messages people are waiting for."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from support.outbox import LEASE, T0, card, enqueue, outbox_rows, texts

from bot.domain.outbox import (
    BatchProgress,
    MessageKind,
    OutgoingMessage,
    Recipient,
)
from storage.outbox import SqlOutboxQueue
from storage.uow import SqlUnitOfWork

LAUNCH = "campaign:winter-2026:launch"


def bulk(key: str, recipient: Recipient, batch: str = LAUNCH) -> OutgoingMessage:
    return OutgoingMessage(recipient=recipient, kind=MessageKind.CAMPAIGN,
                           dedupe_key=key, message=card(key), batch=batch)


def notice(key: str, recipient: Recipient) -> OutgoingMessage:
    return OutgoingMessage(recipient=recipient, kind=MessageKind.STATUS,
                           dedupe_key=key, message=card(key))


def chat(n: int) -> Recipient:
    return Recipient.conversation(f"a:chat-{n}")


async def progress(engine: AsyncEngine, batch: str = LAUNCH) -> BatchProgress:
    async with SqlUnitOfWork(engine) as uow:
        return await uow.outbox.batch_progress(batch)


async def cancel(engine: AsyncEngine, batch: str = LAUNCH) -> int:
    async with SqlUnitOfWork(engine) as uow:
        cancelled = await uow.outbox.cancel_batch(batch, T0 + timedelta(minutes=30))
        await uow.commit()
    return cancelled


async def a_batch_in_every_state(engine: AsyncEngine) -> SqlOutboxQueue:
    """Five messages of the launch: sent, put back after an error, given up, in flight with
    worker w, and one still waiting; and a message of no batch, waiting."""
    await enqueue(engine, *[bulk(name, chat(n)) for n, name in enumerate(
        ["sent", "failing", "dead", "in-flight", "waiting"])])
    await enqueue(engine, notice("decision", chat(9)), at=T0 + timedelta(seconds=1))
    queue = SqlOutboxQueue(engine)
    claimed = await queue.claim("w", T0, 4, LEASE)
    assert texts(claimed) == ["sent", "failing", "dead", "in-flight"]
    sent, failing, dead, _ = claimed
    await queue.sent(sent.id, "w", T0, "a:chat-0", "activity-0")
    await queue.retry(failing.id, "w", T0 + timedelta(minutes=5), "502: BadGateway")
    await queue.dead(dead.id, "w", "403: the app was removed")
    return queue


async def test_a_batch_is_counted_by_where_each_message_stands(engine: AsyncEngine):
    await a_batch_in_every_state(engine)

    launch = await progress(engine)

    assert launch == BatchProgress(pending=1, sending=1, sent=1, failing=1, dead=1)
    assert (launch.total, launch.finished) == (5, False)
    assert await progress(engine, "campaign:unknown") == BatchProgress()


async def test_cancelling_calls_off_what_waits_and_leaves_what_was_sent_or_is_in_flight(
    engine: AsyncEngine,
):
    queue = await a_batch_in_every_state(engine)

    assert await cancel(engine) == 2  # the one waiting, and the one waiting for its retry

    assert await progress(engine) == BatchProgress(sending=1, sent=1, dead=1, cancelled=2)
    # The operator's count (`iip outbox status`) shows them apart, neither pending nor dead.
    status = await queue.status(T0 + timedelta(minutes=31))
    assert (status.pending, status.dead, status.cancelled) == (1, 1, 2)
    rows = {row["summary"]: row for row in await outbox_rows(engine)}
    assert {name: rows[name]["state"] for name in rows} == {
        "sent": "sent", "failing": "cancelled", "dead": "dead", "in-flight": "sending",
        "waiting": "cancelled", "decision": "pending"}
    assert rows["waiting"]["cancelled_at"] == T0 + timedelta(minutes=30)
    # The rest of the queue goes on; the message in flight when the batch was called off
    # cannot be recalled: it is sent.
    (decision,) = await queue.claim("w2", T0 + timedelta(seconds=30), 100, LEASE)
    assert texts([decision]) == ["decision"]
    await queue.sent(decision.id, "w2", T0 + timedelta(seconds=31), "a:chat-9", "activity-9")
    await queue.sent(rows["in-flight"]["id"], "w", T0 + timedelta(seconds=40), "a:chat-3",
                     "activity-3")
    assert (await progress(engine)).sent == 2
    assert (await progress(engine)).finished
    # Nothing cancelled is ever claimed, however long it waits.
    assert await queue.claim("w2", T0 + timedelta(days=2), 100, LEASE) == []
    assert await cancel(engine) == 0  # cancelling again changes nothing


async def test_cancelling_a_batch_leaves_other_batches_and_other_messages_alone(
    engine: AsyncEngine,
):
    await enqueue(engine, bulk("launch", chat(1)), bulk("reminder", chat(1), "campaign:other"),
                  notice("decision", chat(1)))

    assert await cancel(engine) == 1

    states = {row["summary"]: row["state"] for row in await outbox_rows(engine)}
    assert states == {"launch": "cancelled", "reminder": "pending", "decision": "pending"}


async def test_a_cancelled_message_no_longer_holds_back_its_chat(engine: AsyncEngine):
    """A broadcast put back after an error keeps its chat waiting; once the campaign is
    called off, the person's decision notice need not wait for a retry that will not come."""
    await enqueue(engine, bulk("launch", chat(1)))
    queue = SqlOutboxQueue(engine)
    (launch,) = await queue.claim("w", T0, 10, LEASE)
    await queue.retry(launch.id, "w", T0 + timedelta(minutes=10), "502: BadGateway")
    await enqueue(engine, notice("decision", chat(1)), at=T0 + timedelta(minutes=1))
    assert await queue.claim("w", T0 + timedelta(minutes=1), 10, LEASE) == []

    await cancel(engine)

    assert texts(await queue.claim("w", T0 + timedelta(minutes=2), 10, LEASE)) == ["decision"]


async def test_a_message_someone_waits_for_goes_before_a_broadcast_due_with_it(
    engine: AsyncEngine,
):
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.enqueue_all(
            [bulk(f"launch-{n}", chat(n)) for n in range(500)], T0) == 500
        await uow.commit()
    await enqueue(engine, notice("decision", chat(1000)), at=T0 + timedelta(seconds=5))
    queue = SqlOutboxQueue(engine)

    assert texts(await queue.claim("w", T0 + timedelta(seconds=6), 1, LEASE)) == ["decision"]
    # The broadcast then goes on in the order it was queued.
    assert texts(await queue.claim("w", T0 + timedelta(seconds=6), 2, LEASE)) == [
        "launch-0", "launch-1"]


async def test_a_chats_broadcast_still_goes_before_its_later_notice(engine: AsyncEngine):
    """A person's notice goes ahead of everyone else's broadcast, but not ahead of the
    broadcast already queued to them: their chat reads in the order it was queued (for a
    stored conversation and for a person reached by their object id alike)."""
    people = {"chat": chat(1), "person": Recipient.person("00000000-0000-0000-0000-0000000000a1")}
    await enqueue(engine, *[bulk(f"launch-{n}", chat(100 + n)) for n in range(20)])
    await enqueue(engine, *[bulk(f"{name}-launch", to) for name, to in people.items()])
    await enqueue(engine, *[notice(f"{name}-decision", to) for name, to in people.items()],
                  at=T0 + timedelta(seconds=5))
    queue = SqlOutboxQueue(engine)
    now = T0 + timedelta(seconds=6)

    taken = [texts(await queue.claim("w", now, 1, LEASE)) for _ in range(5)]

    assert taken == [["chat-launch"], ["person-launch"], ["chat-decision"],
                     ["person-decision"], ["launch-0"]]


async def test_a_claim_hands_the_worker_its_waited_for_messages_before_the_broadcast(
    engine: AsyncEngine,
):
    """The worker books a claim's sends in the order it is handed them, at Teams' pace: a
    decision notice claimed with a slice of a broadcast is handed over first (a chat's own
    broadcast still before its notice), not behind the slice."""
    people = {"chat": chat(1), "person": Recipient.person("00000000-0000-0000-0000-0000000000a1")}
    await enqueue(engine, *[bulk(f"launch-{n}", chat(100 + n)) for n in range(20)])
    await enqueue(engine, *[bulk(f"{name}-launch", to) for name, to in people.items()])
    await enqueue(engine, notice("decision", chat(2)),
                  *[notice(f"{name}-decision", to) for name, to in people.items()],
                  at=T0 + timedelta(seconds=5))

    claimed = await SqlOutboxQueue(engine).claim("w", T0 + timedelta(seconds=6), 25, LEASE)

    assert texts(claimed)[:6] == ["chat-launch", "person-launch", "decision", "chat-decision",
                                  "person-decision", "launch-0"]
    assert texts(claimed)[5:] == [f"launch-{n}" for n in range(20)]


async def test_a_message_is_queued_in_its_batch(engine: AsyncEngine):
    await enqueue(engine, bulk("launch", chat(1)), notice("decision", chat(2)))

    batches = {row["summary"]: row["batch"] for row in await outbox_rows(engine)}
    assert batches == {"launch": LAUNCH, "decision": None}
