"""The workforce digest through the real services on SQLite and PostgreSQL: which deliveries it
tells, how each contributor is credited, where the next one begins, and who may prepare it."""

from __future__ import annotations

import pytest
from support.decisions import CONTRIBUTOR, STRANGER, load_demo_organisation, submit_idea
from support.organisation import ALEX, MEGAN
from support.promises import move
from support.tables import rows

from bot.app import build_services
from bot.domain.digest import SHOWN, DigestState
from bot.domain.errors import NotAllowed
from bot.domain.lifecycle import Move
from bot.domain.profile import Profile
from bot.services.digests import NothingDelivered
from storage import tables


@pytest.fixture
async def services(engine, clock):
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    return services


async def delivered(services, title: str, *, named: bool = False, contributor: str = CONTRIBUTOR):
    idea = await submit_idea(services, title, named_publicly=named, contributor=contributor)
    for step in (Move.ALLOCATE, Move.APPROVE, Move.DELIVER):
        idea = await move(services, idea, step)
    return idea


async def test_a_digest_tells_each_delivery_named_only_with_consent(services, clock) -> None:
    await services.ideas.save_profile(STRANGER, Profile(department="local-policing",
                                                         role_type="officer"))
    await delivered(services, "Digital pocket notebooks", named=True)
    clock.advance(hours=1)
    await delivered(services, "Fewer forms in custody", contributor=STRANGER)
    clock.advance(hours=1)
    await delivered(services, "Shared fleet bookings")  # no profile given

    digest = await services.digests.prepare(ALEX)

    assert (digest.total, digest.state, digest.created_by) == (3, DigestState.DRAFT, ALEX)
    assert [(e.title, e.credit) for e in digest.entries] == [
        ("Shared fleet bookings", "a colleague"),
        ("Fewer forms in custody", "an officer in Local Policing"),
        ("Digital pocket notebooks", "Pat Contributor"),
    ]
    assert all(e.what_changed == "Done." for e in digest.entries)


async def test_the_next_digest_begins_where_the_last_sent_one_ended(services, clock,
                                                                    engine) -> None:
    await delivered(services, "Digital pocket notebooks")
    first = await services.digests.prepare(ALEX)
    async with engine.begin() as connection:  # as sending it records
        await connection.execute(tables.digests.update().values(state="sent"))
    with pytest.raises(NothingDelivered) as nothing:
        await services.digests.prepare(ALEX)
    assert nothing.value.since == first.covers_to

    clock.advance(days=2)
    await delivered(services, "Fewer forms in custody")
    second = await services.digests.prepare(ALEX)
    assert second.covers_from == first.covers_to
    assert [e.title for e in second.entries] == ["Fewer forms in custody"]


async def test_an_unsent_digest_moves_nothing_on(services) -> None:
    await delivered(services, "Digital pocket notebooks")
    first = await services.digests.prepare(ALEX)
    again = await services.digests.prepare(ALEX)
    assert (again.covers_from, again.total) == (first.covers_from, 1)


async def test_a_long_run_is_told_in_part_and_counted_whole(services, clock) -> None:
    for number in range(SHOWN + 3):
        clock.advance(minutes=5)
        await delivered(services, f"Idea number {number}")
    digest = await services.digests.prepare(ALEX)
    assert (digest.total, len(digest.entries), digest.more) == (SHOWN + 3, SHOWN, 3)
    assert digest.entries[0].title == f"Idea number {SHOWN + 2}"


async def test_an_idea_reopened_since_its_delivery_is_not_told(services, clock) -> None:
    idea = await delivered(services, "Digital pocket notebooks")
    clock.advance(hours=1)
    await move(services, idea, Move.REOPEN)
    with pytest.raises(NothingDelivered):
        await services.digests.prepare(ALEX)


@pytest.mark.parametrize("who", [MEGAN, CONTRIBUTOR])
async def test_only_the_pmo_prepares_a_digest(services, engine, who) -> None:
    await delivered(services, "Digital pocket notebooks")
    with pytest.raises(NotAllowed):
        await services.digests.prepare(who)
    assert await rows(engine, tables.digests) == []


async def test_preparing_is_audited(services, engine) -> None:
    await delivered(services, "Digital pocket notebooks")
    digest = await services.digests.prepare(ALEX)
    [entry] = [a for a in await rows(engine, tables.audit_log)
               if a["action"] == "digest.prepared"]
    assert (entry["actor"], entry["subject"], entry["detail"]["total"]) == (
        ALEX, f"digest:{digest.id}", 1)
