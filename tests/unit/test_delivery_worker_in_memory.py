"""The worker composing its parts, with an in-memory outbox, address book and messenger, a
fixed clock and a monotonic one that moves only when slept on: what becomes of each message.
(The real outbox, over a database and HTTP, is tests/integration/test_delivery_worker.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.delivery import (
    TENANT,
    FakeMessenger,
    FakeTime,
    FakeUnitOfWork,
    MemoryQueue,
    Store,
    personal,
)

from bot.delivery.pacing import Pacer, Window, tenant_windows
from bot.delivery.worker import DeliveryOptions, DeliveryWorker
from bot.domain.outbox import DeliveryState, Recipient
from bot.services.ports import SendResult

LEASE = timedelta(seconds=120)


class Setup:
    def __init__(self, clock) -> None:
        self.clock = clock
        self.time = FakeTime()
        self.store = Store()
        self.queue = MemoryQueue(clock)
        self.messenger = FakeMessenger()
        self.uow_calls = 0
        self.failing_uow_calls: set[int] = set()  # which units of work fail (1 is the first)

    def known(self, *names: str, tenant: str = TENANT) -> None:
        for name in names:
            address = personal(name, tenant)
            self.store.addresses[address.conversation_id] = address

    def worker(self, pacer: Pacer | None = None, **options: object) -> DeliveryWorker:
        return DeliveryWorker(self.queue, self._uow, self.messenger, self.clock,
                              pacer or Pacer(),
                              DeliveryOptions(lease=LEASE, **options),  # type: ignore[arg-type]
                              monotonic=self.time.monotonic, sleep=self.time.sleep)

    def _uow(self) -> FakeUnitOfWork:
        self.uow_calls += 1
        if self.uow_calls in self.failing_uow_calls:
            raise ConnectionResetError("the database went away for a moment")
        return FakeUnitOfWork(self.store)


@pytest.fixture
def setup(clock) -> Setup:
    return Setup(clock)


async def test_each_message_is_sent_once_in_its_chats_order(setup) -> None:
    setup.known("alex", "blake")
    for key in ("alex-1", "alex-2", "alex-3"):
        setup.queue.add("a:alex", key)
    setup.queue.add("a:blake", "blake-1")

    await setup.worker().run_until_empty()

    assert [s for c, s in setup.messenger.sent if c == "a:alex"] == ["alex-1", "alex-2", "alex-3"]
    assert {(r.state, r.attempts) for r in setup.queue.rows.values()} == {
        (DeliveryState.SENT, 1)}
    assert setup.queue["blake-1"].conversation_id == "a:blake"
    assert setup.time.slept == []  # well within Teams' pace: nothing waited


async def test_a_429_holds_the_tenant_and_the_chat_behind_it_without_using_attempts(
        setup, clock) -> None:
    setup.known("alex", "blake")
    setup.known("casey", tenant="tenant-u")
    setup.messenger.answer("a:alex", SendResult(status=429, retry_after=30.0))
    for recipient, key in (("a:alex", "alex-1"), ("a:alex", "alex-2"), ("a:blake", "blake-1"),
                           ("a:casey", "casey-1")):
        setup.queue.add(recipient, key)

    await setup.worker().run_until_empty()

    later = clock.now() + timedelta(seconds=30)
    for key in ("alex-1", "alex-2", "blake-1"):
        row = setup.queue[key]
        assert (row.state, row.attempts, row.not_before) == (DeliveryState.PENDING, 0, later)
    assert setup.queue["alex-1"].last_error == "429: throttled"
    assert setup.messenger.sent == [("a:casey", "casey-1")]  # another tenant goes on


async def test_messages_put_back_behind_a_429_leave_their_chats_pace_free(setup) -> None:
    """The chat's later messages were booked to go, then went back behind the throttled one
    without being sent: they take none of the chat's pace (three in 30 seconds here), which
    would otherwise hold the chat back for half a minute once Teams lets it go on."""
    setup.known("alex")
    setup.messenger.answer("a:alex", SendResult(status=429, retry_after=1.0))
    for key in ("alex-1", "alex-2", "alex-3"):
        setup.queue.add("a:alex", key)
    pacer = Pacer(tenant=tenant_windows(50), conversation=[Window(3, 30.0)])

    await setup.worker(pacer).run_until_empty()

    assert {setup.queue[k].state for k in ("alex-1", "alex-2", "alex-3")} == {
        DeliveryState.PENDING}
    # Only the one that reached Teams counts: two more may go at once.
    assert pacer.conversation_wait("a:alex", setup.time.now) == 0
    pacer.record(TENANT, "a:alex", setup.time.now)
    assert pacer.conversation_wait("a:alex", setup.time.now) == 0


async def test_a_passing_fault_is_retried_later_and_the_chat_waits_for_it(setup, clock) -> None:
    setup.known("alex")
    setup.messenger.answer("a:alex", SendResult(status=502, error="BadGateway"))
    setup.queue.add("a:alex", "receipt")
    setup.queue.add("a:alex", "status")

    worker = setup.worker(backoff_base_seconds=10.0)
    await worker.run_until_empty()
    receipt, status = setup.queue["receipt"], setup.queue["status"]
    assert (receipt.state, receipt.attempts, receipt.last_error) == (
        DeliveryState.PENDING, 1, "502: BadGateway")
    assert 5.0 <= (receipt.not_before - clock.now()).total_seconds() <= 10.0
    assert (status.state, status.attempts, status.not_before) == (
        DeliveryState.PENDING, 0, receipt.not_before)

    clock.advance(seconds=10)
    await worker.run_until_empty()
    assert setup.messenger.sent == [("a:alex", "receipt"), ("a:alex", "status")]


async def test_a_person_who_blocked_the_bot_is_given_up_and_not_sent_to_again(setup) -> None:
    setup.known("alex")
    setup.messenger.answer("a:alex", SendResult(status=403, error="ConversationBlockedByUser"))
    setup.queue.add("a:alex", "alex-1")

    await setup.worker().run_until_empty()
    setup.queue.add("a:alex", "alex-2")
    await setup.worker().run_until_empty()

    assert setup.store.removed == {"a:alex"}
    assert (setup.queue["alex-1"].state, setup.queue["alex-1"].last_error) == (
        DeliveryState.DEAD, "403: ConversationBlockedByUser")
    assert (setup.queue["alex-2"].state, setup.queue["alex-2"].last_error) == (
        DeliveryState.DEAD, "the conversation is unknown or the app was removed")
    assert setup.messenger.sent == []


async def test_a_lost_1to1_chat_is_opened_again_once_and_the_message_sent_there(setup) -> None:
    setup.known("alex")
    setup.messenger.answer("a:alex", SendResult(status=404, error="ConversationNotFound"))
    setup.queue.add(Recipient.person("oid-alex", TENANT), "alex-1")

    await setup.worker().run_until_empty()

    assert [o[0] for o in setup.messenger.opened] == ["oid-alex"]
    assert setup.messenger.sent == [("a:new-oid-alex", "alex-1")]
    assert setup.queue["alex-1"].conversation_id == "a:new-oid-alex"
    assert "a:new-oid-alex" in setup.store.addresses


async def test_a_refused_bot_pauses_its_tenant_and_keeps_the_messages(setup, clock) -> None:
    setup.known("alex", "blake")
    setup.messenger.answer("a:alex", SendResult(status=403, error="BotDisabledByAdmin"))
    setup.queue.add("a:alex", "alex-1")
    setup.queue.add("a:blake", "blake-1")

    await setup.worker(first_pause_seconds=60.0).run_until_empty()

    paused = clock.now() + timedelta(seconds=60)
    assert (setup.queue["alex-1"].state, setup.queue["alex-1"].attempts,
            setup.queue["alex-1"].not_before) == (DeliveryState.PENDING, 1, paused)
    assert (setup.queue["blake-1"].state, setup.queue["blake-1"].attempts,
            setup.queue["blake-1"].not_before) == (DeliveryState.PENDING, 0, paused)
    assert setup.messenger.sent == []
    assert setup.store.removed == set()


async def test_a_busy_chat_is_put_back_for_later_rather_than_waited_for(setup, clock) -> None:
    """Teams allows 7 sends a second to a chat: the eighth, a second away, is put back (the
    rest of the batch must not wait with it), and the ninth behind it."""
    setup.known("alex")
    for n in range(9):
        setup.queue.add("a:alex", f"alex-{n}")

    await setup.worker().run_until_empty()

    assert [s for _, s in setup.messenger.sent] == [f"alex-{n}" for n in range(7)]
    for key in ("alex-7", "alex-8"):
        row = setup.queue[key]
        assert (row.state, row.attempts, row.not_before) == (
            DeliveryState.PENDING, 0, clock.now() + timedelta(seconds=1))
    assert setup.time.slept == []


async def test_a_replacement_card_goes_where_the_card_it_replaces_went(setup) -> None:
    setup.known("alex")
    setup.queue.add("a:alex", "card")
    worker = setup.worker()
    await worker.run_until_empty()

    setup.queue.add("a:alex", "card, updated", replaces="card")
    await worker.run_until_empty()

    assert setup.messenger.replaced == [
        ("a:alex", setup.queue["card"].activity_id, "card, updated")]
    assert setup.queue["card, updated"].state is DeliveryState.SENT


async def test_a_replacement_for_a_card_called_off_before_it_was_sent_is_given_up(
        setup) -> None:
    """Its broadcast was cancelled: the card will never be sent, so there is nothing to
    update, and waiting for it would keep the replacement coming back for ever."""
    setup.known("alex")
    setup.queue.add("a:alex", "card")
    setup.queue["card"].state = DeliveryState.CANCELLED
    setup.queue.add("a:alex", "card, updated", replaces="card")

    await setup.worker().run_until_empty()

    assert setup.messenger.replaced == []
    assert (setup.queue["card, updated"].state, setup.queue["card, updated"].last_error) == (
        DeliveryState.DEAD, "the card to replace was called off before it was sent")


async def test_a_message_that_could_not_even_be_put_back_is_not_left_in_hand(setup,
                                                                             clock) -> None:
    """The database fails while the worker finds the address and again as it records that:
    the batch fails, but the message must be taken up again once its lease runs out, not
    skipped for ever as one this worker still holds."""
    setup.queue.add(Recipient.person("oid-alex", TENANT), "alex-1")
    worker = setup.worker()
    setup.failing_uow_calls = {2}  # the batch's addresses are read; finding this one fails

    async def failing_retry(*_args: object, **_kwargs: object) -> None:
        raise ConnectionResetError("the database went away again")

    retry, setup.queue.retry = setup.queue.retry, failing_retry
    with pytest.raises(ConnectionResetError):
        await worker.run_until_empty()
    setup.queue.retry = retry
    setup.known("alex")

    clock.advance(seconds=LEASE.total_seconds() + 1)
    await worker.run_until_empty()

    assert setup.messenger.sent == [("a:alex", "alex-1")]
