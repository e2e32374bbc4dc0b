"""Delivering the outbox: claim due messages, pace them under Teams' limits, record outcomes.

The worker composes the package's parts: the resolver says where each message goes, the two
gates keep Teams' limits when a send is started and again when it leaves, the chat order keeps
each conversation's messages in sequence, and `after_failure` says what a refused send means.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from bot.delivery.backoff import BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS, MAX_ATTEMPTS
from bot.delivery.counts import NoCounts, SendCounts, SendStatus
from bot.delivery.failures import (
    BotRefused,
    ChatClosed,
    ChatGone,
    GiveUp,
    RetryLater,
    RetryPolicy,
    Throttled,
    after_failure,
)
from bot.delivery.gate import Booking, Gate, Sleep
from bot.delivery.ordering import ChatOrder
from bot.delivery.pacing import ACTIVE_SENDER_SECONDS, ELSEWHERE_SECONDS, Pacer
from bot.delivery.resolver import AddressResolver, OpenFailed, Resolved
from bot.delivery.throttling import (
    FIRST_PAUSE_SECONDS,
    LONGEST_PAUSE_SECONDS,
    MAX_RETRY_AFTER_SECONDS,
    TenantPauses,
)
from bot.delivery.verdicts import Verdict, classify
from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.breakers import Breaker, has_breaker
from bot.domain.outbox import Delivery, DeliveryState
from bot.services.ports import (
    Clock,
    DestinationBreakers,
    Messenger,
    OutboxQueue,
    SendResult,
    UnitOfWorkFactory,
)

log = structlog.get_logger(__name__)

# How soon a replacement card looks again for the card it replaces, when that is not sent yet.
REPLACE_LATER = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    """How the worker claims, paces and retries (bot.app's build_worker fills it from the
    settings)."""

    in_flight: int = 16
    # What one claim takes: half a second's sends at Teams' 50 a second. The worker books a
    # claim's sends at the tenant's pace before it claims again, so a notice queued behind a
    # broadcast waits at most that long to be claimed (then goes first: storage.outbox's
    # in_sending_order); a claim of 100 held it two seconds.
    batch: int = 25
    lease: timedelta = timedelta(seconds=120)
    idle_poll_seconds: float = 1.0
    max_attempts: int = MAX_ATTEMPTS
    backoff_base_seconds: float = BACKOFF_BASE_SECONDS
    backoff_cap_seconds: float = BACKOFF_CAP_SECONDS
    # The longest a 429 holds a tenant, whatever its Retry-After says.
    max_retry_after_seconds: float = MAX_RETRY_AFTER_SECONDS
    # How long a tenant whose Bot Connector refuses the bot itself (a tenant-wide 403) is
    # paused: the first time, and at most, doubling while it keeps refusing.
    first_pause_seconds: float = FIRST_PAUSE_SECONDS
    longest_pause_seconds: float = LONGEST_PAUSE_SECONDS
    # When the person has no stored 1:1 chat and no address in their tenant is known yet.
    default_service_url: str | None = None
    bot_id: str | None = None

    @property
    def retries(self) -> RetryPolicy:
        """The options that decide what becomes of a failed send."""
        return RetryPolicy(self.max_attempts, self.backoff_base_seconds,
                           self.backoff_cap_seconds, self.max_retry_after_seconds)


class DeliveryWorker:
    """Sends what the outbox holds. Start `run()` as a task; `wake()` after queueing work.

    Every line logged about a message carries its `delivery_id` (and the worker's
    `outbox_worker`); how each send ended is told to `counts`."""

    def __init__(self, queue: OutboxQueue, uow: UnitOfWorkFactory, messenger: Messenger,
                 clock: Clock, pacer: Pacer, options: DeliveryOptions | None = None,
                 *, doorbell: asyncio.Event | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Sleep = asyncio.sleep, counts: SendCounts | None = None,
                 breakers: DestinationBreakers | None = None) -> None:
        self._queue = queue
        self._counts = counts or NoCounts()
        self._messenger = messenger
        self._clock = clock
        self._pacer = pacer
        self._options = options or DeliveryOptions()
        self._monotonic = monotonic
        self._addresses = AddressResolver(uow, messenger, clock,
                                          default_service_url=self._options.default_service_url,
                                          bot_id=self._options.bot_id)
        # Sends are booked with `pacer` when they are started, and leave when the send before
        # them in the conversation is done: its twin keeps the limits at leaving time.
        self._booking = Gate(pacer, monotonic, sleep)
        self._departure = Gate(pacer.twin(), monotonic, sleep)
        self._order = ChatOrder(clock)
        self._pauses = TenantPauses(self._options.first_pause_seconds,
                                    self._options.longest_pause_seconds)
        self.owner = f"worker-{uuid.uuid4().hex[:12]}"
        self._wake = doorbell or asyncio.Event()
        self._slots = asyncio.Semaphore(self._options.in_flight)
        # Claimed messages this worker is handling: one claimed again (its lease ran out while
        # it waited here) is already in hand and must not be sent twice.
        self._in_hand: set[int] = set()
        # A team channel or group chat that refused the bot is paused, not given up on
        # (without `breakers`, its messages are given up as a 1:1 chat's are). The breakers
        # open for the destinations of the batch in hand, read once a batch.
        self._breakers = breakers
        self._paused: dict[str, Breaker] = {}
        # Destinations given up (refused past the breakers' ceiling), and when: a message to
        # one claimed before then was given up with it (even one in hand, waiting its turn
        # behind the refused probe), and is not sent.
        self._given_up: dict[str, datetime] = {}

    def wake(self) -> None:
        """New work was committed: look for it now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, then finish the sends in flight."""
        with structlog.contextvars.bound_contextvars(outbox_worker=self.owner):
            log.info("outbox.worker_started", owner=self.owner)
            try:
                while not stop.is_set():
                    # Cleared before looking, not after: a commit that rings while the worker
                    # looks is then not missed until the next poll.
                    self._wake.clear()
                    try:
                        claimed = await self._deliver_batch()
                    except Exception:  # e.g. the database is away for a moment: keep polling
                        log.exception("outbox.batch_failed", owner=self.owner)
                        claimed = 0
                    if claimed == 0:
                        await self._idle(stop)
            finally:
                await self.drain()
                log.info("outbox.worker_stopped", owner=self.owner)

    async def run_until_empty(self) -> None:
        """Deliver everything that is due now, then return (for `iip outbox run --once`)."""
        with structlog.contextvars.bound_contextvars(outbox_worker=self.owner):
            while await self._deliver_batch():
                pass
            await self.drain()

    async def drain(self) -> None:
        await self._order.drain()

    async def _idle(self, stop: asyncio.Event) -> None:
        waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())}
        _done, pending = await asyncio.wait(waiters, timeout=self._options.idle_poll_seconds,
                                            return_when=asyncio.FIRST_COMPLETED)
        for waiter in pending:
            waiter.cancel()

    async def _deliver_batch(self) -> int:
        deliveries = await self._queue.claim(self.owner, self._clock.now(),
                                             self._options.batch, self._options.lease)
        # One query for the batch's addresses, not one each: the loop below paces the sends,
        # and a database round trip per message there was most of the time between them.
        conversations = await self._addresses.read_ahead(d.recipient for d in deliveries)
        if deliveries:
            await self._learn_elsewhere(conversations)
        if self._breakers is not None:
            self._paused = await self._breakers.open_among(
                d.recipient.conversation_id for d in deliveries if d.recipient.conversation_id)
        for delivery in deliveries:
            if delivery.id in self._in_hand:
                continue
            self._in_hand.add(delivery.id)
            started = False
            try:
                # Bound here, the ids go with the send's own task too (it copies the context).
                with structlog.contextvars.bound_contextvars(delivery_id=delivery.id,
                                                             outbox_kind=delivery.kind.value):
                    started = await self._dispatch(delivery)
            finally:
                if not started:
                    self._in_hand.discard(delivery.id)
        self._booking.prune()
        self._departure.prune()
        self._order.prune()
        # A claim older than a lease is another worker's by now: forget give-ups as old.
        expired = self._clock.now() - self._options.lease
        self._given_up = {c: at for c, at in self._given_up.items() if at > expired}
        return len(deliveries)

    async def _learn_elsewhere(self, conversations: set[str]) -> None:
        """Tell the pacer what other workers sent lately to the batch's chats and how many are
        sending now (Teams counts every replica's sends together). Unread, the batch
        goes on paced by this worker's own sends alone."""
        now, monotonic = self._clock.now(), self._monotonic()
        try:
            found = await self._queue.sends_elsewhere(
                self.owner, conversations, now - timedelta(seconds=ELSEWHERE_SECONDS),
                now - timedelta(seconds=ACTIVE_SENDER_SECONDS))
        except Exception:
            log.warning("outbox.elsewhere_unread", exc_info=True)
            return
        for conversation, times in found.to_conversation.items():
            self._pacer.sent_elsewhere(
                conversation, [monotonic - (now - at).total_seconds() for at in times])
        workers = found.senders + 1  # this one too
        if self._pacer.share_tenant_rate(workers):
            log.info("outbox.tenant_rate_shared", workers=workers)

    async def _dispatch(self, delivery: Delivery) -> bool:
        """Find where the message goes, book its send, and start it; False when it was not
        started (given up, or put back for later)."""
        address: ConversationAddress | None = None
        try:
            match await self._addresses.resolve(delivery.recipient):
                case Resolved(address):
                    if (paused := self._paused_until(address)) is not None:
                        # Its destination is paused: it waits there, and holds back the
                        # later ones, until the breaker lets a message be tried.
                        until = await self._put_back(delivery, paused)
                        self._order.hold_back(address.conversation_id, delivery.id, until)
                        return False
                    return await self._book(delivery, address)
                case GiveUp(reason):
                    await self._give_up(delivery, reason)
                case OpenFailed(result):
                    await self._record_failure(delivery, None, result)
            # Given up, or put back: later ones to its conversation need not wait for it.
            self._order.forget(delivery.id)
            return False
        except Exception as error:  # a fault in pacing one message must not wedge the rest
            log.exception("outbox.pacing_failed", delivery=delivery.id)
            retry_at = await self._record_failure(
                delivery, None, SendResult(status=None, error=type(error).__name__))
            if retry_at is not None and address is not None:
                self._order.hold_back(address.conversation_id, delivery.id, retry_at)
            return False

    def _paused_until(self, address: ConversationAddress) -> datetime | None:
        """Until when the message's destination is paused by its breaker; None when a message
        may be tried there now (the probe, once the wait is over)."""
        breaker = self._paused.get(address.conversation_id)
        if breaker is None or breaker.probe_at <= self._clock.now():
            return None
        return breaker.probe_at

    async def _book(self, delivery: Delivery, address: ConversationAddress) -> bool:
        """Wait a moment for the pace of the tenant and the conversation, then start the send;
        put the message back for later when the wait is long, so that the rest of the batch
        does not wait with it and no claimed message's lease runs out while the batch sleeps."""
        conversation = address.conversation_id
        held_back: datetime | None = None
        await self._slots.acquire()
        started = False
        try:
            booking = await self._booking.admit(address.tenant_id or "", conversation)
            if not isinstance(booking, Booking):
                until = await self._put_back(delivery,
                                             self._clock.now() + timedelta(seconds=booking))
                self._order.hold_back(conversation, delivery.id, until)
            else:
                # Checked with no await before the start: a send to the same chat that ends
                # now either holds it back or has it lined up behind.
                held_back = self._order.held_back_until(conversation, delivery.id,
                                                        self._claimed_at(delivery))
                if held_back is None:
                    self._start(delivery, address, booking)
                    started = True
                else:
                    self._booking.release(booking)
        finally:
            if not started:
                self._slots.release()
        if held_back is not None:
            await self._put_back(delivery, held_back)
        return started

    def _start(self, delivery: Delivery, address: ConversationAddress,
               booking: Booking) -> None:
        """Send in the background, in turn with the conversation's other messages."""
        task = self._order.start(
            address.conversation_id, delivery.id,
            send=lambda: self._crash_safe(delivery, address,
                                          self._send(delivery, address, booking)),
            put_back=lambda until: self._crash_safe(delivery, address,
                                                    self._put_back_unsent(delivery, until,
                                                                          booking)))

        def finished(_done: asyncio.Task[datetime | None]) -> None:
            self._in_hand.discard(delivery.id)
            self._slots.release()

        task.add_done_callback(finished)

    async def _crash_safe(self, delivery: Delivery, address: ConversationAddress,
                          step: Awaitable[datetime | None]) -> datetime | None:
        """A bug or an outage in a send must not lose the message: it counts as a failure."""
        try:
            return await step
        except Exception as error:
            log.exception("outbox.send_crashed", delivery=delivery.id)
            return await self._record_failure(delivery, address,
                                              SendResult(status=None, error=type(error).__name__))

    async def _put_back_unsent(self, delivery: Delivery, until: datetime,
                               booking: Booking) -> datetime | None:
        """Put back a message booked to go that did not (the one before it in its chat was
        put back): the pace it was booked under is free for the messages that do go. Kept,
        a 429 on one message of a busy chat booked the rest of its batch, and that chat then
        waited for the pace of sends that never went."""
        self._booking.release(booking)
        return await self._put_back(delivery, until)

    async def _send(self, delivery: Delivery, address: ConversationAddress,
                    booking: Booking) -> datetime | None:
        """Send one message. Returns when the next message to this conversation may go, if
        this one was put back for later."""
        if self._given_up_with_destination(delivery, address):
            return None
        # The lease was taken when the batch was claimed; it may have run short while this
        # message waited its turn. Then send only while it is still this worker's, for a
        # fresh lease: a lease need only outlast one send, not a whole batch. A lease with
        # more than half its time left is certainly still ours, and is kept as it is (one
        # write less per message).
        if self._lease_running_short(delivery) and not await self._queue.renew(
                delivery.id, self.owner, self._clock.now() + self._options.lease):
            log.warning("outbox.lease_lost", delivery=delivery.id, owner=self.owner)
            return None
        # Teams' limits, and a 429 hold, are kept again as the send leaves: one booked in time
        # can leave late, behind a slow send, and sends must not then bunch up.
        departure = await self._departure.admit(address.tenant_id or "",
                                                address.conversation_id)
        if not isinstance(departure, Booking):
            return await self._put_back_unsent(
                delivery, self._clock.now() + timedelta(seconds=departure), booking)
        if delivery.replaces_id is not None:
            result = await self._replace(delivery, address)
            if result is None:
                return None
        else:
            result = await self._messenger.send(address, delivery.message)
        if classify(result.status, result.error) is Verdict.RECREATE \
                and address.kind is ConversationKind.PERSONAL and address.object_id \
                and delivery.replaces_id is None:
            result, address = await self._reopen(delivery, address)
        if classify(result.status, result.error) is Verdict.SENT:
            self._pauses.recovered(address.tenant_id or "")
            if self._breakers is not None and \
                    self._paused.pop(address.conversation_id, None) is not None:
                await self._breakers.resumed(address)
            await self._queue.sent(delivery.id, self.owner, self._clock.now(),
                                   address.conversation_id, result.activity_id)
            self._counts.send_ended(SendStatus.SENT)
            log.debug("outbox.sent", status=result.status)
            return None
        return await self._record_failure(delivery, address, result)

    def _given_up_with_destination(self, delivery: Delivery,
                                   address: ConversationAddress) -> bool:
        """Whether the message was claimed before its destination was given up, and so died
        with it."""
        gave_up = self._given_up.get(address.conversation_id)
        return gave_up is not None and self._claimed_at(delivery) <= gave_up

    def _claimed_at(self, delivery: Delivery) -> datetime:
        """When the message was last claimed (a claim's lease runs from then)."""
        if delivery.leased_until is None:
            return self._clock.now()
        return delivery.leased_until - self._options.lease

    def _lease_running_short(self, delivery: Delivery) -> bool:
        if delivery.leased_until is None:
            return True
        return delivery.leased_until - self._clock.now() < self._options.lease / 2

    async def _put_back(self, delivery: Delivery, until: datetime) -> datetime:
        """Back in the outbox until `until`, with no attempt counted: it waited, not failed."""
        await self._queue.retry(delivery.id, self.owner, until, None, count_attempt=False)
        return until

    async def _replace(self, delivery: Delivery,
                       address: ConversationAddress) -> SendResult | None:
        original = await self._queue.sent_activity(delivery.replaces_id or 0)
        if original is None or original.state is DeliveryState.DEAD:
            await self._give_up(delivery, "the card to replace was never delivered")
            return None
        if original.state is DeliveryState.CANCELLED:
            await self._give_up(delivery, "the card to replace was called off before it was sent")
            return None
        if original.state is not DeliveryState.SENT or not original.activity_id:
            # Not sent yet: come back once it is.
            await self._put_back(delivery, self._clock.now() + REPLACE_LATER)
            return None
        if original.conversation_id != address.conversation_id:
            # Replace the card where it was sent, wherever the recipient is reached now.
            sent_to = await self._addresses.stored(original.conversation_id or "")
            if sent_to is None:
                await self._give_up(delivery, "the conversation of the card to replace is gone")
                return None
            address = sent_to
        return await self._messenger.replace(address, original.activity_id, delivery.message)

    async def _reopen(self, delivery: Delivery, address: ConversationAddress
                      ) -> tuple[SendResult, ConversationAddress]:
        """The 1:1 chat is gone (404): open a new one, once, and send there."""
        result, opened = await self._addresses.reopen(address)
        if opened is None:
            return result, address
        log.info("outbox.conversation_recreated", delivery=delivery.id,
                 conversation=opened.conversation_id)
        return await self._messenger.send(opened, delivery.message), opened

    async def _record_failure(self, delivery: Delivery, address: ConversationAddress | None,
                              result: SendResult) -> datetime | None:
        """Retry later, or give up; the time it was put back until, None when given up."""
        now = self._clock.now()
        match after_failure(result, delivery.attempts, self._options.retries):
            case Throttled(reason, seconds):
                if address is not None:
                    self._pacer.hold(address.tenant_id or "", self._monotonic() + seconds)
                log.warning("outbox.throttled", delivery=delivery.id, retry_after=seconds)
                until = now + timedelta(seconds=seconds)
                await self._queue.retry(delivery.id, self.owner, until, reason,
                                        count_attempt=False)
                self._counts.send_ended(SendStatus.RETRIED)
                return until
            case BotRefused(reason, last_attempt):
                tenant = (address.tenant_id if address else delivery.recipient.tenant_id) or ""
                return await self._pause_tenant(delivery, tenant, reason, last_attempt)
            case ChatClosed(reason) | ChatGone(reason) if (
                    address is not None and self._breakers is not None
                    and has_breaker(address.kind)):
                # A channel or group chat closed to the bot, or gone: paused, not given up;
                # it counts no attempt, so that its messages wait however long it takes to
                # put right (up to the breakers' ceiling).
                return await self._pause_destination(delivery, address, reason,
                                                     self._breakers)
            case ChatClosed(reason):
                await self._queue.dead(delivery.id, self.owner, reason, unreachable=True)
                self._counts.send_ended(SendStatus.UNREACHABLE)
                if address is not None:
                    await self._addresses.mark_unreachable(address, reason)
                return None
            case ChatGone(reason):  # a 1:1 chat that could not be opened again
                await self._give_up(delivery, reason, unreachable=True)
                return None
            case RetryLater(reason, seconds):
                log.warning("outbox.retrying", delivery=delivery.id, reason=reason,
                            attempt=delivery.attempts + 1, in_seconds=round(seconds, 1))
                until = now + timedelta(seconds=seconds)
                await self._queue.retry(delivery.id, self.owner, until, reason)
                self._counts.send_ended(SendStatus.RETRIED)
                return until
            case GiveUp(reason, unreachable):
                await self._give_up(delivery, reason, unreachable=unreachable)
                return None

    async def _pause_destination(self, delivery: Delivery, address: ConversationAddress,
                                 reason: str, breakers: DestinationBreakers) -> datetime | None:
        """Pause the refusing destination and put the message back until its probe; given
        up, with the rest waiting there, once the destination has refused past the ceiling."""
        match await breakers.refused(address, reason):
            case Breaker() as breaker:
                self._paused[address.conversation_id] = breaker
                log.warning("outbox.destination_paused", delivery=delivery.id,
                            conversation=address.conversation_id, reason=reason,
                            probe_at=breaker.probe_at.isoformat())
                await self._queue.retry(delivery.id, self.owner, breaker.probe_at, reason,
                                        count_attempt=False)
                return breaker.probe_at
            case given_up:
                self._paused.pop(address.conversation_id, None)
                self._given_up[address.conversation_id] = self._clock.now()
                log.error("outbox.destination_given_up", conversation=address.conversation_id,
                          messages=given_up.messages)
                await self._give_up(delivery, given_up.reason, unreachable=True)
                return None

    async def _pause_tenant(self, delivery: Delivery, tenant: str, reason: str,
                            last_attempt: bool) -> datetime | None:
        """The Bot Connector refused the bot itself (its credentials, or its app blocked by
        the tenant's admin): send nothing more to the tenant for a while, longer each time it
        is refused again, rather than give up every message and close every chat. The message
        counts an attempt (so a refusal that only ever meets this message ends); the others
        wait without one. Logged as an error once a pause, for an operator to put right."""
        now = self._monotonic()
        pause = self._pauses.refused(tenant, now)
        if pause is not None:
            self._pacer.hold(tenant, now + pause)
            log.error("outbox.tenant_paused", tenant=tenant, reason=reason,
                      pause_seconds=pause, delivery=delivery.id)
        if last_attempt:
            await self._give_up(delivery, reason)
            return None
        until = self._clock.now() + timedelta(seconds=self._pacer.held_for(tenant, now))
        await self._queue.retry(delivery.id, self.owner, until, reason)
        self._counts.send_ended(SendStatus.RETRIED)
        return until

    async def _give_up(self, delivery: Delivery, reason: str, *,
                       unreachable: bool = False) -> None:
        log.error("outbox.dead", delivery=delivery.id, kind=delivery.kind.value, reason=reason)
        await self._queue.dead(delivery.id, self.owner, reason, unreachable=unreachable)
        self._counts.send_ended(SendStatus.UNREACHABLE if unreachable else SendStatus.DEAD)
