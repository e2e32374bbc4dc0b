"""The two-month promise's columns on `ideas`: kept up to date as notices are sent, derived
again from the history and the outbox to check them, and counted month by month for reports
(storage/promise_counts.py).

A notice keeps the promise when it is the contributor's notice (`idea_history.notice_key`) of
a move that keeps it (bot.domain.sla.KEEPING_MOVES) made on the idea's current clock, that is
after its latest reopen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.ideas import FirstResponse
from bot.domain.outbox import DeliveryState
from bot.domain.sla import (
    KEEPING_MOVES,
    PROMISE_ACTIONS,
    RESTARTING_MOVES,
    Event,
    IdeaPromise,
    Promise,
    Recorded,
    first_response_of,
    promise_of,
)
from bot.domain.sla_counts import SlaGroup
from storage import tables as t
from storage.promise_counts import counted

_KEEPING = sorted(move.value for move in KEEPING_MOVES)
_RESTARTING = sorted(move.value for move in RESTARTING_MOVES)


async def record_first_response(connection: AsyncConnection, notice_key: str,
                                response: FirstResponse | None) -> None:
    """The outbox recorded what became of the message `notice_key`: if it is a notice that
    keeps a promise, on the idea's current clock, and nothing earlier did, it is now the
    idea's first response. One statement, found by the history's index on its key."""
    if response is None:
        return
    entry, later = t.idea_history.alias("entry"), t.idea_history.alias("later")
    restarted_since = exists().where(
        later.c.idea_id == entry.c.idea_id, later.c.action.in_(_RESTARTING),
        or_(later.c.at > entry.c.at, and_(later.c.at == entry.c.at, later.c.id > entry.c.id)))
    keeping = (select(entry.c.idea_id)
               .where(entry.c.notice_key == notice_key, entry.c.action.in_(_KEEPING),
                      ~restarted_since))
    ideas = t.ideas
    await connection.execute(
        update(ideas)
        .where(ideas.c.id.in_(keeping.scalar_subquery()),
               or_(ideas.c.first_response_at.is_(None),
                   ideas.c.first_response_at > response.at))
        .values(first_response_at=response.at,
                first_response_unreachable=not response.reachable)
    )


class SqlPromises:
    """Implements bot.services.ports.Promises on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def derived(self, after_id: int, limit: int) -> list[IdeaPromise]:
        """Up to `limit` ideas after `after_id`, in id order: each as its row keeps its
        promise, and as derived again from its history and what the outbox did with its
        notices (one query for their events)."""
        ideas, history, outbox = t.ideas, t.idea_history, t.outbox
        ids = [row.id for row in await self._db.execute(
            select(ideas.c.id).where(ideas.c.id > after_id).order_by(ideas.c.id).limit(limit))]
        if not ids:
            return []
        rows = await self._db.execute(
            select(ideas.c.id, ideas.c.reference, ideas.c.portfolio_key, ideas.c.submitted_at,
                   ideas.c.sla_due_on, ideas.c.first_response_at,
                   ideas.c.first_response_unreachable, ideas.c.legacy_id,
                   history.c.at, history.c.action, outbox.c.state, outbox.c.sent_at,
                   outbox.c.first_attempt_at, outbox.c.due_at)
            .select_from(
                ideas.outerjoin(history, and_(history.c.idea_id == ideas.c.id,
                                              history.c.action.in_(sorted(PROMISE_ACTIONS))))
                .outerjoin(outbox, outbox.c.dedupe_key == history.c.notice_key))
            .where(ideas.c.id.between(ids[0], ids[-1]))
            .order_by(ideas.c.id, history.c.at, history.c.id)
        )
        return [_derived(list(group)) for _id, group in groupby(rows, key=lambda r: r.id)]

    async def put(self, idea_id: int, promise: Promise) -> None:
        """Make the idea's row keep `promise`."""
        response = promise.first_response
        await self._db.execute(
            update(t.ideas).where(t.ideas.c.id == idea_id)
            .values(sla_due_on=promise.due,
                    first_response_at=response.at if response else None,
                    first_response_unreachable=bool(response and not response.reachable))
        )

    async def counted(self, first: date, last: date, as_at: datetime, *,
                      portfolios: Sequence[str] | None = None, months: Sequence[date] = (),
                      by_portfolio: bool = False) -> list[SlaGroup]:
        """The promise of the ideas due from `first` to `last`, judged as at `as_at`, counted
        by the database (storage/promise_counts.py)."""
        return await counted(self._db, first, last, as_at, portfolios=portfolios,
                             months=months, by_portfolio=by_portfolio)


def _row_recorded(row: Any) -> Recorded:
    at = row.first_response_at
    return Recorded(row.sla_due_on,
                    None if at is None else FirstResponse(at, not row.first_response_unreachable))


def _derived(rows: Sequence[Any]) -> IdeaPromise:
    """One idea's promise derived from its rows of the events query."""
    first = rows[0]
    events: Iterable[Event] = (
        Event(row.at, row.action, first_response_of(
            row.sent_at, row.state == DeliveryState.DEAD.value, row.first_attempt_at,
            row.due_at) if row.due_at is not None else None)
        for row in rows if row.action is not None
    )
    recorded = _row_recorded(first)
    # An imported idea's first response may have come from the list it was imported from,
    # which no history here shows: its column is taken as that list's.
    imported = recorded.first_response if first.legacy_id is not None else None
    return IdeaPromise(first.id, first.reference, first.portfolio_key, recorded,
                       promise_of(first.submitted_at, events, imported))
