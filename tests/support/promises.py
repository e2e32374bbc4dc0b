"""Ideas walked through their two-month promise for tests: moves as staff make them, the
outbox worker's record of each message (sent, or given up on), at the test clock's time, and
the month report's counts made idea by idea by the domain's rule (the database's are held to
them)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_services
from bot.domain.ideas import IdeaDetail, uk_day
from bot.domain.lifecycle import STAFF, Move, moves_for, withdrawable
from bot.domain.sla import IdeaPromise, SlaState
from bot.domain.sla_counts import SlaCounts
from storage import tables
from storage.outbox import SqlOutboxQueue
from storage.uow import unit_of_work_factory
from support.decisions import (
    CONTRIBUTOR,
    actor,
    current,
    decide,
    load_demo_organisation,
    submit_idea,
)
from support.organisation import ALEX

WORKER = "worker-1"
# How many ideas `walk` submits.
WALKERS = 14
LEASE = timedelta(minutes=1)
# What each move's form needs, beyond the idea's version.
FIELDS: dict[Move, dict[str, Any]] = {
    Move.ALLOCATE: {"portfolio": "local-policing"},
    Move.DECLINE_AT_TRIAGE: {"reason": "already_exists", "message": "It exists."},
    Move.APPROVE: {"root_causes": True, "message": "Yes."},
    Move.DECLINE: {"root_causes": True, "reason": "not_viable", "message": "No."},
    Move.DEFER: {"revisit_on": "2028-06-01", "message": "Later."},
    Move.ESCALATE: {"root_causes": True, "message": "Up it goes."},
    Move.ASK: {"message": "Which station?"},
    Move.UPDATE: {"message": "Still looking."},
    Move.DELIVER: {"what_changed": "Done."},
    Move.REVISIT: {},
    Move.REOPEN: {"reason": "Asked again."},
    Move.REALLOCATE: {"portfolio": "crime-and-justice"},
}


async def move(services: Any, idea: IdeaDetail, chosen: Move, who: str = ALEX) -> IdeaDetail:
    """`who` (the PMO and Local Policing's SPOC, by default) makes `chosen`; the idea after."""
    await decide(services, who, idea, chosen, **FIELDS[chosen])
    return await current(services, idea)


async def record_all(engine: AsyncEngine, clock: Any, *, dead: bool = False) -> int:
    """The worker claims every due message now and records each as sent now (or, with
    `dead`, tries once and gives each up); how many."""
    queue = SqlOutboxQueue(engine)
    done = 0
    while deliveries := await queue.claim(WORKER, clock.now(), 500, LEASE):
        for delivery in deliveries:
            if dead:
                await queue.dead(delivery.id, WORKER, "ConversationBlockedByUser")
            else:
                await queue.sent(delivery.id, WORKER, clock.now(), "a:chat", "activity")
        done += len(deliveries)
    return done


async def walk(engine: Any, clock: Any, rng: random.Random) -> datetime:
    """Ideas submitted over a few weeks, each moved at random (every staff move its status
    allows, or the contributor's withdrawal) every few days across both clock changes, each
    notice recorded when made: sent, or now and then given up on. The last moment."""
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    clock.current = datetime(2026, 8, 20, 9, tzinfo=UTC)
    ideas = []
    for _ in range(WALKERS):
        clock.advance(hours=rng.uniform(1, 120))
        ideas.append(await submit_idea(services))
    for _ in range(9):
        for n, idea in enumerate(ideas):
            clock.advance(hours=rng.uniform(1, 30 * 24 / WALKERS))
            if rng.random() < 0.25:
                continue
            choices: list[Move | None] = list(moves_for(idea.status, STAFF))
            if withdrawable(idea.status):
                choices.append(None)
            if not choices:
                continue
            chosen = rng.choice(choices)
            if chosen is None:
                await services.ideas.withdraw(actor(CONTRIBUTOR), idea.reference, "Done")
            else:
                await move(services, idea, chosen)
            async with unit_of_work_factory(engine)() as uow:
                found = await uow.ideas.by_id(idea.id)
            assert found is not None
            ideas[n] = found
            await record_all(engine, clock, dead=rng.random() < 0.15)
    return clock.current


async def promise_columns(engine: AsyncEngine, idea: IdeaDetail) -> tuple[Any, Any, bool]:
    """(sla_due_on, first_response_at, first_response_unreachable) of the idea's row."""
    ideas = tables.ideas
    async with engine.connect() as connection:
        row = (await connection.execute(
            select(ideas.c.sla_due_on, ideas.c.first_response_at,
                   ideas.c.first_response_unreachable).where(ideas.c.id == idea.id))).one()
    return row.sla_due_on, row.first_response_at, row.first_response_unreachable


def tally(promises: Iterable[IdeaPromise], as_at: datetime) -> SlaCounts:
    """Count each idea's promise as it stood at `as_at` (bot.domain.sla.Promise.state), one
    by one: what the database's counts must come to."""
    states: dict[SlaState, int] = dict.fromkeys(SlaState, 0)
    days: list[int] = []
    for idea in promises:
        promise = idea.promise
        states[promise.state(as_at)] += 1
        response = promise.first_response
        if response is not None and response.at <= as_at:
            days.append((uk_day(response.at) - uk_day(promise.started_at)).days)
    due = sum(states.values()) - states[SlaState.NOT_APPLICABLE]
    return SlaCounts(due=due, kept=states[SlaState.KEPT],
                     kept_unreachable=states[SlaState.KEPT_UNREACHABLE],
                     breached=states[SlaState.BREACHED], open=states[SlaState.OPEN],
                     median_days_to_first_response=float(median(days)) if days else None)
