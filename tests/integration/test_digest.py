"""The workforce digest through the real services on SQLite and PostgreSQL: which deliveries it
tells, how each contributor is credited, where the next one begins, and who may prepare it."""

from __future__ import annotations

import pytest
from support.addresses import TENANT, chat_with, remember
from support.decisions import CONTRIBUTOR, STRANGER, actor, load_demo_organisation, submit_idea
from support.organisation import ALEX, MEGAN
from support.promises import move
from support.tables import rows

from bot.app import build_services
from bot.domain.digest import SHOWN, DigestState
from bot.domain.errors import NotAllowed
from bot.domain.lifecycle import Move
from bot.domain.profile import Profile
from bot.services.digests import DigestRefused, NothingDelivered
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


# Sending


PEOPLE = [f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 6)]


async def sent_rows(engine, digest_id: int):
    return await rows(engine, tables.outbox, tables.outbox.c.batch == f"digest:{digest_id}")


async def test_a_digest_goes_once_to_everyone_with_the_app_but_those_who_stopped_calls(
        services, engine, clock) -> None:
    await remember(engine, clock, *(chat_with(p) for p in PEOPLE))
    await remember(engine, clock, chat_with("00000000-0000-4000-8000-000000000099"),
                   removed=("a:00000000-0000-4000-8000-000000000099",))
    await services.campaigns.stop_calls(actor(PEOPLE[0]))
    await delivered(services, "Digital pocket notebooks", named=True)
    digest = await services.digests.prepare(ALEX)
    assert await services.digests.audience(TENANT) == 4

    sent = await services.digests.send(digest.id, ALEX, tenant_id=TENANT)

    assert (sent.state, sent.recipients) == (DigestState.SENT, 4)
    queued = await sent_rows(engine, digest.id)
    assert sorted(r["object_id"] for r in queued) == sorted(PEOPLE[1:])
    assert {r["kind"] for r in queued} == {"digest"}
    assert all("Digital pocket notebooks" in str(r["card"]) for r in queued)
    with pytest.raises(DigestRefused, match=r"was sent on .* to 4 people\. Nothing was sent again"):
        await services.digests.send(digest.id, ALEX, tenant_id=TENANT)
    assert len(await sent_rows(engine, digest.id)) == 4
    [entry] = [a for a in await rows(engine, tables.audit_log) if a["action"] == "digest.sent"]
    assert (entry["actor"], entry["detail"]["recipients"]) == (ALEX, 4)


async def test_an_older_preview_cannot_repeat_a_digest_sent_after_it(services, engine,
                                                                     clock) -> None:
    await remember(engine, clock, *(chat_with(p) for p in PEOPLE))
    await delivered(services, "Digital pocket notebooks")
    older = await services.digests.prepare(ALEX)
    clock.advance(minutes=5)
    newer = await services.digests.prepare(ALEX)
    await services.digests.send(newer.id, ALEX, tenant_id=TENANT)
    with pytest.raises(DigestRefused, match="A later digest was sent"):
        await services.digests.send(older.id, ALEX, tenant_id=TENANT)
    assert await sent_rows(engine, older.id) == []


async def test_nobody_to_send_to_or_no_such_digest_sends_nothing(services, engine) -> None:
    await delivered(services, "Digital pocket notebooks")
    digest = await services.digests.prepare(ALEX)
    with pytest.raises(DigestRefused, match="nobody to send it to"):
        await services.digests.send(digest.id, ALEX, tenant_id=TENANT)
    for forged in (None, 10_000):
        with pytest.raises(DigestRefused, match="not one the portal knows"):
            await services.digests.send(forged, ALEX, tenant_id=TENANT)
    assert (await services.digests.prepare(ALEX)).covers_from == digest.covers_from
    assert await rows(engine, tables.outbox, tables.outbox.c.kind == "digest") == []


async def test_only_the_pmo_sends_a_digest(services, engine, clock) -> None:
    await remember(engine, clock, *(chat_with(p) for p in PEOPLE))
    await delivered(services, "Digital pocket notebooks")
    digest = await services.digests.prepare(ALEX)
    with pytest.raises(NotAllowed):
        await services.digests.send(digest.id, MEGAN, tenant_id=TENANT)
    assert await sent_rows(engine, digest.id) == []
