"""The month report's and the board pack's promise counts are made by the database
(storage/promise_counts.py), restating bot.domain.sla.Promise.state in SQL. Here they are held
to the domain's rule: ideas walked at random through their lives (every move the table allows,
withdrawals, reopens, notices given up on) and a few at the rule's edges, each idea's promise
derived again from its history and the outbox (bot.domain.sla.promise_of) and counted one by
one, as at moments around month ends and both clock changes, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from support.decisions import CONTRIBUTOR, actor, submit_idea
from support.promises import move, record_all, tally, walk

from bot.app import build_services
from bot.domain.board_pack import month_starts
from bot.domain.ideas import LONDON, add_months, update_due
from bot.domain.lifecycle import Move
from bot.domain.sla import IdeaPromise
from bot.domain.sla_counts import SlaCounts
from bot.services.board_packs import BoardPacks
from bot.services.reports import Reports
from storage.uow import unit_of_work_factory

STARTED = datetime(2026, 8, 20, 9, tzinfo=UTC)  # when the walk submits its first idea
# Month ends and both sides of each clock change (UK: last Sundays of October and March, at
# 01:00 UTC), within the walk.
MOMENTS = [datetime.fromisoformat(text).replace(tzinfo=UTC) for text in (
    "2026-10-25T00:59:59", "2026-10-25T01:00:00", "2026-10-31T23:30:00", "2026-11-30T23:59:59",
    "2026-12-31T23:59:59", "2027-01-01T00:00:00", "2027-02-28T23:30:00", "2027-03-28T00:59:59",
    "2027-03-28T01:00:00", "2027-03-31T22:59:59", "2027-03-31T23:00:00")]


async def at_the_edges(engine: Any, clock: Any) -> datetime:
    """Four more ideas at the rule's edges: two answered on either side of UK midnight at the
    end of their due day (kept; breached), two withdrawn unanswered: one the next day (so
    never due), one after its due day (so breached). The last moment."""
    services = build_services(engine, clock)
    on_time, late = await submit_idea(services), await submit_idea(services)
    last_day = update_due(clock.current)
    clock.current = datetime.combine(last_day, time(23, 30), LONDON).astimezone(UTC)
    for idea in (on_time, late):
        await move(services, idea, Move.UPDATE)
        await record_all(engine, clock)
        clock.advance(hours=1)
    early, unanswered = await submit_idea(services), await submit_idea(services)
    clock.advance(days=1)
    await services.ideas.withdraw(actor(CONTRIBUTOR), early.reference, "Solved")
    clock.advance(days=64)
    await services.ideas.withdraw(actor(CONTRIBUTOR), unanswered.reference, "Too late")
    return clock.current


async def derived(engine: Any) -> list[IdeaPromise]:
    """Every idea's promise as derived again from its history and the outbox."""
    async with unit_of_work_factory(engine)() as uow:
        return await uow.promises.derived(0, 10_000)


def due_in(promises: list[IdeaPromise], month: date,
           portfolio: str | None = None) -> list[IdeaPromise]:
    return [idea for idea in promises if idea.promise.due.replace(day=1) == month
            and portfolio in (None, idea.portfolio_key)]


@pytest.mark.parametrize("seed", [5, 11])
async def test_the_counts_agree_with_the_rule_on_random_walks(engine, clock, seed):
    rng = random.Random(seed)
    await walk(engine, clock, rng)
    ended = await at_the_edges(engine, clock)
    promises = await derived(engine)
    # The rows the database counts keep what the history says (the report reads the rows).
    assert all(idea.recorded.agrees_with(idea.promise) for idea in promises)
    dues = sorted({idea.promise.due.replace(day=1) for idea in promises})
    portfolios = sorted({idea.portfolio_key for idea in promises})
    assert len(dues) >= 3 and len(portfolios) >= 2  # the walk spread them out
    # Every month from the first due to the last, and one either side, with ideas or none.
    span = (dues[-1].year - dues[0].year) * 12 + dues[-1].month - dues[0].month + 3
    months = month_starts(add_months(dues[-1], 1), span)

    reports = Reports(unit_of_work_factory(engine))
    moments = [STARTED + (ended - STARTED) * rng.random() for _ in range(5)]
    moments += [*MOMENTS, ended, ended + timedelta(days=70)]
    seen = SlaCounts()  # how many of each state were compared, over every moment and month
    not_due = 0  # and how many were withdrawn before any answer
    for as_at in moments:
        for month in months:
            report = await reports.sla_month(f"{month:%Y-%m}", as_at)
            ideas = due_in(promises, month)
            expected = tally(ideas, as_at)
            assert report.total == expected, (as_at, month)
            assert report.by_portfolio == {
                key: tally(due_in(promises, month, key), as_at)
                for key in portfolios if due_in(promises, month, key)}, (as_at, month)
            alone = await reports.sla_month(f"{month:%Y-%m}", as_at, portfolios[0])
            assert alone.total == tally(due_in(promises, month, portfolios[0]), as_at)
            seen = SlaCounts(seen.due + expected.due, seen.kept + expected.kept,
                             seen.kept_unreachable + expected.kept_unreachable,
                             seen.breached + expected.breached, seen.open + expected.open)
            not_due += len(ideas) - expected.due
    # Every branch of the rule was met at some moment, so each was compared.
    assert min(seen.kept, seen.kept_unreachable, seen.breached, seen.open, not_due) > 0, seen


@pytest.mark.parametrize("seed", [5])
async def test_the_board_packs_trend_agrees_with_the_rule(engine, clock, seed):
    rng = random.Random(seed)
    ended = await walk(engine, clock, rng)
    promises = await derived(engine)
    last = max(idea.promise.due for idea in promises).replace(day=1)
    packs = BoardPacks(unit_of_work_factory(engine), clock)
    for now in (ended, datetime(2027, 3, 28, 0, 59, 59, tzinfo=UTC)):
        clock.current = now
        for month, window in ((last, 12), (add_months(last, -3), 4)):
            pack = await packs.monthly(month, sla_months=window)
            expected = [tally(due_in(promises, start), now) for start in
                        month_starts(month, window)]
            assert [(f.month, f.due, f.kept, f.breached, f.open, f.compliance,
                     f.median_days_to_first_response) for f in pack.sla_trend] == [
                (start, c.due, c.kept + c.kept_unreachable, c.breached, c.open, c.compliance,
                 c.median_days_to_first_response)
                for start, c in zip(month_starts(month, window), expected, strict=True)]
            assert any(c != SlaCounts() for c in expected)
