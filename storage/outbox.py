"""The outbox table: queueing messages inside a change's transaction, and claiming them to send.

Claims are leases: a worker marks rows as its own until `leased_until`. On PostgreSQL claims
take turns under an advisory lock and skip rows a change is rewriting (FOR UPDATE SKIP
LOCKED), so replicas never send the same row at once; on SQLite writes are serialised anyway.
A worker that dies mid-send leaves its rows to be claimed again once the lease expires: at
most its sends in flight repeat. A claim passes over a chat whose earlier message must go
first, so each chat reads in the order its messages were queued. Interactive messages go
before bulk ones (a batch, such as a campaign's broadcast) that are due with them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, FromClause, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain.addresses import ConversationKind
from bot.domain.messages import CardMessage
from bot.domain.outbox import (
    BatchProgress,
    Delivery,
    DeliveryState,
    MessageKind,
    OutgoingMessage,
    Recipient,
    SendsElsewhere,
    SentActivity,
)
from bot.domain.sla import first_response_of
from storage.engine import connect
from storage.promises import record_first_response
from storage.tables import conversation_addresses, outbox
from storage.upsert import insert_for


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    pending: int
    sending: int
    sent: int
    failing: int
    dead: int
    oldest_pending_seconds: float | None
    cancelled: int = 0  # called off with their batch: kept on record, never sent


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    """What the outbox still owes, read cheaply enough for every health check and scrape."""

    pending: int  # waiting, some until later
    sending: int
    dead: int
    oldest_pending_seconds: float | None  # how long the oldest message that is due has waited


@dataclass(frozen=True, slots=True)
class DeadFilter:
    """Which dead messages `iip outbox retry --dead` sends again: of a kind, queued since a
    moment, of a batch (each None: any)."""

    kind: MessageKind | None = None
    since: datetime | None = None
    batch: str | None = None

    def clause(self) -> ColumnElement[bool]:
        conditions = [outbox.c.state == DeliveryState.DEAD.value]
        if self.kind is not None:
            conditions.append(outbox.c.kind == self.kind.value)
        if self.since is not None:
            conditions.append(outbox.c.created_at >= self.since)
        if self.batch is not None:
            conditions.append(outbox.c.batch == self.batch)
        return and_(*conditions)


@dataclass(frozen=True, slots=True)
class Requeued:
    """What a retry of dead messages did: how many it requeued, and how many it passed over
    because their recipients cannot be reached."""

    requeued: int
    unreachable: int


class SqlOutbox:
    """The queueing side, used inside a unit of work."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection
        self.queued = 0

    async def enqueue(self, message: OutgoingMessage, now: datetime) -> bool:
        """Queue `message` unless its de-duplication key is queued already; True if queued."""
        return bool(await self.enqueue_all([message], now))

    async def enqueue_all(self, messages: list[OutgoingMessage], now: datetime) -> int:
        """Queue each message whose key is not queued yet, in one statement; how many were."""
        return await self._insert([_row(message, now) for message in messages])

    async def _insert(self, rows: list[dict[str, object]]) -> int:
        if not rows:
            return 0
        # Rows as parameters of one statement, not `.values(rows)`: SQLAlchemy cannot cache a
        # multi-row VALUES clause and compiled it afresh for every decision's cards. It still
        # goes to the database as one multi-row INSERT ("insertmanyvalues").
        result = await self._db.execute(
            insert_for(self._db, outbox)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(outbox.c.id),
            rows,
        )
        queued = len(result.all())
        self.queued += queued
        return queued

    async def replace_cards(self, replacements: dict[str, OutgoingMessage],
                            now: datetime) -> set[str]:
        """Replace each card queued under a key of `replacements` by its value: in place while
        it waits to be sent; once it is sent (or being sent), by the update that will replace
        it in Teams, itself changed in place while it waits, else a new row. Only the latest
        version of a card is worth a send: a card changed three times while its chat is behind
        (Teams takes 60 sends in 30 s into one chat, 1,800 an hour) costs one update, not
        three. Two statements, and one more for each message still waiting; the keys of the
        cards found."""
        if not replacements:
            return set()
        waiting = outbox.alias("waiting")
        found = await self._db.execute(
            select(outbox.c.id, outbox.c.state, outbox.c.dedupe_key,
                   waiting.c.id.label("update_id"))
            .outerjoin(waiting, and_(waiting.c.replaces_id == outbox.c.id,
                                     waiting.c.state == DeliveryState.PENDING.value))
            .where(outbox.c.dedupe_key.in_(list(replacements)))
            .order_by(waiting.c.id)
        )
        # A card's latest waiting update last, should there be two.
        originals = {row.dedupe_key: row for row in found}
        rows: list[dict[str, Any]] = []
        for key, replacement in replacements.items():  # in the caller's order
            original = originals.get(key)
            if original is None:
                continue
            pending = (original.id if original.state == DeliveryState.PENDING.value
                       else original.update_id)
            if pending is not None and await self._rewrite(pending, replacement):
                continue
            rows.append(_row(replacement, now, replaces_id=original.id))
        await self._insert(rows)
        return set(originals)

    async def _rewrite(self, row_id: int, replacement: OutgoingMessage) -> bool:
        """Change a message that has not been sent yet into `replacement`; False if it was
        claimed meanwhile. An update takes the replacement's key too, so that its version
        counts as queued; a first send keeps its own, which later updates are found by."""
        message = replacement.message
        other = outbox.alias("other")
        taken = select(other.c.id).where(other.c.dedupe_key == replacement.dedupe_key)
        result = await self._db.execute(
            update(outbox)
            .where(outbox.c.id == row_id, outbox.c.state == DeliveryState.PENDING.value)
            .values(summary=message.summary, fallback_text=message.fallback_text,
                    card=message.card, dedupe_key=case(
                (and_(outbox.c.replaces_id.is_not(None), ~taken.exists()),
                 replacement.dedupe_key),
                else_=outbox.c.dedupe_key))
        )
        return bool(result.rowcount)

    async def first_sends(self, keys: list[str]) -> dict[str, datetime]:
        """Which of `keys` were queued as first sends (not replacements), and when: looked
        up by the key's unique index, however large the outbox grows."""
        if not keys:
            return {}
        rows = await self._db.execute(
            select(outbox.c.dedupe_key, outbox.c.created_at)
            .where(outbox.c.dedupe_key.in_(keys), outbox.c.replaces_id.is_(None))
        )
        return {row.dedupe_key: row.created_at for row in rows}

    async def cancel_batch(self, batch: str, at: datetime) -> int:
        """Call off the messages of `batch` still waiting (to be sent, or tried again), keeping
        them on record as cancelled; how many. One in flight is left to be sent: a send
        cannot be recalled, and its worker still owns the row."""
        result = await self._db.execute(
            update(outbox)
            .where(outbox.c.batch == batch, outbox.c.state == DeliveryState.PENDING.value)
            .values(state=DeliveryState.CANCELLED.value, cancelled_at=at)
        )
        return result.rowcount

    async def give_up_conversation(self, conversation_id: str, reason: str) -> frozenset[int]:
        """Give up every message not sent to the conversation (a destination gone for good),
        recording `reason`; their ids. Those in flight too: a worker holding one (being put
        back behind a refused probe, or probing) finds it given up and leaves it so, rather
        than have it reopen the destination's breaker."""
        result = await self._db.execute(
            update(outbox)
            .where(outbox.c.conversation_id == conversation_id,
                   outbox.c.state.in_([DeliveryState.PENDING.value,
                                       DeliveryState.SENDING.value]))
            .values(state=DeliveryState.DEAD.value, last_error=reason[:1000],
                    unreachable=True, lease_owner=None, leased_until=None)
            .returning(outbox.c.id))
        return frozenset(result.scalars())

    async def batch_progress(self, batch: str) -> BatchProgress:
        """How many of the messages of `batch` stand where (all zero for a batch unknown)."""
        rows = await self._db.execute(
            select(outbox.c.state, outbox.c.last_error.is_not(None), func.count())
            .where(outbox.c.batch == batch)
            .group_by(outbox.c.state, outbox.c.last_error.is_not(None))
        )
        counts: dict[str, int] = {}
        for state, erred, count in rows:
            name = ("failing" if state == DeliveryState.PENDING.value and erred
                    else _PROGRESS_FIELDS[DeliveryState(state)])
            counts[name] = counts.get(name, 0) + count
        return BatchProgress(**counts)


    async def sent_counts(self, batches: list[str]) -> dict[str, int]:
        """How many messages of each of `batches` were sent, in one grouped count."""
        if not batches:
            return {}
        rows = await self._db.execute(
            select(outbox.c.batch, func.count())
            .where(outbox.c.batch.in_(batches), outbox.c.state == DeliveryState.SENT.value)
            .group_by(outbox.c.batch))
        return {batch: count for batch, count in rows}

    async def unreachable_in(self, batch: str) -> list[tuple[Recipient, str]]:
        """The recipients of `batch` given up as unreachable, with the reason recorded."""
        rows = await self._db.execute(
            select(outbox.c.conversation_id, outbox.c.object_id, outbox.c.tenant_id,
                   outbox.c.last_error)
            .where(outbox.c.batch == batch, outbox.c.state == DeliveryState.DEAD.value,
                   outbox.c.unreachable)
            .order_by(outbox.c.id))
        return [(Recipient(conversation_id=row.conversation_id, object_id=row.object_id,
                           tenant_id=row.tenant_id), row.last_error or "")
                for row in rows]

    async def retry_failed(self, batch: str, now: datetime) -> int:
        """Give the messages of `batch` that were given up a fresh set of attempts, now,
        except those whose recipient cannot be reached; how many."""
        result = await self._db.execute(
            update(outbox)
            .where(outbox.c.batch == batch, outbox.c.state == DeliveryState.DEAD.value,
                   outbox.c.unreachable.is_(False))
            .values(state=DeliveryState.PENDING.value, attempts=0, not_before=now))
        self.queued += result.rowcount
        return result.rowcount


_PROGRESS_FIELDS = {
    DeliveryState.PENDING: "pending", DeliveryState.SENDING: "sending",
    DeliveryState.SENT: "sent", DeliveryState.DEAD: "dead",
    DeliveryState.CANCELLED: "cancelled",
}


def _row(message: OutgoingMessage, now: datetime,
         replaces_id: int | None = None) -> dict[str, object]:
    """The outbox row that queues `message`."""
    return {
        "kind": message.kind.value,
        "dedupe_key": message.dedupe_key,
        "conversation_id": message.recipient.conversation_id,
        "object_id": message.recipient.object_id,
        "tenant_id": message.recipient.tenant_id,
        "summary": message.message.summary,
        "fallback_text": message.message.fallback_text,
        "card": message.message.card,
        "state": DeliveryState.PENDING.value,
        "not_before": message.not_before or now,
        "created_at": now,
        "due_at": max(message.not_before or now, now),
        "attempts": 0,
        "replaces_id": replaces_id,
        "batch": message.batch,
    }


def _due(table: FromClause, now: datetime) -> ColumnElement[bool]:
    """The row may be sent now: it waits and its time has come, or the worker that held it
    let its lease run out. A sent, dead or cancelled row never is."""
    return and_(
        table.c.not_before <= now,
        or_(
            table.c.state == DeliveryState.PENDING.value,
            and_(table.c.state == DeliveryState.SENDING.value, table.c.leased_until < now),
        ),
    )


def _due_since() -> ColumnElement[datetime]:
    """Since when the row has been due: when first owed, or the earlier time it was scheduled
    for; never moved by a retry or a wait for the pace, which move only `not_before`. Claims
    take rows in this order, so that one put back comes before its chat's later ones once it
    is due again, whichever worker claims them."""
    return case((outbox.c.not_before < outbox.c.due_at, outbox.c.not_before),
                else_=outbox.c.due_at)


def _bulk_last(now: datetime) -> ColumnElement[int]:
    """0 for a row that goes first, 1 for a bulk row that waits behind them; claims take rows
    in this order before their due time and queued order.

    Interactive rows (in no batch: decision notices, staff cards, receipts, replies) go
    first, so a decision notice due now never queues behind a 12,000-row broadcast. So do
    the bulk rows of a chat that has an interactive row due: a chat's messages keep their
    queued order, and the interactive one cannot go before its chat's earlier broadcast, so
    that broadcast row is taken with it. An expression, not a stored priority: which bulk
    rows go first depends on what else is due, and it needs no column kept in step. Its
    subqueries are uncorrelated, run once per claim, as in `_chat_free`."""
    other = outbox.alias("interactive")
    interactive_due = and_(_due(other, now), other.c.batch.is_(None))
    return case((or_(
        outbox.c.batch.is_(None),
        *(mine.in_(select(theirs).where(interactive_due, theirs.is_not(None)))
          for mine, theirs in ((outbox.c.conversation_id, other.c.conversation_id),
                               (outbox.c.object_id, other.c.object_id))),
    ), 0), else_=1)


def in_sending_order(deliveries: list[Delivery]) -> list[Delivery]:
    """A claim's messages in the order the worker books them, by the rule `_bulk_last` claims
    them with: interactive ones first, and with them the bulk ones of a chat that has an
    interactive one among them; each chat's in queued order. A decision notice claimed with a
    slice of a broadcast is booked before the slice, not behind it at the tenant's pace."""
    interactive_chats = {chat for d in deliveries if d.batch is None
                         for chat in (d.recipient.conversation_id, d.recipient.object_id)
                         if chat}
    return sorted(deliveries, key=lambda d: (
        d.batch is not None and d.recipient.conversation_id not in interactive_chats
        and d.recipient.object_id not in interactive_chats, d.id))


def _chat_free(owner: str, now: datetime) -> ColumnElement[bool]:
    """The row's recipient has no message that must go before it: none that another worker
    holds now, and none queued before it that was put back to be retried later (it was due,
    and waits for its turn again). So a chat's messages keep their order across workers and
    across a worker's crash; a worker orders what it holds itself. A message queued before
    the one put back is free: a worker that put a batch's later messages back for Teams' pace
    must not hold up the earlier ones it put back to go at once.

    Uncorrelated subqueries, run once per claim rather than once per row looked at: a claim
    over thousands of due rows took 20 times longer with a per-row check. Only a row whose
    chat has a message put back looks for the first of them."""
    other = outbox.alias("other")
    held_elsewhere = and_(other.c.state == DeliveryState.SENDING.value,
                          other.c.leased_until >= now, other.c.lease_owner != owner)
    # A message scheduled for later has not_before == due_at; one put back, a later one.
    put_back = and_(other.c.state == DeliveryState.PENDING.value, other.c.not_before > now,
                    other.c.not_before > other.c.due_at)
    return and_(*(
        or_(mine.is_(None),
            and_(mine.not_in(select(theirs).where(held_elsewhere, theirs.is_not(None))),
                 or_(mine.not_in(select(theirs).where(put_back, theirs.is_not(None))),
                     outbox.c.id < select(func.min(other.c.id))
                     .where(put_back, theirs == mine).scalar_subquery())))
        for mine, theirs in ((outbox.c.conversation_id, other.c.conversation_id),
                             (outbox.c.object_id, other.c.object_id))
    ))


# Claims on PostgreSQL take turns under this transaction-scoped advisory lock, so that each
# sees what the one before it took (SKIP LOCKED alone hides rows being claimed at that very
# moment, and a chat's later message could be taken while its earlier one was).
CLAIM_LOCK = 4_711_001  # any number of our own; the key of this one lock


class SqlOutboxQueue:
    """The delivering side, used by the worker: each call is its own short transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(self, owner: str, now: datetime, limit: int,
                    lease: timedelta) -> list[Delivery]:
        due = _due(outbox, now)
        async with connect(self._engine, begin=True) as connection:
            if connection.dialect.name == "postgresql":
                await connection.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK)))
            # Which chats are free is decided once, in choosing; the update re-checks only
            # that each chosen row is still due.
            candidates = (
                select(outbox.c.id).where(due, _chat_free(owner, now))
                .order_by(_bulk_last(now), _due_since(), outbox.c.id).limit(limit)
            )
            if connection.dialect.name == "postgresql":
                # Not `id IN (subquery)`: PostgreSQL may plan that as a nested loop that
                # rescans the LIMIT subquery for every row, and each rescan skips the rows
                # this statement already locked, so one claim took every due row. A
                # materialised CTE runs once.
                chosen = (candidates.with_for_update(skip_locked=True).cte("chosen")
                          .prefix_with("MATERIALIZED"))
                claimed = outbox.c.id == chosen.c.id
            else:
                claimed = outbox.c.id.in_(candidates.scalar_subquery())
            rows = (await connection.execute(
                update(outbox)
                .where(claimed, due)
                .values(state=DeliveryState.SENDING.value, lease_owner=owner,
                        leased_until=now + lease,
                        # Taken to be tried: the first attempt, unless it is put back untried.
                        first_attempt_at=func.coalesce(outbox.c.first_attempt_at, now))
                .returning(*outbox.c)
            )).mappings().all()
        deliveries = [
            Delivery(
                id=row["id"],
                recipient=Recipient(conversation_id=row["conversation_id"],
                                    object_id=row["object_id"], tenant_id=row["tenant_id"]),
                kind=MessageKind(row["kind"]),
                message=CardMessage(card=row["card"], summary=row["summary"],
                                    fallback_text=row["fallback_text"]),
                attempts=row["attempts"],
                replaces_id=row["replaces_id"],
                leased_until=row["leased_until"],
                batch=row["batch"],
            )
            for row in rows
        ]
        return in_sending_order(deliveries)

    async def sent_activity(self, delivery_id: int) -> SentActivity | None:
        """Where the message `delivery_id` went, if it exists."""
        async with connect(self._engine) as connection:
            row = (await connection.execute(
                select(outbox.c.state, outbox.c.sent_conversation_id, outbox.c.activity_id)
                .where(outbox.c.id == delivery_id)
            )).first()
        if row is None:
            return None
        return SentActivity(DeliveryState(row.state), row.sent_conversation_id, row.activity_id)

    async def renew(self, delivery_id: int, owner: str, until: datetime) -> bool:
        """Extend `owner`'s lease on a row it is about to send; False when the row is no longer
        its own (its lease ran out and another worker claimed it)."""
        async with connect(self._engine, begin=True) as connection:
            result = await connection.execute(
                update(outbox)
                .where(outbox.c.id == delivery_id, outbox.c.lease_owner == owner,
                       outbox.c.state == DeliveryState.SENDING.value)
                .values(leased_until=until)
            )
        return bool(result.rowcount)

    async def sent(self, delivery_id: int, owner: str, at: datetime, conversation_id: str,
                   activity_id: str | None) -> None:
        """Record the message as sent; a notice that keeps a contributor's two-month promise
        keeps it from `at`, in the same transaction."""
        await self._finish(delivery_id, owner, state=DeliveryState.SENT.value, sent_at=at,
                           sent_by=owner,
                           sent_conversation_id=conversation_id, activity_id=activity_id,
                           attempts=outbox.c.attempts + 1, last_error=None)

    async def sends_elsewhere(self, owner: str, conversations: Collection[str],
                              since: datetime, active_since: datetime) -> SendsElsewhere:
        """Read through the index of sent rows by time (recent ones are never purged): a few
        seconds' sends, whatever the size of the table."""
        recent = and_(outbox.c.state == DeliveryState.SENT.value, outbox.c.purged_at.is_(None))
        # A row sent by code before `sent_by` was kept (a rolling deploy) is another's.
        by_others = or_(outbox.c.sent_by.is_(None), outbox.c.sent_by != owner)
        to_conversation: defaultdict[str, list[datetime]] = defaultdict(list)
        async with connect(self._engine) as connection:
            if conversations:
                for conversation, at in await connection.execute(
                    select(outbox.c.sent_conversation_id, outbox.c.sent_at)
                    .where(recent, outbox.c.sent_at > since, by_others,
                           outbox.c.sent_conversation_id.in_(sorted(conversations)))
                    .order_by(outbox.c.sent_at)
                ):
                    to_conversation[conversation].append(at)
            senders = await connection.scalar(
                select(func.count(outbox.c.sent_by.distinct()))
                .where(recent, outbox.c.sent_at > active_since, outbox.c.sent_by != owner))
        return SendsElsewhere(dict(to_conversation), senders or 0)

    async def retry(self, delivery_id: int, owner: str, not_before: datetime,
                    error: str | None, *, count_attempt: bool = True) -> None:
        values: dict[str, Any] = {"state": DeliveryState.PENDING.value,
                                  "not_before": not_before}
        if count_attempt:
            values["attempts"] = outbox.c.attempts + 1
        elif error is None:
            # Put back untried (it waited its turn, no error): if it was never tried, it has
            # no first attempt yet. A throttled send was tried, though it counts no attempt.
            values["first_attempt_at"] = case((outbox.c.attempts == 0, None),
                                              else_=outbox.c.first_attempt_at)
        if error is not None:
            values["last_error"] = error[:1000]
        await self._finish(delivery_id, owner, **values)

    async def dead(self, delivery_id: int, owner: str, error: str, *,
                   unreachable: bool = False) -> None:
        """Give the message up (`unreachable`: its recipient cannot be reached, and trying
        again would not help); a notice that keeps a contributor's two-month promise keeps
        it, unreachable, from its first attempt, in the same transaction."""
        await self._finish(delivery_id, owner, state=DeliveryState.DEAD.value,
                           attempts=outbox.c.attempts + 1, last_error=error[:1000],
                           unreachable=unreachable)

    async def _finish(self, delivery_id: int, owner: str, **values: object) -> None:
        # Only the lease holder may finish a row: one whose lease expired and was claimed by
        # another worker is that worker's now.
        async with connect(self._engine, begin=True) as connection:
            finished = (await connection.execute(
                update(outbox)
                .where(outbox.c.id == delivery_id, outbox.c.lease_owner == owner,
                       outbox.c.state == DeliveryState.SENDING.value)
                .values(lease_owner=None, leased_until=None, **values)
                .returning(outbox.c.kind, outbox.c.dedupe_key, outbox.c.state,
                           outbox.c.sent_at, outbox.c.first_attempt_at, outbox.c.due_at)
            )).first()
            # Only a status message (a decision's notice among them) can keep a contributor's
            # promise: welcomes, reminders and a broadcast's thousands of calls cost no look-up.
            if finished is not None and finished.kind == MessageKind.STATUS.value:
                await record_first_response(connection, finished.dedupe_key, first_response_of(
                    finished.sent_at, finished.state == DeliveryState.DEAD.value,
                    finished.first_attempt_at, finished.due_at))

    async def backlog(self, now: datetime) -> OutboxBacklog:
        """Counted through the (state, not_before) index, never over the sent rows: with a
        million of them, counting every state took about 200 ms a scrape."""
        owed = [DeliveryState.PENDING.value, DeliveryState.SENDING.value]
        async with connect(self._engine) as connection:
            counts = dict((await connection.execute(
                select(outbox.c.state, func.count())
                .where(outbox.c.state.in_([*owed, DeliveryState.DEAD.value]))
                .group_by(outbox.c.state)
            )).all())
            oldest = await connection.scalar(
                select(func.min(outbox.c.due_at)).where(outbox.c.state.in_(owed),
                                                        outbox.c.due_at <= now))
        return OutboxBacklog(
            pending=counts.get(DeliveryState.PENDING.value, 0),
            sending=counts.get(DeliveryState.SENDING.value, 0),
            dead=counts.get(DeliveryState.DEAD.value, 0),
            oldest_pending_seconds=_waited(oldest, now),
        )

    async def status(self, now: datetime) -> OutboxStatus:
        async with connect(self._engine) as connection:
            counts = dict((await connection.execute(
                select(outbox.c.state, func.count()).group_by(outbox.c.state)
            )).all())
            failing = await connection.scalar(
                select(func.count()).select_from(outbox).where(
                    outbox.c.state.in_([DeliveryState.PENDING.value,
                                        DeliveryState.SENDING.value]),
                    outbox.c.last_error.is_not(None),
                )
            )
            # A message scheduled for later is not owed yet; one waiting to be retried is.
            oldest = await connection.scalar(
                select(func.min(outbox.c.due_at)).where(
                    outbox.c.state.in_([DeliveryState.PENDING.value,
                                        DeliveryState.SENDING.value]),
                    outbox.c.due_at <= now,
                )
            )
        return OutboxStatus(
            pending=counts.get(DeliveryState.PENDING.value, 0),
            sending=counts.get(DeliveryState.SENDING.value, 0),
            sent=counts.get(DeliveryState.SENT.value, 0),
            failing=failing or 0,
            dead=counts.get(DeliveryState.DEAD.value, 0),
            oldest_pending_seconds=_waited(oldest, now),
            cancelled=counts.get(DeliveryState.CANCELLED.value, 0),
        )

    async def requeue_dead(self, now: datetime, wanted: DeadFilter | None = None) -> Requeued:
        """Give the dead rows `wanted` picks a fresh set of attempts, now, except those given up
        because their recipient cannot be reached (they blocked or removed the app, or their
        chat is gone): sending again would only pester them. How many of each."""
        picked = (wanted or DeadFilter()).clause()
        # A team channel or group chat given up on (before each had a breaker) is no person
        # who blocked the app: it is sent again.
        shared = select(conversation_addresses.c.conversation_id).where(
            conversation_addresses.c.kind != ConversationKind.PERSONAL.value)
        blocked = and_(outbox.c.unreachable, or_(outbox.c.conversation_id.is_(None),
                                                 outbox.c.conversation_id.not_in(shared)))
        async with connect(self._engine, begin=True) as connection:
            unreachable = await connection.scalar(
                select(func.count()).select_from(outbox).where(picked, blocked))
            result = await connection.execute(
                update(outbox).where(picked, ~blocked)
                .values(state=DeliveryState.PENDING.value, attempts=0, not_before=now,
                        unreachable=False))
        return Requeued(requeued=result.rowcount, unreachable=unreachable or 0)


def _waited(since: datetime | None, now: datetime) -> float | None:
    """Seconds from `since` (as stored: naive on SQLite) to `now`; None for none."""
    if since is None:
        return None
    if since.tzinfo is None:
        since = since.replace(tzinfo=now.tzinfo)
    return (now - since).total_seconds()
