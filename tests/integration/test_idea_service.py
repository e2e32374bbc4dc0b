"""Submitting and withdrawing through the real idea service, on SQLite and PostgreSQL.

Exactly one idea per confirmed draft however often, and however much at once, it is
confirmed; references that follow on and never repeat; nothing at all written when a
submission is refused.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from support.organisation import ALEX, demo_data, demo_organisation, organisation_from
from support.tables import count, rows

from bot.app import build_services
from bot.domain.errors import Incomplete, NotAllowed, OutOfDate
from bot.domain.identity import Caller
from bot.domain.intake import Draft, Step
from storage import tables

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
COMPLETE = Draft(title="Digital pocket notebooks", problem="Paper is slow to search.",
                 proposal="Use the tablets.", benefit="Two hours a week.", category="process",
                 portfolio="local-policing", named_publicly=True, step=Step.CHECK, revision=8)


def person(n: int) -> Caller:
    return Caller(f"00000000-0000-4000-8000-{n:012d}", f"Officer {n}", TENANT)


@pytest.fixture
async def services(engine, clock):
    services = build_services(engine, clock)
    await services.organisation.replace(demo_organisation(), "test")
    return services


async def written(engine) -> dict[str, int]:
    return {
        "ideas": await count(engine, tables.ideas),
        "history": await count(engine, tables.idea_history),
        "audit": await count(engine, tables.audit_log,
                             tables.audit_log.c.action.like("idea.%")),
        "outbox": await count(engine, tables.outbox),
        "counters": await count(engine, tables.reference_counters),
    }


async def test_one_draft_confirmed_five_times_at_once_is_one_idea(services, engine):
    who = person(1)
    stored = await services.ideas.new_draft(who.object_id, COMPLETE)

    results = await asyncio.gather(*(services.ideas.submit(who, stored.draft_id, 8)
                                     for _ in range(5)))

    assert {r.reference for r in results} == {"IIP-2026-0001"}
    assert sorted(r.first_time for r in results) == [False] * 4 + [True]
    assert await written(engine) == {"ideas": 1, "history": 1, "audit": 1, "outbox": 1,
                                     "counters": 1}
    [counter] = await rows(engine, tables.reference_counters)
    assert counter["last_number"] == 1
    assert await services.ideas.draft(who.object_id) is None
    later = await services.ideas.submit(who, stored.draft_id, 8)  # a tap after it all
    assert (later.reference, later.first_time) == ("IIP-2026-0001", False)


async def test_people_submitting_at_once_get_consecutive_references_once_each(
    services, engine
):
    people = [person(n) for n in range(1, 11)]
    drafts = [await services.ideas.new_draft(p.object_id, replace(COMPLETE, title=p.name))
              for p in people]

    results = await asyncio.gather(*(services.ideas.submit(p, d.draft_id, 8)
                                     for p, d in zip(people, drafts, strict=True)))

    assert sorted(r.reference for r in results) == [f"IIP-2026-{n:04d}" for n in range(1, 11)]
    ideas = {i["reference"]: i for i in await rows(engine, tables.ideas)}
    for who, result in zip(people, results, strict=True):
        assert ideas[result.reference]["contributor_object_id"] == who.object_id
        assert ideas[result.reference]["title"] == who.name == result.title
    assert await written(engine) == {"ideas": 10, "history": 10, "audit": 10, "outbox": 10,
                                     "counters": 1}


async def test_a_refused_submission_writes_nothing_and_uses_no_number(services, engine):
    who = person(1)
    incomplete = await services.ideas.new_draft(who.object_id, replace(COMPLETE, benefit=""))

    with pytest.raises(OutOfDate):
        await services.ideas.submit(who, incomplete.draft_id, 7)  # an older revision
    with pytest.raises(OutOfDate):
        await services.ideas.submit(who, "another-draft", 8)
    with pytest.raises(Incomplete) as gaps:
        await services.ideas.submit(who, incomplete.draft_id, 8)
    assert gaps.value.steps == ["benefit"]
    stale = await services.ideas.new_draft(who.object_id, COMPLETE)
    smaller = demo_data()
    smaller["categories"] = [c for c in smaller["categories"] if c["key"] != "process"]
    smaller["portfolios"] = [p for p in smaller["portfolios"] if p["key"] != "local-policing"]
    await services.organisation.replace(organisation_from(smaller), "test")
    with pytest.raises(Incomplete) as gaps:
        await services.ideas.submit(who, stale.draft_id, 8)
    assert gaps.value.steps == ["category", "portfolio"]

    assert await written(engine) == {"ideas": 0, "history": 0, "audit": 0, "outbox": 0,
                                     "counters": 0}
    assert (await services.ideas.draft(who.object_id)).draft == COMPLETE  # kept as it was
    fixed = await services.ideas.save_draft(stale, replace(COMPLETE, category="cost",
                                                           portfolio="crime-and-justice"))
    assert (await services.ideas.submit(who, fixed.draft_id, 8)).reference == "IIP-2026-0001"


async def test_someone_elses_draft_cannot_be_submitted_by_its_id(services, engine):
    owner, other = person(1), person(2)
    stored = await services.ideas.new_draft(owner.object_id, COMPLETE)

    with pytest.raises(OutOfDate):
        await services.ideas.submit(other, stored.draft_id, 8)

    assert await written(engine) == {"ideas": 0, "history": 0, "audit": 0, "outbox": 0,
                                     "counters": 0}
    assert (await services.ideas.draft(owner.object_id)).draft == COMPLETE


async def test_withdrawing_twice_at_once_withdraws_once(services, engine):
    who = person(1)
    stored = await services.ideas.new_draft(who.object_id, COMPLETE)
    reference = (await services.ideas.submit(who, stored.draft_id, 8)).reference

    outcomes = await asyncio.gather(
        *(services.ideas.withdraw(who, reference, f"reason {n}") for n in range(2)),
        return_exceptions=True)

    done = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(done) == 1 and len(refused) == 1
    assert isinstance(refused[0], NotAllowed | OutOfDate)
    history = await rows(engine, tables.idea_history)
    assert [h["action"] for h in history] == ["submitted", "withdrawn"]
    [idea] = await rows(engine, tables.ideas)
    assert (idea["status"], idea["version"]) == ("withdrawn", 2)
    told = await rows(engine, tables.outbox, tables.outbox.c.dedupe_key.like("withdrawn:%"))
    assert [t["object_id"] for t in told] == [ALEX]
    with pytest.raises(NotAllowed, match="is withdrawn, so it can no longer be withdrawn"):
        await services.ideas.withdraw(who, reference, None)
