"""The summary's SQL restates rules the domain states once: the UK calendar and the promise's
due day (storage/uk_days.py), an idea's status at a moment, and where its promise stands then
(bot.domain.summary.sla_figure over bot.domain.sla.promise_of). Here the two are held to agree:
on moments around month ends and clock changes, and on ideas walked at random through their
lives (every move the table allows, withdrawals, notices given up on), judged at random
moments, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

import pytest
from sqlalchemy import literal, select
from support.promises import walk

from bot.domain.ideas import DeclineReason, Status, uk_day, update_due
from bot.domain.outbox import DeliveryState
from bot.domain.sla import Event, first_response_of, promise_of
from bot.domain.summary import DECIDED, TAKEN_FORWARD, SlaFigure, sla_figure, status_key
from bot.services.reports import Reports
from storage import tables
from storage.tables import Timestamp
from storage.uk_days import promise_due, uk_date, uk_days_between
from storage.uow import unit_of_work_factory

# Month ends, leap days, and both sides of each clock change (UK: last Sundays of March and
# October, at 01:00 UTC).
MOMENTS = [datetime.fromisoformat(text).replace(tzinfo=UTC) for text in (
    "2026-03-29T00:59:59", "2026-03-29T01:00:00", "2026-03-28T23:30:00", "2026-10-24T23:30:00",
    "2026-10-25T00:59:59", "2026-10-25T01:00:00", "2026-12-31T23:59:59", "2027-12-31T00:00:00",
    "2027-06-30T23:00:00", "2027-06-30T22:59:59", "2028-02-29T12:00:00", "2027-08-31T23:30:00",
    "2027-10-31T23:30:00", "2028-01-01T00:00:00", "2026-07-31T23:30:00")]


async def test_the_uk_calendar_in_sql_is_the_domains(engine):
    async with engine.connect() as connection:
        for moment in MOMENTS:
            for later in (moment, moment + timedelta(days=61, hours=5)):
                bound = literal(moment, Timestamp())
                row = (await connection.execute(select(
                    uk_date(bound), promise_due(bound),
                    uk_days_between(literal(later, Timestamp()), bound)))).one()
                assert [str(value) for value in row] == [
                    uk_day(moment).isoformat(), update_due(moment).isoformat(),
                    str((uk_day(later) - uk_day(moment)).days)], moment


LABELS = {reason.label: reason for reason in DeclineReason}


async def by_the_rule(engine: Any, as_of: datetime) -> dict[str, Any]:
    """The summary's figures counted idea by idea in Python, from the history, the outbox and
    the domain's own rules."""
    history, outbox, ideas = tables.idea_history, tables.outbox, tables.ideas
    async with engine.connect() as connection:
        submitted = {row.id: row for row in await connection.execute(
            select(ideas.c.id, ideas.c.submitted_at).where(ideas.c.submitted_at <= as_of))}
        entries = (await connection.execute(
            select(history.c.idea_id, history.c.at, history.c.action, history.c.to_status,
                   history.c.reason, outbox.c.state, outbox.c.sent_at,
                   outbox.c.first_attempt_at, outbox.c.due_at)
            .select_from(history.outerjoin(outbox,
                                           outbox.c.dedupe_key == history.c.notice_key))
            .where(history.c.at <= as_of).order_by(history.c.at, history.c.id))).all()
    statuses: Counter[str] = Counter()
    figures: Counter[SlaFigure] = Counter()
    days: list[int] = []
    for idea_id, started in submitted.items():
        mine = [entry for entry in entries if entry.idea_id == idea_id]
        last = mine[-1]
        reason = LABELS.get(last.reason) if last.to_status == Status.DECLINED.value else None
        statuses[status_key(Status(last.to_status), reason)] += 1
        events = [Event(e.at, e.action, first_response_of(
            e.sent_at, e.state == DeliveryState.DEAD.value, e.first_attempt_at, e.due_at)
            if e.due_at is not None else None) for e in mine]
        figure = sla_figure(promise_of(started.submitted_at, events), as_of)
        if figure is not None:
            figures[figure] += 1
        decided = [e.at for e in mine if e.to_status in {s.value for s in DECIDED}]
        if decided:
            days.append((uk_day(decided[0]) - uk_day(started.submitted_at)).days)
    taken = sum(n for key, n in statuses.items() if key in {s.value for s in TAKEN_FORWARD})
    return {"total": len(submitted), "by_status": statuses, "taken_forward": taken,
            "sla": (sum(figures.values()), figures[SlaFigure.KEPT],
                    figures[SlaFigure.BREACHED], figures[SlaFigure.NOT_RECORDED]),
            "median_days_to_decision": float(median(days)) if days else None}


@pytest.mark.parametrize("seed", [3, 17])
async def test_the_summary_agrees_with_the_rules_on_random_walks(engine, clock, seed):
    rng = random.Random(seed)
    ended = await walk(engine, clock, rng)
    reports = Reports(unit_of_work_factory(engine))
    start = datetime(2026, 8, 20, 9, tzinfo=UTC)
    moments = [start + (ended - start) * rng.random() for _ in range(8)]
    moments += [ended, ended + timedelta(days=70)]
    judged = 0
    for as_of in moments:
        expected = await by_the_rule(engine, as_of)
        summary = await reports.summary(as_of)
        got = summary.as_json()
        assert {key: n for key, n in got["by_status"].items() if n} == dict(
            expected["by_status"]), as_of
        sla = summary.sla
        assert (sla.due, sla.kept, sla.breached, sla.not_recorded) == expected["sla"], as_of
        assert got["taken_forward"] == expected["taken_forward"], as_of
        assert got["median_days_to_decision"] == expected["median_days_to_decision"], as_of
        assert got["total"] == expected["total"]
        judged += sla.due
    assert judged > 0  # the walk made ideas due, so the promise was compared
