"""Purging what the portal keeps no longer (the storage side of the RetentionStore port).

Each pass works in bounded batches, each its own short transaction, walking its table's index
from where the last batch stopped: a first run on a table of millions holds no lock for long
and never reads the same rows twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    delete,
    exists,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.lifecycle import CLOSED
from bot.domain.outbox import DeliveryState
from storage import tables as t
from storage.engine import connect

_FINISHED = (DeliveryState.SENT.value, DeliveryState.DEAD.value, DeliveryState.CANCELLED.value)
_CARD = "card:"  # a staff card of an idea: card:<reference>:<object id>


class SqlRetention:
    """Implements bot.services.ports.RetentionStore on the engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def purge_drafts(self, before: datetime, batch: int, *, dry_run: bool) -> int:
        """Delete drafts last changed before `before`; how many."""
        return await self._delete_older(t.idea_drafts, t.idea_drafts.c.object_id,
                                        t.idea_drafts.c.updated_at, before, batch, dry_run)

    async def purge_state(self, before: datetime, batch: int, *, dry_run: bool) -> int:
        """Delete conversation and dialog state last saved before `before`; how many."""
        return await self._delete_older(t.bot_state, t.bot_state.c.key,
                                        t.bot_state.c.updated_at, before, batch, dry_run)

    async def purge_feedback(self, before: datetime, batch: int, *, dry_run: bool) -> int:
        """Delete feedback given before `before`; how many."""
        return await self._delete_older(t.feedback, t.feedback.c.id,
                                        t.feedback.c.created_at, before, batch, dry_run)

    async def purge_sent_payloads(self, before: datetime, at: datetime, batch: int, *,
                                  dry_run: bool) -> int:
        """Empty the card, summary and text of messages sent before `before`, keeping the row
        (its activity id, for a later update) and keeping whole the staff cards of ideas still
        open; how many were emptied."""
        o = t.outbox.c
        where = and_(o.state == DeliveryState.SENT.value, o.purged_at.is_(None),
                     o.sent_at < before)
        purged = 0
        after: tuple[datetime, int] | None = None
        while True:
            async with connect(self._engine, begin=True) as connection:
                page = select(o.id, o.dedupe_key, o.sent_at).where(where)
                if after is not None:
                    page = page.where(tuple_(o.sent_at, o.id) > tuple_(*after))
                # In the index's own order, every column of it named: PostgreSQL otherwise
                # sorts every row the index finds, once a batch.
                rows = (await connection.execute(
                    page.order_by(o.state, o.purged_at, o.sent_at, o.id).limit(batch))).all()
                if not rows:
                    return purged
                after = (rows[-1].sent_at, rows[-1].id)
                ids = await _not_open_cards(connection, rows)
                if ids and not dry_run:
                    await connection.execute(
                        update(t.outbox).where(o.id.in_(ids), o.purged_at.is_(None))
                        .values(card={}, summary="", fallback_text="", purged_at=at))
                purged += len(ids)

    async def purge_outbox_rows(self, before: datetime, batch: int, *, dry_run: bool) -> int:
        """Delete the outbox rows queued before `before` that are finished (sent, given up or
        cancelled), except a status notice an idea's history names, a staff card of an idea
        still open, and a card a row still kept would replace; how many. Newest first, so a
        replacement goes before (or with) the card it replaced."""
        o = t.outbox.c
        replacing = t.outbox.alias("replacing")
        history = t.idea_history.c
        where = and_(
            o.state.in_(_FINISHED), o.created_at < before,
            ~exists().where(history.notice_key == o.dedupe_key),
            # A replacement of this card that is kept: deleting the card would orphan it.
            # (One deleted too comes first: newest first, as this pass walks.) Uncorrelated,
            # run once a batch: SQLite, seeing a column mostly empty, would scan the table
            # for every row it looked at.
            o.id.not_in(select(replacing.c.replaces_id).where(
                replacing.c.replaces_id.is_not(None),
                or_(replacing.c.state.not_in(_FINISHED), replacing.c.created_at >= before))),
        )
        deleted = 0
        after: tuple[datetime, int] | None = None
        while True:
            async with connect(self._engine, begin=True) as connection:
                page = select(o.id, o.dedupe_key, o.created_at).where(where)
                if after is not None:
                    page = page.where(tuple_(o.created_at, o.id) < tuple_(*after))
                rows = (await connection.execute(
                    page.order_by(o.created_at.desc(), o.id.desc()).limit(batch))).all()
                if not rows:
                    return deleted
                after = (rows[-1].created_at, rows[-1].id)
                ids = await _not_open_cards(connection, rows)
                if ids and not dry_run:
                    await connection.execute(delete(t.outbox).where(o.id.in_(ids)))
                deleted += len(ids)

    async def purge_job_marks(self, before: datetime, batch: int, *, dry_run: bool) -> int:
        """Delete the scheduler's marks recorded before `before`, except the latest of each
        job and idea; how many. A pass reads only today's digest marks and the marks of ideas
        it could still owe something, and what it could still owe (a deferred idea's revisit,
        say) is always its latest mark for that idea: older ones are history."""
        m = t.job_marks.c
        newer = t.job_marks.alias("newer")
        superseded = exists().where(newer.c.job == m.job, newer.c.idea_id == m.idea_id,
                                    newer.c.at > m.at)
        where = and_(m.at < before, superseded)
        key = tuple_(m.job, m.idea_id, m.threshold)
        deleted = 0
        after: tuple[str, int, str] | None = None
        while True:
            async with connect(self._engine, begin=True) as connection:
                page = select(m.job, m.idea_id, m.threshold).where(where)
                if after is not None:
                    page = page.where(key > tuple_(*after))
                keys = (await connection.execute(
                    page.order_by(m.job, m.idea_id, m.threshold).limit(batch))).all()
                if not keys:
                    return deleted
                last = tuple(keys[-1])
                if not dry_run:
                    # The page's key range, walked by the primary key: no row-value IN list.
                    span = key <= tuple_(*last)
                    if after is not None:
                        span = and_(span, key > tuple_(*after))
                    await connection.execute(delete(t.job_marks).where(where, span))
                after = (last[0], last[1], last[2])
                deleted += len(keys)

    async def _delete_older(self, table: Table, key: Any, moment: Any, before: datetime,
                            batch: int, dry_run: bool) -> int:
        """Delete the rows of `table` whose `moment` is before `before`, `batch` at a time by
        `key` order; how many."""
        old: ColumnElement[bool] = moment < before
        deleted = 0
        after: Any = None
        while True:
            async with connect(self._engine, begin=True) as connection:
                page = select(key).where(old)
                if after is not None:
                    page = page.where(key > after)
                keys = (await connection.scalars(page.order_by(key).limit(batch))).all()
                if not keys:
                    return deleted
                after = keys[-1]
                if not dry_run:
                    await connection.execute(delete(table).where(key.in_(keys), old))
                deleted += len(keys)


async def _not_open_cards(connection: Any, rows: Sequence[Any]) -> list[int]:
    """The ids of `rows` that are not staff cards of an idea still open (one query for the
    cards' ideas)."""
    references = {_reference_of(row.dedupe_key) for row in rows} - {None}
    open_references: set[str] = set()
    if references:
        open_references = set((await connection.scalars(
            select(t.ideas.c.reference).where(
                t.ideas.c.reference.in_(sorted(r for r in references if r)),
                t.ideas.c.status.not_in([status.value for status in CLOSED])))).all())
    return [row.id for row in rows if _reference_of(row.dedupe_key) not in open_references]


def _reference_of(dedupe_key: str) -> str | None:
    """The idea a staff card is of (card:<reference>:<object id>); None for any other row."""
    if not dedupe_key.startswith(_CARD):
        return None
    reference, _, _viewer = dedupe_key[len(_CARD):].partition(":")
    return reference or None
