"""The outbox table on both databases: queueing inside a change's transaction, and claiming.

Workers claim rows as leases. Two workers must never hold the same row; a dead worker's
rows come back once its lease runs out, and it can then no longer record an outcome for them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from support.outbox import LEASE, T0, card, enqueue, outbox_rows, texts

from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.outbox import Delivery, DeliveryState, MessageKind, OutgoingMessage, Recipient
from storage import tables
from storage.engine import make_engine
from storage.outbox import Requeued, SqlOutboxQueue
from storage.uow import SqlUnitOfWork

TENANT = "50612dbb-0237-4969-b378-8d42590f9c00"


def message(key: str, conversation: str = "a:chat-1", text: str | None = None,
            not_before: datetime | None = None) -> OutgoingMessage:
    return OutgoingMessage(recipient=Recipient.conversation(conversation),
                           kind=MessageKind.NOTICE, dedupe_key=key,
                           message=card(text or key), not_before=not_before)


# Queueing in the change's transaction


async def test_a_queued_message_is_only_visible_once_the_change_commits(
        engine: AsyncEngine, database_url: str):
    rang: list[str] = []
    # The worker of another replica: one process queues its own turns for SQLite's only
    # connection, so only another engine can look while the change is open.
    worker_engine = make_engine(database_url)
    try:
        async with SqlUnitOfWork(engine, on_commit=lambda: rang.append("doorbell")) as uow:
            assert await uow.outbox.enqueue(message("receipt:1"), T0)
            # The worker sees nothing before the commit...
            status = await SqlOutboxQueue(worker_engine).status(T0)
            assert (status.pending, status.oldest_pending_seconds) == (0, None)
            assert rang == []
            await uow.commit()
        # ...and the message after it; this process's worker was woken.
        queue = SqlOutboxQueue(worker_engine)
        assert texts(await queue.claim("worker", T0, 10, LEASE)) == ["receipt:1"]
        assert rang == ["doorbell"]
    finally:
        await worker_engine.dispose()


async def test_a_change_rolled_back_queues_nothing(engine: AsyncEngine):
    rang: list[str] = []
    with pytest.raises(RuntimeError):
        async with SqlUnitOfWork(engine, on_commit=lambda: rang.append("doorbell")) as uow:
            await uow.outbox.enqueue(message("receipt:1"), T0)
            raise RuntimeError("the change failed after queueing")

    async with SqlUnitOfWork(engine) as uow:  # left without commit()
        await uow.outbox.enqueue(message("receipt:2"), T0)

    assert await outbox_rows(engine) == []
    assert rang == []


async def test_the_same_dedupe_key_is_queued_once(engine: AsyncEngine):
    assert await enqueue(engine, message("welcome:a:1:event-1", text="first")) == 1
    assert await enqueue(engine, message("welcome:a:1:event-1", text="again")) == 0
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.enqueue(message("welcome:a:1:event-2"), T0)
        assert not await uow.outbox.enqueue(message("welcome:a:1:event-2", text="twice"), T0)
        await uow.commit()

    rows = await outbox_rows(engine)
    assert [r["summary"] for r in rows] == ["first", "welcome:a:1:event-2"]


async def test_a_duplicate_alone_does_not_ring_the_doorbell(engine: AsyncEngine):
    await enqueue(engine, message("k"))
    rang: list[str] = []
    async with SqlUnitOfWork(engine, on_commit=lambda: rang.append("doorbell")) as uow:
        await uow.outbox.enqueue(message("k"), T0)
        await uow.commit()
    assert rang == []


async def test_what_is_stored_for_a_message(engine: AsyncEngine):
    later = T0 + timedelta(hours=1)
    async with SqlUnitOfWork(engine) as uow:
        await uow.outbox.enqueue(OutgoingMessage(
            recipient=Recipient.person("object-1", TENANT), kind=MessageKind.FEEDBACK,
            dedupe_key="feedback:1:object-1", message=card("Feedback from Megan"),
            not_before=later,
        ), T0)
        await uow.commit()

    (row,) = await outbox_rows(engine)
    assert row["state"] == "pending"
    assert (row["object_id"], row["tenant_id"], row["conversation_id"]) == (
        "object-1", TENANT, None)
    assert row["card"]["body"][0]["text"] == "Feedback from Megan"
    assert row["not_before"] == later and row["created_at"] == T0
    assert row["attempts"] == 0


# Claiming


async def test_claim_waits_for_not_before(engine: AsyncEngine):
    await enqueue(engine, message("now"), message("later", not_before=T0 + timedelta(minutes=10)))
    queue = SqlOutboxQueue(engine)

    (now,) = await queue.claim("w", T0, 10, LEASE)
    assert texts([now]) == ["now"]
    await queue.sent(now.id, "w", T0, "a:chat-1", "activity-1")
    assert await queue.claim("w", T0 + timedelta(minutes=9), 10, LEASE) == []
    assert texts(await queue.claim("w", T0 + timedelta(minutes=10), 10, LEASE)) == ["later"]


async def test_claim_takes_the_longest_due_first_and_returns_them_in_queued_order(
    engine: AsyncEngine,
):
    await enqueue(engine, *[message(f"m{n}") for n in range(5)])
    await enqueue(engine, message("scheduled-early", not_before=T0 - timedelta(minutes=5)))
    queue = SqlOutboxQueue(engine)

    first = await queue.claim("w", T0, 3, LEASE)
    second = await queue.claim("w", T0, 3, LEASE)
    third = await queue.claim("w", T0, 3, LEASE)

    assert texts(first) == ["m0", "m1", "scheduled-early"]  # id order within the batch
    assert texts(second) == ["m2", "m3", "m4"]
    assert third == []
    assert all(d.attempts == 0 and d.kind is MessageKind.NOTICE for d in first)


async def test_a_claim_marks_the_rows_as_the_workers_own(engine: AsyncEngine):
    await enqueue(engine, message("m"))
    await SqlOutboxQueue(engine).claim("worker-1", T0, 10, LEASE)

    (row,) = await outbox_rows(engine)
    assert (row["state"], row["lease_owner"], row["leased_until"]) == (
        "sending", "worker-1", T0 + LEASE)


async def test_two_workers_claiming_at_once_never_get_the_same_row(database_url: str):
    """Two replicas, each with its own engine (connections), claim concurrently in many
    rounds; on PostgreSQL the claims lock with FOR UPDATE SKIP LOCKED."""
    total, limit = 400, 7
    replicas = [make_engine(database_url), make_engine(database_url)]
    try:
        # One chat each: a row behind another worker's lease on the same chat waits (below).
        await enqueue(replicas[0], *[message(f"m{n:03}", conversation=f"a:{n}")
                                     for n in range(total)])
        queues = [SqlOutboxQueue(engine) for engine in replicas]
        claimed: dict[str, list[int]] = {"worker-1": [], "worker-2": []}
        rounds = 0
        while True:
            batches = await asyncio.gather(
                queues[0].claim("worker-1", T0, limit, LEASE),
                queues[1].claim("worker-2", T0, limit, LEASE),
            )
            got = sum(len(b) for b in batches)
            if not got:
                break
            rounds += 1
            for owner, batch in zip(claimed, batches, strict=True):
                assert len(batch) <= limit
                claimed[owner] += [d.id for d in batch]
            # Neither worker is starved by the other's locks: each round takes all it may.
            remaining = total - sum(len(ids) for ids in claimed.values()) + got
            assert got == min(2 * limit, remaining)
            # Half the rows are sent at once, as a worker does, while the other half wait.
            await asyncio.gather(*(
                queue.sent(d.id, owner, T0, "a:x", "activity")
                for queue, owner, batch in zip(queues, claimed, batches, strict=True)
                for d in batch[: len(batch) // 2]
            ))

        one, two = set(claimed["worker-1"]), set(claimed["worker-2"])
        assert not one & two
        assert len(claimed["worker-1"]) == len(one) and len(claimed["worker-2"]) == len(two)
        assert len(one | two) == total
        assert rounds == -(-total // (2 * limit))
        rows = await outbox_rows(replicas[0])
        assert {r["lease_owner"] for r in rows if r["state"] == "sending"} <= set(claimed)
    finally:
        for engine in replicas:
            await engine.dispose()


async def test_a_chats_later_messages_wait_while_another_worker_holds_an_earlier_one(
    engine: AsyncEngine,
):
    """A worker killed mid-send holds its rows until the lease runs out; the worker that
    takes over must not overtake them, or the chat would read out of order."""
    await enqueue(engine, message("first", conversation="a:chat-1"))
    await enqueue(engine, message("second", conversation="a:chat-1"),
                  message("elsewhere", conversation="a:chat-2"))
    queue = SqlOutboxQueue(engine)
    assert texts(await queue.claim("worker-killed", T0, 1, LEASE)) == ["first"]

    (elsewhere,) = await queue.claim("worker-new", T0, 10, LEASE)
    assert texts([elsewhere]) == ["elsewhere"]
    await queue.sent(elsewhere.id, "worker-new", T0, "a:chat-2", "activity-2")
    assert await queue.claim("worker-new", T0 + LEASE - timedelta(seconds=1), 10, LEASE) == []
    # Once the lease runs out both are taken, in the order they were queued.
    after = await queue.claim("worker-new", T0 + LEASE + timedelta(seconds=1), 10, LEASE)
    assert texts(after) == ["first", "second"]


async def test_a_message_put_back_for_a_retry_holds_its_chats_later_messages(
    engine: AsyncEngine,
):
    """After a 502 the first message waits for its retry; no worker may send the chat's
    next message meanwhile, or the chat would read out of order."""
    await enqueue(engine, message("first", conversation="a:chat-1"))
    queue = SqlOutboxQueue(engine)
    (first,) = await queue.claim("worker-1", T0, 1, LEASE)
    await queue.retry(first.id, "worker-1", T0 + timedelta(minutes=5), "502: BadGateway")
    await enqueue(engine, message("second", conversation="a:chat-1"),
                  message("elsewhere", conversation="a:chat-2"))

    (elsewhere,) = await queue.claim("worker-2", T0 + timedelta(minutes=1), 10, LEASE)
    assert texts([elsewhere]) == ["elsewhere"]
    await queue.sent(elsewhere.id, "worker-2", T0, "a:chat-2", "activity-2")
    assert texts(await queue.claim("worker-2", T0 + timedelta(minutes=5), 10, LEASE)) == [
        "first", "second"]


async def test_messages_queued_before_one_put_back_for_later_are_not_held_by_it(
    engine: AsyncEngine,
):
    """A worker took a busy chat's batch: it put the first two back to go at once (behind a
    429) and the last two back for half a minute (Teams' 60 in 30 seconds). The first two
    are free to claim now; the last two wait, and so does anything queued after them."""
    await enqueue(engine, *(message(key) for key in ("one", "two", "three", "four")))
    queue = SqlOutboxQueue(engine)
    batch = await queue.claim("worker-1", T0, 10, LEASE)
    for delivery, until in zip(batch, (0, 0, 30, 30), strict=True):
        await queue.retry(delivery.id, "worker-1", T0 + timedelta(seconds=until), None,
                          count_attempt=False)
    await enqueue(engine, message("five"))

    assert texts(await queue.claim("worker-2", T0, 10, LEASE)) == ["one", "two"]
    assert texts(await queue.claim("worker-2", T0 + timedelta(seconds=30), 10, LEASE)) == [
        "three", "four", "five"]


async def test_a_message_scheduled_for_later_does_not_hold_its_chat(engine: AsyncEngine):
    await enqueue(engine, message("reminder", not_before=T0 + timedelta(days=7)),
                  message("decision"))
    queue = SqlOutboxQueue(engine)
    assert texts(await queue.claim("w", T0, 10, LEASE)) == ["decision"]


async def test_a_worker_may_claim_behind_its_own_messages_in_flight(engine: AsyncEngine):
    await enqueue(engine, message("first"), message("second"))
    queue = SqlOutboxQueue(engine)
    assert texts(await queue.claim("w", T0, 1, LEASE)) == ["first"]
    assert texts(await queue.claim("w", T0, 1, LEASE)) == ["second"]


async def test_an_expired_lease_lets_another_worker_take_the_row(engine: AsyncEngine):
    await enqueue(engine, message("m"))
    queue = SqlOutboxQueue(engine)
    (mine,) = await queue.claim("worker-old", T0, 10, LEASE)

    assert await queue.claim("worker-new", T0 + LEASE - timedelta(seconds=1), 10, LEASE) == []
    (theirs,) = await queue.claim("worker-new", T0 + LEASE + timedelta(seconds=1), 10, LEASE)
    assert theirs.id == mine.id

    # The old worker wakes up: whatever it says about the row is ignored now.
    await queue.sent(mine.id, "worker-old", T0 + LEASE, "a:chat-1", "activity-old")
    await queue.retry(mine.id, "worker-old", T0 + timedelta(hours=1), "502: late")
    await queue.dead(mine.id, "worker-old", "403: late")
    (row,) = await outbox_rows(engine)
    assert (row["state"], row["lease_owner"], row["activity_id"], row["last_error"]) == (
        "sending", "worker-new", None, None)

    await queue.sent(theirs.id, "worker-new", T0 + LEASE, "a:chat-1", "activity-new")
    (row,) = await outbox_rows(engine)
    assert (row["state"], row["lease_owner"], row["activity_id"], row["attempts"]) == (
        "sent", None, "activity-new", 1)


async def test_renew_extends_a_lease_only_while_the_row_is_still_the_workers(
    engine: AsyncEngine,
):
    await enqueue(engine, message("m"))
    queue = SqlOutboxQueue(engine)
    (delivery,) = await queue.claim("worker-old", T0, 10, LEASE)

    assert await queue.renew(delivery.id, "worker-old", T0 + 2 * LEASE)
    assert await queue.claim("worker-new", T0 + LEASE + timedelta(seconds=1), 10, LEASE) == []
    (row,) = await outbox_rows(engine)
    assert row["leased_until"] == T0 + 2 * LEASE

    (taken,) = await queue.claim("worker-new", T0 + 2 * LEASE + timedelta(seconds=1), 10, LEASE)
    assert not await queue.renew(delivery.id, "worker-old", T0 + 3 * LEASE)
    await queue.sent(taken.id, "worker-new", T0, "a:chat-1", "activity-1")
    assert not await queue.renew(delivery.id, "worker-new", T0 + 3 * LEASE)  # sent: done


async def test_retry_puts_the_row_back_for_later_and_counts_the_attempt(engine: AsyncEngine):
    await enqueue(engine, message("m"))
    queue = SqlOutboxQueue(engine)
    (delivery,) = await queue.claim("w", T0, 10, LEASE)

    await queue.retry(delivery.id, "w", T0 + timedelta(seconds=30), "502: ServiceError")

    assert await queue.claim("w", T0 + timedelta(seconds=29), 10, LEASE) == []
    (again,) = await queue.claim("w", T0 + timedelta(seconds=30), 10, LEASE)
    assert again.attempts == 1

    await queue.retry(again.id, "w", T0 + timedelta(seconds=31), None, count_attempt=False)
    (third,) = await queue.claim("w", T0 + timedelta(seconds=31), 10, LEASE)
    assert third.attempts == 1
    (row,) = await outbox_rows(engine)
    assert row["last_error"] == "502: ServiceError"


async def test_a_dead_row_is_never_claimed(engine: AsyncEngine):
    await enqueue(engine, message("m"))
    queue = SqlOutboxQueue(engine)
    (delivery,) = await queue.claim("w", T0, 10, LEASE)
    await queue.dead(delivery.id, "w", "403: MessageWritesBlocked")

    assert await queue.claim("w", T0 + timedelta(days=1), 10, LEASE) == []
    (row,) = await outbox_rows(engine)
    assert (row["state"], row["last_error"], row["attempts"]) == (
        "dead", "403: MessageWritesBlocked", 1)


# What an operator sees


async def test_status_counts_every_state_and_the_oldest_pending_age(engine: AsyncEngine):
    queue = SqlOutboxQueue(engine)
    assert (await queue.status(T0)).oldest_pending_seconds is None

    await enqueue(engine, *[message(f"m{n}") for n in range(6)], at=T0)
    sent, failed, dead, sending = await queue.claim("w", T0, 4, LEASE)
    await queue.sent(sent.id, "w", T0, "a:chat-1", "activity-1")
    await queue.retry(failed.id, "w", T0 + timedelta(minutes=1), "504: GatewayTimeout")
    await queue.dead(dead.id, "w", "400: BadArgument")
    await enqueue(engine, message("oldest"), at=T0 - timedelta(minutes=10))

    status = await queue.status(T0 + timedelta(seconds=30))

    assert (status.pending, status.sending, status.sent, status.failing, status.dead) == (
        4, 1, 1, 1, 1)
    assert status.oldest_pending_seconds == pytest.approx(630)
    assert sending.id not in {sent.id, failed.id, dead.id}


async def test_the_backlog_a_scrape_reads_agrees_with_the_status(engine: AsyncEngine):
    queue = SqlOutboxQueue(engine)
    await enqueue(engine, *[message(f"m{n}") for n in range(5)], at=T0)
    sent, failed, dead = await queue.claim("w", T0, 3, LEASE)
    await queue.sent(sent.id, "w", T0, "a:chat-1", "activity-1")
    await queue.retry(failed.id, "w", T0 + timedelta(minutes=1), "504: GatewayTimeout")
    await queue.dead(dead.id, "w", "400: BadArgument")
    await enqueue(engine, message("later", not_before=T0 + timedelta(days=1)), at=T0)
    now = T0 + timedelta(seconds=30)

    backlog, status = await queue.backlog(now), await queue.status(now)

    assert (backlog.pending, backlog.sending, backlog.dead) == (4, 0, 1)
    assert (backlog.pending, backlog.sending, backlog.dead, backlog.oldest_pending_seconds) == (
        status.pending, status.sending, status.dead, status.oldest_pending_seconds)
    assert backlog.oldest_pending_seconds == pytest.approx(30)


async def test_the_oldest_pending_age_ignores_what_was_sent_or_gave_up(engine: AsyncEngine):
    queue = SqlOutboxQueue(engine)
    await enqueue(engine, message("old"), at=T0 - timedelta(hours=2))
    await enqueue(engine, message("new"), at=T0 - timedelta(seconds=5))
    (old,) = await queue.claim("w", T0, 1, LEASE)
    await queue.sent(old.id, "w", T0, "a:chat-1", "activity-1")

    assert (await queue.status(T0)).oldest_pending_seconds == pytest.approx(5)


async def test_a_message_scheduled_for_later_is_not_overdue_until_its_time(
    engine: AsyncEngine,
):
    queue = SqlOutboxQueue(engine)
    await enqueue(engine, message("reminder", not_before=T0 + timedelta(days=7)), at=T0)
    assert (await queue.status(T0 + timedelta(days=6))).oldest_pending_seconds is None
    status = await queue.status(T0 + timedelta(days=7, seconds=40))
    assert (status.pending, status.oldest_pending_seconds) == (1, pytest.approx(40))


async def test_a_message_put_back_to_retry_stays_overdue_from_when_it_was_first_owed(
    engine: AsyncEngine,
):
    queue = SqlOutboxQueue(engine)
    await enqueue(engine, message("m"), at=T0)
    (failed,) = await queue.claim("w", T0, 1, LEASE)
    await queue.retry(failed.id, "w", T0 + timedelta(minutes=5), "502: BadGateway")

    assert (await queue.status(T0 + timedelta(minutes=2))).oldest_pending_seconds == \
        pytest.approx(120)


async def test_requeue_dead_gives_dead_rows_a_fresh_start(engine: AsyncEngine):
    queue = SqlOutboxQueue(engine)
    await enqueue(engine, message("dead-1"), message("dead-2"), message("sent"))
    one, two, sent = await queue.claim("w", T0, 10, LEASE)
    await queue.sent(sent.id, "w", T0, "a:chat-1", "activity-1")
    await queue.dead(one.id, "w", "502: gave up after 8 attempts")
    await queue.dead(two.id, "w", "403: MessageWritesBlocked")

    later = T0 + timedelta(days=2)
    assert await queue.requeue_dead(later) == Requeued(requeued=2, unreachable=0)

    again = await queue.claim("w", later, 10, LEASE)
    assert texts(again) == ["dead-1", "dead-2"]
    assert all(d.attempts == 0 for d in again)
    assert await queue.requeue_dead(later) == Requeued(requeued=0, unreachable=0)
    status = await queue.status(later)
    assert (status.dead, status.sent, status.sending) == (0, 1, 2)


# Replacing a card


async def test_a_card_still_waiting_is_replaced_in_place(engine: AsyncEngine):
    await enqueue(engine, message("status:idea-7", text="Submitted"))
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.replace_cards(
            {"status:idea-7": message("status:idea-7:v2", text="Under review")}, T0)
        await uow.commit()

    (delivery,) = await SqlOutboxQueue(engine).claim("w", T0, 10, LEASE)
    assert texts([delivery]) == ["Under review"]
    assert delivery.message.card["body"][0]["text"] == "Under review"
    assert delivery.replaces_id is None
    assert len(await outbox_rows(engine)) == 1


async def test_a_card_already_sent_is_replaced_by_a_new_row_that_updates_it(
    engine: AsyncEngine,
):
    queue = SqlOutboxQueue(engine)
    await enqueue(engine, message("status:idea-7", text="Submitted"))
    (original,) = await queue.claim("w", T0, 10, LEASE)
    await queue.sent(original.id, "w", T0, "a:chat-1", "activity-9")

    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.replace_cards(
            {"status:idea-7": message("status:idea-7:v2", text="Under review")}, T0)
        await uow.commit()

    (replacement,) = await queue.claim("w", T0, 10, LEASE)
    assert texts([replacement]) == ["Under review"]
    assert replacement.replaces_id == original.id
    where = await queue.sent_activity(original.id)
    assert (where.state, where.conversation_id, where.activity_id) == (
        DeliveryState.SENT, "a:chat-1", "activity-9")
    # The card that was sent is left as it was sent.
    rows = await outbox_rows(engine)
    assert rows[0]["summary"] == "Submitted"


async def test_a_card_in_flight_is_replaced_by_a_new_row_not_edited_under_the_worker(
    engine: AsyncEngine,
):
    queue = SqlOutboxQueue(engine)
    await enqueue(engine, message("status:idea-7", text="Submitted"))
    (original,) = await queue.claim("w", T0, 10, LEASE)

    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.replace_cards(
            {"status:idea-7": message("status:idea-7:v2", text="Under review")}, T0)
        await uow.commit()

    rows = await outbox_rows(engine)
    assert [(r["summary"], r["replaces_id"]) for r in rows] == [
        ("Submitted", None), ("Under review", original.id)]


async def sent_card(engine: AsyncEngine, key: str, text: str) -> Delivery:
    """A card queued under `key` and sent to Teams; its row as the worker claimed it."""
    queue = SqlOutboxQueue(engine)
    await enqueue(engine, message(key, text=text))
    (original,) = await queue.claim("w", T0, 10, LEASE)
    await queue.sent(original.id, "w", T0, "a:chat-1", "activity-9")
    return original


async def replace(engine: AsyncEngine, key: str, update_key: str, text: str) -> None:
    """The card queued under `key` replaced by a new version, in its own change."""
    async with SqlUnitOfWork(engine) as uow:
        await uow.outbox.replace_cards({key: message(update_key, text=text)}, T0)
        await uow.commit()


async def test_a_card_changed_again_before_its_update_went_costs_one_update_of_the_latest(
    engine: AsyncEngine,
):
    # Its chat is behind: only the latest version is worth one of the chat's 60 sends in 30 s.
    original = await sent_card(engine, "card:idea-7", "Submitted")

    for version, text in ((2, "Allocated"), (3, "Approved"), (3, "Approved")):
        await replace(engine, "card:idea-7", f"update:idea-7:v{version}", text)

    rows = await outbox_rows(engine)
    assert [(r["dedupe_key"], r["summary"], r["replaces_id"]) for r in rows] == [
        ("card:idea-7", "Submitted", None),
        ("update:idea-7:v3", "Approved", original.id)]
    (update_,) = await SqlOutboxQueue(engine).claim("w", T0, 10, LEASE)
    assert texts([update_]) == ["Approved"]


async def test_an_update_in_flight_is_followed_by_another_not_edited_under_the_worker(
    engine: AsyncEngine,
):
    original = await sent_card(engine, "card:idea-7", "Submitted")
    await replace(engine, "card:idea-7", "update:idea-7:v2", "Allocated")
    assert texts(await SqlOutboxQueue(engine).claim("w", T0, 10, LEASE)) == ["Allocated"]
    await replace(engine, "card:idea-7", "update:idea-7:v3", "Approved")

    rows = await outbox_rows(engine)
    assert [(r["dedupe_key"], r["summary"], r["replaces_id"]) for r in rows] == [
        ("card:idea-7", "Submitted", None),
        ("update:idea-7:v2", "Allocated", original.id),
        ("update:idea-7:v3", "Approved", original.id)]


async def test_a_version_already_sent_is_not_queued_again(engine: AsyncEngine):
    queue = SqlOutboxQueue(engine)
    await sent_card(engine, "card:idea-7", "Submitted")
    await replace(engine, "card:idea-7", "update:idea-7:v2", "Allocated")
    (update_,) = await queue.claim("w", T0, 10, LEASE)
    await queue.sent(update_.id, "w", T0, "a:chat-1", "activity-9")

    await replace(engine, "card:idea-7", "update:idea-7:v2", "Allocated")

    assert len(await outbox_rows(engine)) == 2
    assert await queue.claim("w", T0, 10, LEASE) == []


async def test_replacing_a_card_never_queued_changes_nothing(engine: AsyncEngine):
    async with SqlUnitOfWork(engine) as uow:
        assert not await uow.outbox.replace_cards({"status:nope": message("status:nope:v2")}, T0)
        await uow.commit()
    assert await outbox_rows(engine) == []


async def test_several_cards_are_replaced_at_once_each_the_way_its_state_needs(
    engine: AsyncEngine,
):
    queue = SqlOutboxQueue(engine)
    await enqueue(engine, message("card:pmo"), message("card:spoc"), message("card:deputy"))
    pmo, spoc = await queue.claim("w", T0, 2, LEASE)  # the deputy's card still waits
    await queue.sent(pmo.id, "w", T0, "a:chat-1", "activity-1")

    async with SqlUnitOfWork(engine) as uow:
        replaced = await uow.outbox.replace_cards({
            key: message(f"update:{key}", text=f"{key} v2")
            for key in ("card:pmo", "card:spoc", "card:deputy", "card:nobody")
        }, T0)
        await uow.commit()

    assert replaced == {"card:pmo", "card:spoc", "card:deputy"}
    rows = await outbox_rows(engine)
    assert [(r["dedupe_key"], r["summary"], r["replaces_id"]) for r in rows] == [
        ("card:pmo", "card:pmo", None),         # sent: left as it was sent...
        ("card:spoc", "card:spoc", None),       # in flight: not edited under the worker
        ("card:deputy", "card:deputy v2", None),  # waiting: changed in place
        ("update:card:pmo", "card:pmo v2", pmo.id),  # ...and updated by a new row
        ("update:card:spoc", "card:spoc v2", spoc.id),
    ]


async def test_queueing_several_at_once_skips_the_keys_queued_already(engine: AsyncEngine):
    await enqueue(engine, message("card:pmo", text="first"))
    async with SqlUnitOfWork(engine) as uow:
        queued = await uow.outbox.enqueue_all(
            [message("card:pmo", text="again"), message("card:spoc"), message("card:deputy")],
            T0)
        await uow.commit()

    assert queued == 2
    assert [(r["dedupe_key"], r["summary"]) for r in await outbox_rows(engine)] == [
        ("card:pmo", "first"), ("card:spoc", "card:spoc"), ("card:deputy", "card:deputy")]


async def test_the_replacement_is_rolled_back_with_its_change(engine: AsyncEngine):
    await enqueue(engine, message("status:idea-7", text="Submitted"))
    async with SqlUnitOfWork(engine) as uow:
        await uow.outbox.replace_cards({"status:idea-7": message("v2", text="Under review")}, T0)

    (row,) = await outbox_rows(engine)
    assert row["summary"] == "Submitted"


# Addresses the worker reads


# What other workers sent: replicas pace a chat and share a tenant's rate together


async def test_a_worker_reads_what_other_workers_sent_lately_to_its_chats_and_tenants(
        engine: AsyncEngine):
    queue = SqlOutboxQueue(engine)
    sends = {"long ago": ("a:busy", "worker-b", -40), "lately": ("a:busy", "worker-b", -10),
             "elsewhere": ("a:quiet", "worker-c", -4), "mine": ("a:busy", "worker-a", -3)}
    for key, (conversation, worker, seconds) in sends.items():
        await enqueue(engine, OutgoingMessage(
            recipient=Recipient(conversation_id=conversation, tenant_id=TENANT),
            kind=MessageKind.NOTICE, dedupe_key=key, message=card(key)))
        (claimed,) = await queue.claim(worker, T0, 1, LEASE)
        await queue.sent(claimed.id, worker, T0 + timedelta(seconds=seconds), conversation,
                         f"activity-{key}")

    found = await queue.sends_elsewhere("worker-a", {"a:busy"}, T0 - timedelta(seconds=30),
                                        T0 - timedelta(seconds=5))

    # Its own send and the one older than the window are left out, as is a chat not asked
    # about; one other worker has sent in the last five seconds.
    assert found.to_conversation == {"a:busy": [T0 - timedelta(seconds=10)]}
    assert found.senders == 1
    assert (await queue.sends_elsewhere("worker-b", {"a:busy", "a:quiet"},
                                        T0 - timedelta(seconds=30),
                                        T0 - timedelta(seconds=5))).to_conversation == {
        "a:busy": [T0 - timedelta(seconds=3)], "a:quiet": [T0 - timedelta(seconds=4)]}
    nothing = await queue.sends_elsewhere("worker-a", set(), T0, T0)
    assert (nothing.to_conversation, nothing.senders) == ({}, 0)


def address(conversation_id: str, tenant: str | None = TENANT, object_id: str | None = None,
            kind: ConversationKind = ConversationKind.PERSONAL) -> ConversationAddress:
    return ConversationAddress(conversation_id=conversation_id, kind=kind,
                               service_url=f"https://smba.example/{conversation_id}/",
                               tenant_id=tenant, bot_id="28:bot", object_id=object_id)


async def remember(engine: AsyncEngine, *seen: tuple[ConversationAddress, datetime]) -> None:
    async with SqlUnitOfWork(engine) as uow:
        for where, at in seen:
            await uow.addresses.remember(where, at)
        await uow.commit()


async def test_address_finds_a_stored_conversation_unless_the_app_was_removed(
    engine: AsyncEngine,
):
    await remember(engine, (address("a:1", object_id="p1"), T0),
                   (address("a:2", object_id="p2"), T0))
    async with SqlUnitOfWork(engine) as uow:
        await uow.addresses.mark_removed("a:2", T0)
        await uow.commit()

    async with SqlUnitOfWork(engine) as uow:
        assert await uow.addresses.address("a:1") == address("a:1", object_id="p1")
        assert await uow.addresses.address("a:2") is None
        assert await uow.addresses.address("a:unknown") is None


async def test_latest_in_tenant_is_the_most_recently_seen_reachable_address(
    engine: AsyncEngine,
):
    await remember(
        engine,
        (address("a:old", object_id="p1"), T0 - timedelta(days=3)),
        (address("19:channel", kind=ConversationKind.CHANNEL), T0 - timedelta(days=1)),
        (address("a:newest-removed", object_id="p2"), T0),
        (address("b:other-tenant", tenant="other", object_id="p3"), T0 + timedelta(days=1)),
        (address("c:no-tenant", tenant=None, object_id="p4"), T0),
    )
    async with SqlUnitOfWork(engine) as uow:
        await uow.addresses.mark_removed("a:newest-removed", T0)
        await uow.commit()

    async with SqlUnitOfWork(engine) as uow:
        latest = await uow.addresses.latest_in_tenant(TENANT)
        assert latest is not None and latest.conversation_id == "19:channel"
        assert latest.service_url == "https://smba.example/19:channel/"
        other = await uow.addresses.latest_in_tenant("other")
        assert other is not None and other.conversation_id == "b:other-tenant"
        untenanted = await uow.addresses.latest_in_tenant(None)
        assert untenanted is not None and untenanted.conversation_id == "c:no-tenant"
        assert await uow.addresses.latest_in_tenant("unknown") is None


async def test_the_outbox_table_keeps_timestamps_timezone_aware(engine: AsyncEngine):
    await enqueue(engine, message("m"))
    async with engine.begin() as connection:
        await connection.execute(update(tables.outbox).values(sent_at=T0))
    (row,) = await outbox_rows(engine)
    assert row["sent_at"] == T0 and row["sent_at"].tzinfo is not None
