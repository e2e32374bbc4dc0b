"""Ideas walked through their two-month promise for tests: moves as staff make them, the
outbox worker's record of each message (sent, or given up on), at the test clock's time, and
the month report's counts made idea by idea by the domain's rule (the database's are held to
them)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.ideas import IdeaDetail, uk_day
from bot.domain.lifecycle import Move
from bot.domain.sla import IdeaPromise, SlaState
from bot.domain.sla_counts import SlaCounts
from storage import tables
from storage.outbox import SqlOutboxQueue
from support.decisions import current, decide
from support.organisation import ALEX

WORKER = "worker-1"
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
