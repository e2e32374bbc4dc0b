"""The promise's columns agree with the promise derived again from history and the outbox,
whatever ideas go through (random walks of moves, sends, give-ups and waits), and
`PromiseCheck` finds and repairs a row that does not, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update
from support.decisions import (
    CONTRIBUTOR,
    actor,
    current,
    decide,
    load_demo_organisation,
    submit_idea,
)
from support.organisation import ALEX
from support.promises import move, promise_columns, record_all

from bot.app import build_services
from bot.domain.ideas import IdeaDetail, Status
from bot.domain.lifecycle import Move, Party, moves_for
from bot.services.promises import PromiseCheck
from storage import tables
from storage.uow import unit_of_work_factory

START = datetime(2026, 1, 28, 10, 0, tzinfo=UTC)
EVERYONE = frozenset({Party.PMO, Party.SPOC, Party.CONTRIBUTOR})
OTHER_PORTFOLIO = {"local-policing": "crime-and-justice", "crime-and-justice": "local-policing"}


@pytest.fixture
async def services(engine, clock):
    clock.current = START
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    return services


async def step(services, idea: IdeaDetail, rng: random.Random) -> IdeaDetail:
    """One move the idea's status allows, chosen at random."""
    chosen = rng.choice(moves_for(idea.status, EVERYONE))
    if chosen is Move.WITHDRAW:
        await services.ideas.withdraw(actor(CONTRIBUTOR), idea.reference, None)
        return await current(services, idea)
    if chosen is Move.REALLOCATE:
        await decide(services, ALEX, idea, chosen,
                     portfolio=OTHER_PORTFOLIO[idea.portfolio_key])
        return await current(services, idea)
    return await move(services, idea, chosen)


@pytest.mark.parametrize("seed", [7, 2026])
async def test_the_columns_kept_as_things_happen_agree_with_the_derived_promise(
        services, engine, clock, seed):
    rng = random.Random(seed)
    ideas = [await submit_idea(services, portfolio="local-policing") for _ in range(12)]
    for _round in range(14):
        for n, idea in enumerate(ideas):
            if rng.random() < 0.6 and moves_for(idea.status, EVERYONE):
                ideas[n] = await step(services, idea, rng)
        outcome = rng.random()
        if outcome < 0.5:
            await record_all(engine, clock)
        elif outcome < 0.7:
            await record_all(engine, clock, dead=True)
        # otherwise the notices wait: pressed, not yet sent
        clock.advance(days=rng.randint(0, 25), hours=rng.randint(0, 23))

    checked = await PromiseCheck(unit_of_work_factory(engine), clock, batch=5).run()
    assert checked.ideas == len(ideas)
    assert [i.reference for i in checked.differences] == []
    columns = [await promise_columns(engine, idea) for idea in ideas]
    assert any(answered for _due, answered, _unreachable in columns)
    assert {idea.status for idea in ideas} - {Status.SUBMITTED}  # the walk went somewhere


async def test_a_row_that_disagrees_is_reported_then_repaired_and_audited(
        services, engine, clock):
    idea = await submit_idea(services)
    idea = await move(services, idea, Move.DECLINE_AT_TRIAGE)
    clock.advance(hours=1)
    await record_all(engine, clock)
    sent_at = clock.now()
    other = await submit_idea(services)
    # As a replica on older code would leave them: no due day, no first response.
    async with engine.begin() as connection:
        await connection.execute(update(tables.ideas).values(sla_due_on=None,
                                                             first_response_at=None))

    check = PromiseCheck(unit_of_work_factory(engine), clock)
    found = await check.run()
    assert (found.ideas, found.repaired) == (2, False)
    assert [(i.reference, i.recorded.due, i.promise.first_response.at
             if i.promise.first_response else None) for i in found.differences] == [
        (idea.reference, None, sent_at), (other.reference, None, None)]
    assert (await promise_columns(engine, idea))[0] is None  # only reported

    repaired = await check.run(repair=True)
    assert len(repaired.differences) == 2 and repaired.repaired
    assert await promise_columns(engine, idea) == (idea.summary.promise_due, sent_at, False)
    assert (await check.run()).differences == []
    async with engine.connect() as connection:
        audited = (await connection.execute(
            select(tables.audit_log.c.subject, tables.audit_log.c.actor)
            .where(tables.audit_log.c.action == "idea.promise_repaired")
            .order_by(tables.audit_log.c.id))).all()
    assert [tuple(row) for row in audited] == [(idea.reference, "system:iip sla check"),
                                               (other.reference, "system:iip sla check")]


async def test_an_imported_ideas_first_response_from_the_old_list_stands(
        services, engine, clock):
    imported, typed_in = await submit_idea(services), await submit_idea(services)
    answered_at = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)
    async with engine.begin() as connection:
        await connection.execute(update(tables.ideas).values(first_response_at=answered_at))
        await connection.execute(update(tables.ideas).where(tables.ideas.c.id == imported.id)
                                 .values(legacy_id="list-item-17"))

    found = await PromiseCheck(unit_of_work_factory(engine), clock).run()
    # The imported idea's answer is the old list's; the other's, typed in, has no notice.
    assert [idea.reference for idea in found.differences] == [typed_in.reference]
