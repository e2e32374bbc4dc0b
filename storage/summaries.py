"""The summary's figures as at a moment (bot.domain.summary), counted by the database in one
statement: every idea submitted by then, with the status its history gave it then, its
promise judged then, counted by GROUP BY, and the median by row numbers.

An idea's status at a moment is its last history row at or before it (by time, then id). A
declined one's reason is that row's: the import keeps it in the row's detail, a live decline
names it in the row's reason (its label, DeclineReason.label); a row with neither falls back to
the idea's own column. The promise restates bot.domain.summary.sla_figure (tested against it on
random walks). The clock is the one running at the moment: the idea's row keeps it (its due
day and first response) unless the idea was reopened since, and then it is rebuilt from the
history and the outbox as bot.domain.sla.promise_of does (the first notice of a move that
keeps the promise made on that clock: its time sent, or first tried when given up on).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    and_,
    case,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.ideas import DeclineReason, Status, uk_day
from bot.domain.outbox import DeliveryState
from bot.domain.sla import KEEPING_MOVES, RESTARTING_MOVES
from bot.domain.summary import (
    DECIDED,
    TAKEN_FORWARD,
    SlaFigure,
    SlaSummary,
    Summary,
    status_key,
)
from storage import tables as t
from storage.uk_days import promise_due, uk_date, uk_days_between

_DECLINED = Status.DECLINED.value
# The key of a figure that has none (the total, the median...).
_NO_KEY = literal_column("''", String())
_KEEPING = sorted(move.value for move in KEEPING_MOVES)
_RESTARTING = sorted(move.value for move in RESTARTING_MOVES)


def _label(text: str) -> ColumnElement[str]:
    """A constant name for a figure (never a person's input)."""
    assert text.isidentifier()
    return literal_column(f"'{text}'", String())


class SqlSummaries:
    """Implements bot.services.ports.Summaries on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def portfolio_known(self, key: str) -> bool:
        """Whether `key` is a portfolio the organisation has, or had (retired ones too)."""
        found = await self._db.scalar(
            select(func.count()).select_from(t.portfolios).where(t.portfolios.c.key == key))
        return bool(found)

    async def summary(self, as_of: datetime, portfolio: str | None = None) -> Summary:
        """The figures as at `as_of`, of `portfolio`'s ideas or everyone's."""
        if self._db.dialect.name == "postgresql":
            # One statement of a few hundred milliseconds, whose correlated lookup the planner
            # costs high: compiling it to machine code first (JIT) took longer than running it.
            await self._db.exec_driver_sql("SET LOCAL jit = off")
        rows = (await self._db.execute(_figures(as_of, portfolio))).all()
        groups: dict[str, dict[str, Any]] = {}
        for figure, key, value in rows:
            groups.setdefault(figure, {})[key] = value
        sla = {figure: int(count) for figure, count in groups.get("sla", {}).items()}
        median = groups.get("median", {}).get("")
        return Summary(
            as_of=as_of, portfolio=portfolio,
            total=int(groups.get("total", {}).get("", 0)),
            by_status={key: int(n) for key, n in groups.get("status", {}).items()},
            sla=SlaSummary(due=sum(sla.values()), kept=sla.get(SlaFigure.KEPT.value, 0),
                           breached=sla.get(SlaFigure.BREACHED.value, 0),
                           not_recorded=sla.get(SlaFigure.NOT_RECORDED.value, 0)),
            by_category={key: int(n) for key, n in groups.get("category", {}).items()},
            by_portfolio={key: int(n) for key, n in groups.get("portfolio", {}).items()},
            by_campaign={key: int(n) for key, n in groups.get("campaign", {}).items()},
            taken_forward=int(groups.get("taken_forward", {}).get("", 0)),
            median_days_to_decision=None if median is None else float(median),
            supporters=int(groups.get("supporters", {}).get("", 0)),
            ideas_supported=int(groups.get("ideas_supported", {}).get("", 0)),
        )


def _figures(as_of: datetime, portfolio: str | None) -> CompoundSelect[str, Any, Any]:
    """One statement: rows of (figure, key, value) for every figure of the summary."""
    ideas, history = t.ideas, t.idea_history
    before = history.alias("before")
    last_id = (select(before.c.id)
               .where(before.c.idea_id == ideas.c.id, before.c.at <= as_of)
               .order_by(before.c.at.desc(), before.c.id.desc()).limit(1)
               .scalar_subquery())
    decision = history.alias("decision")
    decisions = (select(decision.c.idea_id, func.min(decision.c.at).label("decided_at"))
                 .where(decision.c.to_status.in_(sorted(s.value for s in DECIDED)),
                        decision.c.at <= as_of)
                 .group_by(decision.c.idea_id).subquery("decisions"))
    restart = history.alias("restart")
    restarts = (select(restart.c.idea_id,
                       func.max(case((restart.c.at <= as_of, restart.c.at)))
                       .label("restarted_before"),
                       func.min(case((restart.c.at > as_of, restart.c.at)))
                       .label("restarted_after"))
                .where(restart.c.action.in_(_RESTARTING))
                .group_by(restart.c.idea_id).subquery("restarts"))
    wanted = [ideas.c.submitted_at <= as_of]
    if portfolio is not None:
        wanted.append(ideas.c.portfolio_key == portfolio)
    submitted = (select(ideas.c.id, ideas.c.category_key, ideas.c.portfolio_key,
                        ideas.c.campaign_key, ideas.c.decline_reason, ideas.c.legacy_id,
                        ideas.c.submitted_at, ideas.c.sla_due_on, ideas.c.first_response_at,
                        last_id.label("last_id"), decisions.c.decided_at,
                        restarts.c.restarted_before, restarts.c.restarted_after)
                 .select_from(ideas.outerjoin(decisions, decisions.c.idea_id == ideas.c.id)
                              .outerjoin(restarts, restarts.c.idea_id == ideas.c.id))
                 .where(*wanted).cte("submitted").prefix_with("MATERIALIZED"))

    # Each idea then: its status (and a decline's reason), its clock's due day and response.
    last = history.alias("last")
    status = func.coalesce(last.c.to_status, Status.SUBMITTED.value)
    labels = case(*((last.c.reason == reason.label, reason.value) for reason in DeclineReason))
    reason = func.coalesce(last.c.detail["decline_reason"].as_string(), labels,
                           submitted.c.decline_reason)
    key = case(*((and_(status == _DECLINED, reason == r.value),
                  status_key(Status.DECLINED, r)) for r in DeclineReason), else_=status)
    started = func.coalesce(submitted.c.restarted_before, submitted.c.submitted_at)
    kept_by_row = submitted.c.restarted_after.is_(None)
    due = case((kept_by_row, func.coalesce(submitted.c.sla_due_on, promise_due(started))),
               else_=promise_due(started))
    response = case((kept_by_row, submitted.c.first_response_at),
                    else_=_first_notice(submitted.c.id, started, submitted.c.restarted_after))
    standing = (select(status.label("status"), key.label("status_key"), due.label("due"),
                   response.label("response"), last.c.at.label("last_at"),
                   submitted.c.legacy_id, submitted.c.decided_at, submitted.c.submitted_at,
                   submitted.c.category_key, submitted.c.portfolio_key,
                   submitted.c.campaign_key)
            .select_from(submitted.outerjoin(last, last.c.id == submitted.c.last_id))
            .cte("standing").prefix_with("MATERIALIZED"))

    # Where each promise stood (bot.domain.summary.sla_figure), and the days to a decision.
    c = standing.c
    answered = case((c.response <= as_of, c.response))
    figure = case(
        (c.due > uk_day(as_of), null()),
        (answered.is_not(None) & (uk_date(answered) <= c.due), SlaFigure.KEPT.value),
        (answered.is_not(None), SlaFigure.BREACHED.value),
        ((c.status == Status.WITHDRAWN.value) & (uk_date(c.last_at) <= c.due), null()),
        (c.legacy_id.is_not(None) & c.response.is_(None) & c.decided_at.is_not(None),
         SlaFigure.NOT_RECORDED.value),
        else_=SlaFigure.BREACHED.value)
    judged = (select(c.status, c.status_key, figure.label("sla"), c.category_key,
                     c.portfolio_key, c.campaign_key,
                     case((c.decided_at.is_not(None),
                           uk_days_between(c.decided_at, c.submitted_at))).label("days"))
              .cte("judged").prefix_with("MATERIALIZED"))

    # The ideas counted once by every breakdown together (a few hundred groups at most), so
    # that each figure sums those groups rather than reading every idea again.
    j = judged.c
    by = (j.status, j.status_key, j.sla, j.category_key, j.portfolio_key, j.campaign_key)
    groups = select(*by, func.count().label("ideas")).group_by(*by).cte("groups")
    g = groups.c

    def counted(name: str, key: ColumnElement[Any],
                *where: ColumnElement[bool]) -> Select[str, Any, Any]:
        return (select(_label(name), key, func.sum(g.ideas)).where(*where).group_by(key))

    def whole(name: str, *where: ColumnElement[bool]) -> Select[str, str, Any]:
        return select(_label(name), _NO_KEY, func.coalesce(func.sum(g.ideas), 0)).where(
            *where)

    ranked = select(j.days, func.row_number().over(order_by=j.days).label("n"),
                    func.count().over().label("of")).where(j.days.is_not(None)).subquery()
    median = select(_label("median"), _NO_KEY, func.avg(ranked.c.days)).where(
        ranked.c.n.in_([(ranked.c.of + 1) // 2, (ranked.c.of + 2) // 2]))

    # Colleagues who supported those ideas by then, and how many of the ideas they supported.
    backing = t.idea_supporters
    backed = (select(backing.c.idea_id)
              .select_from(backing.join(submitted, submitted.c.id == backing.c.idea_id))
              .where(backing.c.supported_at <= as_of).subquery("backed"))
    supporters = select(_label("supporters"), _NO_KEY, func.count()).select_from(backed)
    ideas_supported = select(_label("ideas_supported"), _NO_KEY,
                             func.count(backed.c.idea_id.distinct())).select_from(backed)
    return union_all(
        counted("status", g.status_key),
        whole("total"),
        counted("category", g.category_key),
        counted("portfolio", g.portfolio_key),
        counted("campaign", g.campaign_key, g.campaign_key.is_not(None)),
        counted("sla", g.sla, g.sla.is_not(None)),
        whole("taken_forward", g.status.in_(sorted(s.value for s in TAKEN_FORWARD))),
        median,
        supporters,
        ideas_supported,
    )


def _first_notice(idea_id: ColumnElement[int], started: ColumnElement[datetime],
                  ended: ColumnElement[datetime]) -> Any:
    """The first response on a clock that ran from `started` until `ended` (a later reopen):
    the earliest notice of a keeping move made on it, when sent, or first tried when the
    outbox gave it up (bot.domain.sla.first_response_of)."""
    entry, outbox = t.idea_history.alias("entry"), t.outbox
    dead = outbox.c.state == DeliveryState.DEAD.value
    when = func.coalesce(outbox.c.sent_at,
                         case((dead, func.coalesce(outbox.c.first_attempt_at, outbox.c.due_at))))
    return (select(func.min(when))
            .select_from(entry.join(outbox, outbox.c.dedupe_key == entry.c.notice_key))
            .where(entry.c.idea_id == idea_id, entry.c.action.in_(_KEEPING),
                   entry.c.at >= started, entry.c.at < ended)
            .scalar_subquery())
