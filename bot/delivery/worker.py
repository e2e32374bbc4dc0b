"""Delivering the outbox: claim due messages, pace them under Teams' limits, record outcomes."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import structlog

from bot.delivery.backoff import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_CAP_SECONDS,
    MAX_ATTEMPTS,
    backoff_seconds,
)
from bot.delivery.pacing import Pacer
from bot.delivery.throttling import (
    FIRST_PAUSE_SECONDS,
    LONGEST_PAUSE_SECONDS,
    MAX_RETRY_AFTER_SECONDS,
    TenantPauses,
    hold_seconds,
)
from bot.delivery.verdicts import SERVICE_URL_REFUSED, Verdict, classify
from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.audit import SYSTEM, AuditEntry
from bot.domain.outbox import Delivery, DeliveryState, Recipient
from bot.services.ports import Clock, Messenger, OutboxQueue, SendResult, UnitOfWorkFactory

log = structlog.get_logger(__name__)

REFUSED_SERVICE_URL_REASON = (
    "not sent: the address's service URL is not a Bot Connector host, and the bot's token "
    "goes nowhere else")

# A send that must wait this long or more is put back in the outbox rather than waited for.
LONG_WAIT_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    in_flight: int = 16
    batch: int = 100
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


class DeliveryWorker:
    """Sends what the outbox holds. Start `run()` as a task; `wake()` after queueing work."""

    def __init__(self, queue: OutboxQueue, uow: UnitOfWorkFactory, messenger: Messenger,
                 clock: Clock, pacer: Pacer, options: DeliveryOptions | None = None,
                 *, doorbell: asyncio.Event | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._queue = queue
        self._uow = uow
        self._messenger = messenger
        self._clock = clock
        self._pacer = pacer
        self._options = options or DeliveryOptions()
        self._pauses = TenantPauses(self._options.first_pause_seconds,
                                    self._options.longest_pause_seconds)
        # Sends are booked with `pacer` when they are started, and leave when the send before
        # them in the conversation is done: `_departures` keeps the limits at leaving time.
        self._departures = pacer.twin()
        self._monotonic = monotonic
        self.owner = f"worker-{uuid.uuid4().hex[:12]}"
        self._wake = doorbell or asyncio.Event()
        self._slots = asyncio.Semaphore(self._options.in_flight)
        self._tasks: set[asyncio.Task[datetime | None]] = set()
        self._conversation_tails: dict[str, asyncio.Task[datetime | None]] = {}
        # Claimed messages this worker is handling: one claimed again (its lease ran out while
        # it waited here) is already in hand and must not be sent twice.
        self._in_hand: set[int] = set()
        # Conversations whose earliest unsent message was put back for later (a fault, a
        # 429, a busy chat): (its id, until when). Later messages to them wait for it.
        self._held_back: dict[str, tuple[int, datetime]] = {}
        # Bumped whenever this worker changes a stored address (a chat opened again, a person
        # who blocked the bot): addresses read for a batch before that are then read again.
        self._address_changes = 0

    def wake(self) -> None:
        """New work was committed: look for it now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, then finish the sends in flight."""
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
        while await self._deliver_batch():
            pass
        await self.drain()

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

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
        known, changes = await self._known_addresses(deliveries), self._address_changes
        for delivery in deliveries:
            if delivery.id in self._in_hand:
                continue
            self._in_hand.add(delivery.id)
            started = False
            until: datetime | None = None
            address: ConversationAddress | None = None
            try:
                address = await self._address_for(
                    delivery, known if self._address_changes == changes else None)
                if address is None:  # given up, or put back: later ones need not wait for it
                    self._held_back = {c: held for c, held in self._held_back.items()
                                       if held[0] != delivery.id}
                    continue
                await self._slots.acquire()
                try:
                    if await self._paced(delivery, address):
                        # Checked with no await before the start: a send to the same chat
                        # that ends now either holds it back or has it lined up behind.
                        until = self._held_back_until(address.conversation_id, delivery.id)
                        if until is None:
                            self._start(delivery, address)
                            started = True
                finally:
                    if not started:
                        self._slots.release()
                if until is not None:
                    await self._queue.retry(delivery.id, self.owner, until, None,
                                            count_attempt=False)
            except Exception as error:  # a fault in pacing one message must not wedge the rest
                log.exception("outbox.pacing_failed", delivery=delivery.id)
                retry_at = await self._record_failure(
                    delivery, None, SendResult(status=None, error=type(error).__name__))
                if retry_at is not None and address is not None:
                    self._hold_back(address.conversation_id, delivery.id, retry_at)
            finally:
                if not started:
                    self._in_hand.discard(delivery.id)
        self._pacer.prune(self._monotonic())
        self._departures.prune(self._monotonic())
        now = self._clock.now()
        overdue = now - self._options.lease
        for conversation in [c for c, (_, until) in self._held_back.items() if until <= overdue]:
            del self._held_back[conversation]
        return len(deliveries)

    def _held_back_until(self, conversation_id: str, delivery_id: int) -> datetime | None:
        """Until when this message must wait for an earlier one to the same conversation that
        was put back for later; None when it may go now."""
        held = self._held_back.get(conversation_id)
        if held is None or delivery_id < held[0]:
            return None
        held_id, until = held
        now = self._clock.now()
        if delivery_id == held_id or now >= until + self._options.lease:
            # It is back; or so long overdue that another worker must have taken it.
            del self._held_back[conversation_id]
            return None
        # Until it is due (then both are claimed together, in order); if it is due already
        # but not back here yet, look again shortly.
        return until if now < until else now + timedelta(seconds=LONG_WAIT_SECONDS)

    def _hold_back(self, conversation_id: str, delivery_id: int, until: datetime) -> None:
        held = self._held_back.get(conversation_id)
        if held is None or delivery_id <= held[0]:
            self._held_back[conversation_id] = (delivery_id, until)

    def _start(self, delivery: Delivery, address: ConversationAddress) -> None:
        """Send in the background, after any earlier send to the same conversation."""
        previous = self._conversation_tails.get(address.conversation_id)
        task = asyncio.create_task(self._send(delivery, address, previous))
        self._tasks.add(task)
        self._conversation_tails[address.conversation_id] = task

        def finished(done: asyncio.Task[datetime | None]) -> None:
            until = None if done.cancelled() or done.exception() is not None else done.result()
            if until is not None:
                self._hold_back(address.conversation_id, delivery.id, until)
            self._tasks.discard(done)
            self._in_hand.discard(delivery.id)
            self._slots.release()
            if self._conversation_tails.get(address.conversation_id) is done:
                del self._conversation_tails[address.conversation_id]

        task.add_done_callback(finished)

    async def _paced(self, delivery: Delivery, address: ConversationAddress) -> bool:
        """Wait a moment for the pace of the tenant and the conversation; put the message
        back for later when the wait is long (a busy conversation, or a tenant Teams told to
        wait with a 429), so that the rest of the batch, other tenants included, does not
        wait with it, and no claimed message's lease runs out while the batch sleeps."""
        tenant = address.tenant_id or ""
        while True:
            now = self._monotonic()
            wait = self._pacer.wait(tenant, address.conversation_id, now)
            if wait <= 0:
                self._pacer.record(tenant, address.conversation_id, now)
                return True
            if wait >= LONG_WAIT_SECONDS:
                until = self._clock.now() + timedelta(seconds=wait)
                await self._queue.retry(delivery.id, self.owner, until, None,
                                        count_attempt=False)
                self._hold_back(address.conversation_id, delivery.id, until)
                return False
            await asyncio.sleep(wait)

    async def _known_addresses(
        self, deliveries: list[Delivery]
    ) -> dict[Recipient, ConversationAddress]:
        """The stored addresses of a batch's recipients (those that have one)."""
        if not deliveries:
            return {}
        async with self._uow() as uow:
            return await uow.addresses.addresses_for(d.recipient for d in deliveries)

    async def _address_for(
        self, delivery: Delivery, known: dict[Recipient, ConversationAddress] | None = None
    ) -> ConversationAddress | None:
        """Where to send: the stored conversation, the person's 1:1 chat, or a new 1:1 chat.
        `known` holds addresses already read for the batch."""
        recipient = delivery.recipient
        if known is not None and (address := known.get(recipient)) is not None:
            return address
        async with self._uow() as uow:
            if recipient.conversation_id:
                address = await uow.addresses.address(recipient.conversation_id)
            else:
                address = await uow.addresses.personal_address(recipient.object_id or "")
            template = None
            if address is None and recipient.tenant_id:
                template = await uow.addresses.latest_in_tenant(recipient.tenant_id)
        if address is not None:
            return address
        if recipient.conversation_id:
            if recipient.tenant_id and template is not None:
                # A channel named in configuration (the news channel) that has not spoken to
                # the bot yet: it is reached through the tenant's service URL.
                return replace(template, conversation_id=recipient.conversation_id,
                               kind=ConversationKind.CHANNEL, object_id=None, user_id=None)
            await self._give_up(delivery, "the conversation is unknown or the app was removed")
            return None
        template = template or self._default_address(recipient.tenant_id)
        if template is None:
            await self._give_up(delivery, "no 1:1 chat with this person and no service URL")
            return None
        result, opened = await self._messenger.open_personal_chat(
            recipient.object_id or "", recipient.tenant_id, template
        )
        if opened is None:
            await self._record_failure(delivery, None, result)
            return None
        await self._remember(opened)
        return opened

    def _default_address(self, tenant_id: str | None) -> ConversationAddress | None:
        if not self._options.default_service_url or not self._options.bot_id:
            return None
        return ConversationAddress(
            conversation_id="", kind=ConversationKind.PERSONAL,
            service_url=self._options.default_service_url, tenant_id=tenant_id,
            bot_id=self._options.bot_id,
        )

    async def _send(self, delivery: Delivery, address: ConversationAddress,
                    previous: asyncio.Task[datetime | None] | None) -> datetime | None:
        """Send one message, after the one before it in the same conversation. Returns when
        the next message to this conversation may go, if this one was put back for later."""
        held_back = None
        if previous is not None:
            await asyncio.wait({previous})
            if not previous.cancelled() and previous.exception() is None:
                held_back = previous.result()
        try:
            # Keep the conversation's order: a message lined up behind one that was put back
            # for later goes back too, rather than overtaking it.
            if held_back is not None:
                await self._queue.retry(delivery.id, self.owner, held_back, None,
                                        count_attempt=False)
                return held_back
            # The lease was taken when the batch was claimed; it may have run short while this
            # message waited its turn. Then send only while it is still this worker's, for a
            # fresh lease: a lease need only outlast one send, not a whole batch. A lease
            # with more than half its time left is certainly still ours, and is kept as it is
            # (one write less per message).
            if self._lease_running_short(delivery) and not await self._queue.renew(
                    delivery.id, self.owner, self._clock.now() + self._options.lease):
                log.warning("outbox.lease_lost", delivery=delivery.id, owner=self.owner)
                return None
            until = await self._depart(delivery, address)
            if until is not None:
                return until
            if delivery.replaces_id is not None:
                result = await self._replace(delivery, address)
                if result is None:
                    return None
            else:
                result = await self._messenger.send(address, delivery.message)
            verdict = classify(result.status, result.error)
            if verdict is Verdict.RECREATE and address.kind is ConversationKind.PERSONAL \
                    and address.object_id and delivery.replaces_id is None:
                result, address = await self._reopen(delivery, address)
                verdict = classify(result.status, result.error)
            if verdict is Verdict.SENT:
                self._pauses.recovered(address.tenant_id or "")
                await self._queue.sent(delivery.id, self.owner, self._clock.now(),
                                       address.conversation_id, result.activity_id)
                return None
            return await self._record_failure(delivery, address, result)
        except Exception as error:  # a bug or an outage must not lose the message
            log.exception("outbox.send_crashed", delivery=delivery.id)
            return await self._record_failure(delivery, address,
                                              SendResult(status=None, error=type(error).__name__))

    def _lease_running_short(self, delivery: Delivery) -> bool:
        if delivery.leased_until is None:
            return True
        return delivery.leased_until - self._clock.now() < self._options.lease / 2

    async def _depart(self, delivery: Delivery,
                      address: ConversationAddress) -> datetime | None:
        """Keep Teams' limits, and a 429 hold, at the moment the send leaves: one booked in
        time can leave late, behind a slow send, and sends must not then bunch up. Returns
        the time it was put back until, when the wait would be long."""
        tenant = address.tenant_id or ""
        while True:
            now = self._monotonic()
            wait = max(self._departures.wait(tenant, address.conversation_id, now),
                       self._pacer.held_for(tenant, now))
            if wait <= 0:
                self._departures.record(tenant, address.conversation_id, now)
                return None
            if wait >= LONG_WAIT_SECONDS:
                until = self._clock.now() + timedelta(seconds=wait)
                await self._queue.retry(delivery.id, self.owner, until, None,
                                        count_attempt=False)
                return until
            await asyncio.sleep(wait)

    async def _replace(self, delivery: Delivery,
                       address: ConversationAddress) -> SendResult | None:
        original = await self._queue.sent_activity(delivery.replaces_id or 0)
        if original is None or original.state is DeliveryState.DEAD:
            await self._give_up(delivery, "the card to replace was never delivered")
            return None
        if original.state is not DeliveryState.SENT or not original.activity_id:
            # Not sent yet: come back once it is.
            await self._queue.retry(delivery.id, self.owner,
                                    self._clock.now() + timedelta(seconds=5), None,
                                    count_attempt=False)
            return None
        if original.conversation_id != address.conversation_id:
            # Replace the card where it was sent, wherever the recipient is reached now.
            async with self._uow() as uow:
                sent_to = await uow.addresses.address(original.conversation_id or "")
            if sent_to is None:
                await self._give_up(delivery, "the conversation of the card to replace is gone")
                return None
            address = sent_to
        return await self._messenger.replace(address, original.activity_id, delivery.message)

    async def _reopen(self, delivery: Delivery, address: ConversationAddress
                      ) -> tuple[SendResult, ConversationAddress]:
        """The 1:1 chat is gone (404): open a new one, once, and send there."""
        result, opened = await self._messenger.open_personal_chat(
            address.object_id or "", address.tenant_id, address
        )
        if opened is None:
            return result, address
        await self._remember(opened)
        log.info("outbox.conversation_recreated", delivery=delivery.id,
                 conversation=opened.conversation_id)
        return await self._messenger.send(opened, delivery.message), opened

    async def _record_failure(self, delivery: Delivery, address: ConversationAddress | None,
                              result: SendResult) -> datetime | None:
        """Retry later, or give up; the time it was put back until, None when given up."""
        verdict = classify(result.status, result.error)
        reason = (REFUSED_SERVICE_URL_REASON if result.error == SERVICE_URL_REFUSED
                  else f"{result.status or 'network'}: {result.error or verdict.value}")
        now = self._clock.now()
        if verdict is Verdict.THROTTLED:
            retry_after = hold_seconds(result.retry_after, self._options.max_retry_after_seconds)
            if address is not None:
                self._pacer.hold(address.tenant_id or "", self._monotonic() + retry_after)
            log.warning("outbox.throttled", delivery=delivery.id, retry_after=retry_after)
            until = now + timedelta(seconds=retry_after)
            await self._queue.retry(delivery.id, self.owner, until, reason,
                                    count_attempt=False)
            return until
        if verdict is Verdict.SUSPENDED:
            tenant = (address.tenant_id if address else delivery.recipient.tenant_id) or ""
            return await self._pause_tenant(delivery, tenant, reason)
        if verdict is Verdict.UNREACHABLE:
            await self._queue.dead(delivery.id, self.owner, reason)
            if address is not None:
                await self._unreachable(address, reason)
            return None
        if verdict is Verdict.RETRY and delivery.attempts + 1 < self._options.max_attempts:
            delay = backoff_seconds(delivery.attempts + 1,
                                    base=self._options.backoff_base_seconds,
                                    cap=self._options.backoff_cap_seconds)
            log.warning("outbox.retrying", delivery=delivery.id, reason=reason,
                        attempt=delivery.attempts + 1, in_seconds=round(delay, 1))
            until = now + timedelta(seconds=delay)
            await self._queue.retry(delivery.id, self.owner, until, reason)
            return until
        await self._give_up(delivery, reason)
        return None

    async def _pause_tenant(self, delivery: Delivery, tenant: str,
                            reason: str) -> datetime | None:
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
        if delivery.attempts + 1 >= self._options.max_attempts:
            await self._give_up(delivery, reason)
            return None
        until = self._clock.now() + timedelta(seconds=self._pacer.held_for(tenant, now))
        await self._queue.retry(delivery.id, self.owner, until, reason)
        return until

    async def _give_up(self, delivery: Delivery, reason: str) -> None:
        log.error("outbox.dead", delivery=delivery.id, kind=delivery.kind.value, reason=reason)
        await self._queue.dead(delivery.id, self.owner, reason)

    async def _unreachable(self, address: ConversationAddress, reason: str) -> None:
        """The person blocked or removed the app: stop sending there until they are back."""
        self._address_changes += 1
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.addresses.mark_removed(address.conversation_id, now)
            await uow.audit.record(AuditEntry(
                actor=SYSTEM, action="conversation.unreachable",
                subject=address.conversation_id, at=now, detail={"reason": reason},
            ))
            await uow.commit()

    async def _remember(self, address: ConversationAddress) -> None:
        self._address_changes += 1
        async with self._uow() as uow:
            await uow.addresses.remember(address, self._clock.now())
            await uow.commit()
