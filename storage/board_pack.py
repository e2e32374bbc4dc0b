"""The board pack's counts (bot.domain.board_pack), each an aggregate the database computes.

Every figure is one GROUP BY (or one sum of CASEs) over the ideas of the window or the
history of the month, narrowed to a scope of portfolios when one is given; only the listed
registers (delivered ideas, the deferred register, the month's ideas for the CSV) return
rows, and the first two at most LISTED of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.board_pack import (
    LISTED,
    CampaignResult,
    Count,
    DeferredIdea,
    DeliveredIdea,
    MonthIdea,
    PackCounts,
    month_starts,
    uk_midnight,
)
from bot.domain.ideas import DeclineReason, Status, add_months, uk_day
from bot.domain.summary import DECIDED, TAKEN_FORWARD
from storage import tables as t
from storage.deliveries import delivery_move, each_idea_once, what_it_changed
from storage.tables import idea_history as history
from storage.tables import ideas

DIMENSIONS = ("department", "function", "location", "grade", "role_type")


class SqlBoardPack:
    """Implements bot.services.ports.BoardPackCounts on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def portfolio_names(self) -> dict[str, str]:
        """Every portfolio's name by key, the retired ones' too."""
        rows = await self._db.execute(select(t.portfolios.c.key, t.portfolios.c.name))
        return {key: name for key, name in rows}

    async def counts(self, month: date, scope: Sequence[str] | None) -> PackCounts:
        """The counts of the pack for the month beginning `month`, of the portfolios in
        `scope` (None: all)."""
        starts = month_starts(month)
        bounds = [uk_midnight(day) for day in [*starts, add_months(month, 1)]]
        in_scope = ideas.c.portfolio_key.in_(scope) if scope is not None else true()
        window = and_(ideas.c.submitted_at >= bounds[0], ideas.c.submitted_at < bounds[-1],
                      in_scope)
        month_from, month_to = bounds[-2], bounds[-1]
        delivered, delivered_total = await self._delivered(month_from, month_to, in_scope)
        deferred, deferred_total = await self._deferred(in_scope)
        mix = await self._mix(bounds, window)
        return PackCounts(
            submitted_by_month=tuple(mix.months.get(index, 0) for index in range(len(starts))),
            status_mix=_status_mix(mix.statuses),
            by_portfolio=await self._named(mix.portfolios, t.portfolios),
            by_category=await self._named(mix.categories, t.categories),
            taken_forward=await self._moved_into(TAKEN_FORWARD, month_from, month_to,
                                                 in_scope),
            delivered=delivered_total,
            delivered_ideas=delivered,
            campaigns=await self._campaigns(starts[0], add_months(month, 1), window),
            deferred=deferred,
            deferred_total=deferred_total,
            diversity=await self._submitters(window),
            month_ideas=await self._month_ideas(month_from, month_to, in_scope),
        )

    async def _mix(self, bounds: Sequence[Any], window: ColumnElement[bool]) -> _Mix:
        """The window's ideas counted by month submitted, status, portfolio and category in
        one GROUP BY (one scan); the four tallies are sums of its few groups."""
        month = case(*((ideas.c.submitted_at < high, index)
                       for index, high in enumerate(bounds[1:])), else_=len(bounds))
        rows = await self._db.execute(
            select(month, ideas.c.status, ideas.c.decline_reason, ideas.c.portfolio_key,
                   ideas.c.category_key, func.count())
            .where(window).group_by(month, ideas.c.status, ideas.c.decline_reason,
                                    ideas.c.portfolio_key, ideas.c.category_key))
        mix = _Mix()
        for index, status, reason, portfolio, category, count in rows:
            mix.months[index] = mix.months.get(index, 0) + count
            mix.statuses[status, reason] = mix.statuses.get((status, reason), 0) + count
            mix.portfolios[portfolio] = mix.portfolios.get(portfolio, 0) + count
            mix.categories[category] = mix.categories.get(category, 0) + count
        return mix

    async def _named(self, counts: dict[str, int], names: Any) -> tuple[Count, ...]:
        """`counts` by key, the largest first, each with the name its table gives the key."""
        rows = await self._db.execute(
            select(names.c.key, names.c.name).where(names.c.key.in_(list(counts))))
        found: dict[str, str] = {key: name for key, name in rows}
        return tuple(Count(key, found.get(key, key), count) for key, count in
                     sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    async def _moved_into(self, statuses: frozenset[Status], since: Any, until: Any,
                          in_scope: ColumnElement[bool]) -> int:
        values = [status.value for status in statuses]
        found = await self._db.scalar(
            select(func.count(func.distinct(history.c.idea_id)))
            .select_from(history.join(ideas, ideas.c.id == history.c.idea_id))
            .where(history.c.at >= since, history.c.at < until,
                   history.c.to_status.in_(values),
                   func.coalesce(history.c.from_status, "").not_in(values), in_scope))
        return int(found or 0)

    async def _delivered(self, since: Any, until: Any, in_scope: ColumnElement[bool]
                         ) -> tuple[tuple[DeliveredIdea, ...], int]:
        moved = and_(history.c.at >= since, history.c.at < until, delivery_move(), in_scope)
        joined = history.join(ideas, ideas.c.id == history.c.idea_id).outerjoin(
            t.portfolios, t.portfolios.c.key == ideas.c.portfolio_key)
        total = await self._db.scalar(
            select(func.count(func.distinct(history.c.idea_id))).select_from(joined)
            .where(moved))
        rows = await self._db.execute(
            select(ideas.c.reference, ideas.c.title, ideas.c.portfolio_key, t.portfolios.c.name,
                   history.c.at, history.c.detail)
            .select_from(joined).where(moved)
            .order_by(history.c.at, history.c.id).limit(LISTED * 2))
        listed: list[DeliveredIdea] = []
        for row in each_idea_once(rows, LISTED):
            what_changed, benefit_seen = what_it_changed(row)
            listed.append(DeliveredIdea(
                reference=row.reference, title=row.title,
                portfolio=row.name or row.portfolio_key, delivered_on=uk_day(row.at),
                what_changed=what_changed, benefit_seen=benefit_seen))
        return tuple(listed), int(total or 0)

    async def _campaigns(self, first: date, after: date, window: ColumnElement[bool]
                         ) -> tuple[CampaignResult, ...]:
        campaigns = t.campaigns
        brought = (select(ideas.c.campaign_key, func.count().label("ideas"))
                   .where(window, ideas.c.campaign_key.is_not(None))
                   .group_by(ideas.c.campaign_key).subquery())
        rows = await self._db.execute(
            select(campaigns.c.name, campaigns.c.opens_on, campaigns.c.closes_on,
                   campaigns.c.recipients, func.coalesce(brought.c.ideas, literal(0)))
            .select_from(campaigns.outerjoin(brought, brought.c.campaign_key == campaigns.c.key))
            .where(campaigns.c.opens_on < after, campaigns.c.closes_on >= first,
                   campaigns.c.state.not_in(["draft", "scheduled", "cancelled"])
                   | (brought.c.ideas > 0))
            .order_by(campaigns.c.opens_on, campaigns.c.id))
        return tuple(CampaignResult(name, opens, closes, int(count), recipients)
                     for name, opens, closes, recipients, count in rows)

    async def _deferred(self, in_scope: ColumnElement[bool]
                        ) -> tuple[tuple[DeferredIdea, ...], int]:
        deferred = and_(ideas.c.status == Status.DEFERRED.value, in_scope)
        total = await self._db.scalar(select(func.count()).select_from(ideas).where(deferred))
        rows = await self._db.execute(
            select(ideas.c.reference, ideas.c.title, ideas.c.portfolio_key, t.portfolios.c.name,
                   ideas.c.revisit_on)
            .select_from(ideas.outerjoin(t.portfolios,
                                         t.portfolios.c.key == ideas.c.portfolio_key))
            .where(deferred)
            .order_by(ideas.c.revisit_on.is_(None), ideas.c.revisit_on, ideas.c.reference)
            .limit(LISTED))
        return tuple(DeferredIdea(r.reference, r.title, r.name or r.portfolio_key, r.revisit_on)
                     for r in rows), int(total or 0)

    async def _submitters(self, window: ColumnElement[bool]) -> dict[str, dict[str, int]]:
        """Distinct submitters by each answer of each diversity question, in one statement:
        the window's distinct (submitter, answers) once, then one GROUP BY per question."""
        answers = (select(ideas.c.contributor_object_id, *(ideas.c[d] for d in DIMENSIONS))
                   .where(window).distinct().cte("answers"))
        grouped = union_all(*(
            select(literal(dimension).label("dimension"), answers.c[dimension].label("answer"),
                   func.count(func.distinct(answers.c.contributor_object_id)).label("people"))
            .group_by(answers.c[dimension]) for dimension in DIMENSIONS))
        found: dict[str, dict[str, int]] = {dimension: {} for dimension in DIMENSIONS}
        for dimension, answer, people in await self._db.execute(
                select(grouped.subquery()).order_by("dimension", "answer")):
            found[dimension][str(answer)] = int(people)
        return found

    async def _month_ideas(self, since: Any, until: Any, in_scope: ColumnElement[bool]
                           ) -> tuple[MonthIdea, ...]:
        in_month = and_(ideas.c.submitted_at >= since, ideas.c.submitted_at < until, in_scope)
        decided = (select(history.c.idea_id, func.min(history.c.at).label("at"))
                   .where(history.c.idea_id.in_(select(ideas.c.id).where(in_month)),
                          history.c.to_status.in_(sorted(s.value for s in DECIDED)))
                   .group_by(history.c.idea_id).subquery())
        rows = await self._db.execute(
            select(ideas.c.reference, ideas.c.title, ideas.c.status, ideas.c.decline_reason,
                   func.coalesce(t.portfolios.c.name, ideas.c.portfolio_key).label("portfolio"),
                   func.coalesce(t.categories.c.name, ideas.c.category_key).label("category"),
                   t.campaigns.c.name.label("campaign"), ideas.c.submitted_at,
                   ideas.c.first_response_at, decided.c.at.label("decided_at"))
            .select_from(
                ideas.outerjoin(t.portfolios, t.portfolios.c.key == ideas.c.portfolio_key)
                .outerjoin(t.categories, t.categories.c.key == ideas.c.category_key)
                .outerjoin(t.campaigns, t.campaigns.c.key == ideas.c.campaign_key)
                .outerjoin(decided, decided.c.idea_id == ideas.c.id))
            .where(in_month).order_by(ideas.c.submitted_at, ideas.c.id))
        return tuple(MonthIdea(
            reference=r.reference, title=r.title, status=_status_key(r.status,
                                                                     r.decline_reason)[1],
            portfolio=r.portfolio, category=r.category, campaign=r.campaign or "",
            submitted_at=r.submitted_at, first_response_at=r.first_response_at,
            decided_at=r.decided_at,
        ) for r in rows)


@dataclass
class _Mix:
    """The window's counts by month index, (status, decline reason), portfolio, category."""

    months: dict[int, int] = field(default_factory=dict[int, int])
    statuses: dict[tuple[str, str | None], int] = field(
        default_factory=dict[tuple[str, str | None], int])
    portfolios: dict[str, int] = field(default_factory=dict[str, int])
    categories: dict[str, int] = field(default_factory=dict[str, int])


def _status_mix(statuses: dict[tuple[str, str | None], int]) -> tuple[Count, ...]:
    """The status mix's bars: a decline by its reason, in the order statuses are listed."""
    mix: dict[str, Count] = {}
    for (status, reason), count in statuses.items():
        key, label = _status_key(status, reason)
        was = mix.get(key)
        mix[key] = Count(key, label, count + (was.count if was else 0))
    return tuple(sorted(mix.values(), key=lambda c: (_status_order(c.key), c.key)))


def _status_key(status: str, reason: str | None) -> tuple[str, str]:
    """A status's key and words as the summary names them (a decline by its reason)."""
    known = Status(status)
    if known is Status.DECLINED and reason:
        decline = DeclineReason(reason)
        return f"declined_{decline.value}", f"Declined ({decline.label})"
    return known.value, known.label


def _status_order(key: str) -> int:
    """Where a status key comes in the order statuses are listed (declines together)."""
    order = [status.value for status in Status]
    base = Status.DECLINED.value if key.startswith(Status.DECLINED.value) else key
    return order.index(base) if base in order else len(order)
