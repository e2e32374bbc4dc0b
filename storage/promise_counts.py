"""The promise month by month, counted by the database in one statement: the ideas whose
promise falls due in a span (by its row's due day), each judged as at a moment as
bot.domain.sla.Promise.state judges it, counted by GROUP BY, and the median days to the first
response by row numbers (as storage/summaries.py counts its median).

Each idea's promise is its row's (its first response), on the clock its history says is
current: started at its latest reopen, or its submission; due two UK calendar months later
(storage/uk_days.py); a withdrawal on that clock before any answer takes it out of what is
due, once made, if made by the due day. tests/integration/test_promise_counts_rule.py holds
this to the domain's rule on random walks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.board_pack import uk_midnight
from bot.domain.ideas import add_months, uk_day
from bot.domain.sla import RESTARTING_MOVES, WITHDRAWN, SlaState
from bot.domain.sla_counts import SlaCounts, SlaGroup
from storage import tables as t
from storage.uk_days import promise_due, uk_date, uk_days_between

_RESTARTING = sorted(move.value for move in RESTARTING_MOVES)
_STATES = (SlaState.KEPT, SlaState.KEPT_UNREACHABLE, SlaState.BREACHED, SlaState.OPEN)


async def counted(connection: AsyncConnection, first: date, last: date, as_at: datetime, *,
                  portfolios: Sequence[str] | None = None, months: Sequence[date] = (),
                  by_portfolio: bool = False) -> list[SlaGroup]:
    """The promise of the ideas due from `first` to `last` (of `portfolios`, or of all),
    judged as at `as_at`: of them all, or of each of `months` (first days; an idea counts in
    the month its promise falls due), and, `by_portfolio`, of each portfolio too. Only groups
    with ideas are returned."""
    rows = await connection.execute(_statement(first, last, as_at, portfolios, months,
                                               by_portfolio))
    return [SlaGroup(months[int(row.bucket)] if months else None, row.portfolio,
                     SlaCounts(due=int(row.due), kept=int(row.kept),
                               kept_unreachable=int(row.kept_unreachable),
                               breached=int(row.breached), open=int(row.open),
                               median_days_to_first_response=None if row.median is None
                               else float(row.median)))
            for row in rows]


def _statement(first: date, last: date, as_at: datetime, portfolios: Sequence[str] | None,
               months: Sequence[date], by_portfolio: bool) -> Any:
    judged = _judged(first, last, as_at, portfolios, months)
    total = _groups(judged, with_portfolio=False)
    return union_all(total, _groups(judged, with_portfolio=True)) if by_portfolio else total


def _judged(first: date, last: date, as_at: datetime, portfolios: Sequence[str] | None,
            months: Sequence[date]) -> CTE:
    """Each idea due in the span: its bucket (the index of its month in `months`, else 0), its
    portfolio, its promise's state at `as_at`, and the whole UK days to its first response
    when answered by then."""
    c = _clocks(first, last, portfolios).c
    answered = and_(c.response.is_not(None), c.response <= as_at)
    # A withdrawal counts on the current clock, before the first response (if any).
    withdrew = and_(c.withdrawn.is_not(None), c.withdrawn >= c.started,
                    (c.response.is_(None)) | (c.withdrawn < c.response),
                    c.withdrawn <= as_at, uk_date(c.withdrawn) <= c.due)
    state = case(
        (and_(answered, uk_date(c.response) > c.due), SlaState.BREACHED.value),
        (and_(answered, c.unreachable.is_(True)), SlaState.KEPT_UNREACHABLE.value),
        (answered, SlaState.KEPT.value),
        (withdrew, SlaState.NOT_APPLICABLE.value),
        (c.due < uk_day(as_at), SlaState.BREACHED.value),
        else_=SlaState.OPEN.value)
    days = case((answered, uk_days_between(c.response, c.started)))
    bucket: ColumnElement[Any] = _bucket(c.due, months) if months else literal(0, Integer())
    return (select(bucket.label("bucket"), c.portfolio_key, state.label("state"),
                   days.label("days"))
            .cte("judged").prefix_with("MATERIALIZED"))


def _clocks(first: date, last: date, portfolios: Sequence[str] | None) -> CTE:
    """Each idea due in the span, on its current clock: its portfolio, the clock's start and
    due day (worked out once: SQLite calls the domain for it), its first response, and its
    latest withdrawal."""
    ideas = t.ideas
    wanted = _due_between(first, last, portfolios)
    events = _clock_events(wanted)
    restarted = events.c.restarted_at
    started = case((restarted > ideas.c.submitted_at, restarted), else_=ideas.c.submitted_at)
    return (select(ideas.c.portfolio_key, started.label("started"),
                   promise_due(started).label("due"),
                   ideas.c.first_response_at.label("response"),
                   ideas.c.first_response_unreachable.label("unreachable"),
                   events.c.withdrawn_at.label("withdrawn"))
            .select_from(ideas.outerjoin(events, events.c.idea_id == ideas.c.id))
            .where(wanted)
            .cte("clocks").prefix_with("MATERIALIZED"))


def _due_between(first: date, last: date,
                 portfolios: Sequence[str] | None) -> ColumnElement[bool]:
    """Ideas due from `first` to `last` (of `portfolios`, or of any); an empty due day counts
    as the submission's (every day of a month is two months after a day of the month two
    before it, and only those)."""
    ideas = t.ideas
    submitted_from = uk_midnight(add_months(first.replace(day=1), -2))
    submitted_to = uk_midnight(add_months(last.replace(day=1), -1))
    due = or_(ideas.c.sla_due_on.between(first, last),
              and_(ideas.c.sla_due_on.is_(None), ideas.c.submitted_at >= submitted_from,
                   ideas.c.submitted_at < submitted_to))
    return due if portfolios is None else and_(due, ideas.c.portfolio_key.in_(portfolios))


def _clock_events(wanted: ColumnElement[bool]) -> Subquery:
    """The latest reopen (`restarted_at`: its current clock's start) and the latest withdrawal
    (`withdrawn_at`) of each idea `wanted` that has either, read from those ideas' history
    only."""
    ideas, history = t.ideas, t.idea_history
    return (
        select(history.c.idea_id,
               func.max(case((history.c.action.in_(_RESTARTING), history.c.at)))
               .label("restarted_at"),
               func.max(case((history.c.action == WITHDRAWN, history.c.at)))
               .label("withdrawn_at"))
        .where(history.c.idea_id.in_(select(ideas.c.id).where(wanted)),
               history.c.action.in_([*_RESTARTING, WITHDRAWN]))
        .group_by(history.c.idea_id).subquery("clock_events")
    )


def _bucket(due: ColumnElement[date], months: Sequence[date]) -> ColumnElement[Any]:
    """The index in `months` of the month `due` falls in; None when in none of them."""
    return case(*((due.between(start, add_months(start, 1) - timedelta(days=1)), index)
                  for index, start in enumerate(months)))


def _groups(judged: CTE, *, with_portfolio: bool) -> Select[*tuple[Any, ...]]:
    """The counts and the median of each bucket (and portfolio, `with_portfolio`)."""
    j, level = judged.c, "by_portfolio" if with_portfolio else "total"
    names = ("bucket", "portfolio_key") if with_portfolio else ("bucket",)
    keys = [j[name] for name in names]

    def number(state: SlaState) -> ColumnElement[Any]:
        return func.sum(case((j.state == state.value, 1), else_=0))

    counts = (select(*keys,
                     func.sum(case((j.state == SlaState.NOT_APPLICABLE.value, 0), else_=1))
                     .label("due"),
                     *(number(state).label(state.value) for state in _STATES))
              .where(j.bucket.is_not(None)).group_by(*keys).subquery(f"counts_{level}"))
    ranked = (select(*keys, j.days,
                     func.row_number().over(partition_by=keys, order_by=j.days).label("n"),
                     func.count().over(partition_by=keys).label("of"))
              .where(j.bucket.is_not(None), j.days.is_not(None)).subquery(f"ranked_{level}"))
    r = ranked.c
    medians = (select(*(r[name] for name in names), func.avg(r.days).label("median"))
               .where(r.n.in_([(r.of + 1) // 2, (r.of + 2) // 2]))
               .group_by(*(r[name] for name in names)).subquery(f"medians_{level}"))
    c, m = counts.c, medians.c
    portfolio = c.portfolio_key if with_portfolio else cast(null(), String())
    return (select(c.bucket, portfolio.label("portfolio"), c.due,
                   *(c[state.value] for state in _STATES), m.median)
            .select_from(counts.outerjoin(medians, and_(*(m[name] == c[name]
                                                          for name in names)))))
