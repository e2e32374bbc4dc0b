"""The organisation in the database: stored as loaded, old entries retired, reloads idempotent."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from support.organisation import ALEX, ISAIAH, MEGAN, demo_data, demo_organisation
from support.tables import count, rows

from bot.domain.organisation import Organisation, Person, Roles, parse_organisation
from bot.services.organisation import OrganisationService
from storage import tables
from storage.uow import SqlUnitOfWork, unit_of_work_factory

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


async def replace(engine: AsyncEngine, organisation: Organisation) -> int:
    async with SqlUnitOfWork(engine) as uow:
        revision = await uow.organisation.replace(organisation, T0)
        await uow.commit()
    return revision


async def load(engine: AsyncEngine) -> tuple[int, Organisation | None]:
    async with SqlUnitOfWork(engine) as uow:
        return await uow.organisation.revision(), await uow.organisation.load()


def without_last_portfolio_and_person() -> Organisation:
    data = demo_data()
    data["portfolios"] = [p for p in data["portfolios"] if p["key"] != "people-and-wellbeing"]
    data["portfolios"][0]["deputies"] = []
    data["people"] = [p for p in data["people"] if p["object_id"] != ISAIAH]
    data["categories"].pop()
    return parse_organisation(data)


async def test_nothing_is_loaded_at_first(engine: AsyncEngine) -> None:
    assert await load(engine) == (0, None)


async def test_the_demo_organisation_round_trips_exactly(engine: AsyncEngine) -> None:
    demo = demo_organisation()
    assert await replace(engine, demo) == 1
    revision, loaded = await load(engine)
    assert revision == 1
    assert loaded == demo
    assert loaded.roles_of(ALEX) == demo.roles_of(ALEX)
    assert loaded.person(MEGAN) == Person(MEGAN, "Megan Bowen", "meganb@example.com")


async def test_the_files_order_round_trips(engine: AsyncEngine) -> None:
    data = demo_data()
    for section in ("people", "portfolios", "categories"):
        data[section].reverse()
    data["portfolios"][0]["spocs"].reverse()
    data["pmo"]["members"] = [MEGAN, ALEX]
    reordered = parse_organisation(data)
    assert await replace(engine, reordered) == 1
    assert (await load(engine))[1] == reordered


async def test_each_replace_is_a_new_revision(engine: AsyncEngine) -> None:
    demo = demo_organisation()
    await replace(engine, demo)
    changed = dataclasses.replace(demo, pmo_contact="Call 4471")
    assert await replace(engine, changed) == 2
    assert await load(engine) == (2, changed)


async def test_what_the_file_drops_is_retired_not_deleted(engine: AsyncEngine) -> None:
    await replace(engine, demo_organisation())
    smaller = without_last_portfolio_and_person()
    await replace(engine, smaller)
    assert (await load(engine))[1] == smaller

    portfolios = {r["key"]: r["active"] for r in await rows(engine, tables.portfolios)}
    assert portfolios == {"local-policing": True, "crime-and-justice": True,
                          "digital-and-data": True, "people-and-wellbeing": False}
    people = {r["object_id"]: r["active"] for r in await rows(engine, tables.people)}
    assert people[ISAIAH] is False and people[ALEX] is True
    categories = {r["key"]: r["active"] for r in await rows(engine, tables.categories)}
    assert categories["cost"] is False and sum(categories.values()) == 4
    # Roles follow the file exactly: no grant survives for what was dropped.
    grants = await rows(engine, tables.role_assignments)
    assert all(g["portfolio_key"] != "people-and-wellbeing" for g in grants)
    assert all(g["object_id"] != ISAIAH for g in grants)


async def test_a_retired_portfolio_comes_back_when_the_file_names_it_again(
        engine: AsyncEngine) -> None:
    await replace(engine, demo_organisation())
    await replace(engine, without_last_portfolio_and_person())
    await replace(engine, demo_organisation())
    assert (await load(engine))[1] == demo_organisation()
    assert await count(engine, tables.portfolios, tables.portfolios.c.active.is_(False)) == 0


async def test_a_replace_not_committed_changes_nothing(engine: AsyncEngine) -> None:
    await replace(engine, demo_organisation())
    async with SqlUnitOfWork(engine) as uow:
        await uow.organisation.replace(without_last_portfolio_and_person(), T0)
    assert await load(engine) == (1, demo_organisation())


# OrganisationService

async def test_loading_twice_changes_nothing_the_second_time(engine: AsyncEngine, clock) -> None:
    service = OrganisationService(unit_of_work_factory(engine), clock)
    changes = await service.replace(demo_organisation(), actor="system:test")
    assert changes and changes[0].startswith("person added: ")
    (entry,) = await rows(engine, tables.audit_log)
    assert (entry["action"], entry["actor"], entry["subject"]) == (
        "organisation.loaded", "system:test", "revision 1")
    assert entry["detail"] == {"changes": changes}
    assert entry["at"] == clock.now()

    clock.advance(minutes=5)
    assert await service.replace(demo_organisation(), actor="system:test") == []
    assert await count(engine, tables.audit_log) == 1
    assert (await load(engine))[0] == 1


async def test_a_change_is_audited_with_what_changed(engine: AsyncEngine, clock) -> None:
    service = OrganisationService(unit_of_work_factory(engine), clock)
    await service.replace(demo_organisation(), actor="system:test")
    changes = await service.replace(without_last_portfolio_and_person(), actor="pmo:alex")
    assert changes == [f"person retired: {ISAIAH}", "portfolio retired: people-and-wellbeing",
                       "portfolio changed: local-policing", "category retired: cost"]
    audit = await rows(engine, tables.audit_log)
    assert [(a["actor"], a["subject"], a["detail"]) for a in audit][1:] == [
        ("pmo:alex", "revision 2", {"changes": changes})]


async def test_reloading_the_same_file_in_a_new_order_keeps_the_new_order(
        engine: AsyncEngine, clock) -> None:
    service = OrganisationService(unit_of_work_factory(engine), clock)
    await service.replace(demo_organisation(), actor="system:test")
    data = demo_data()
    data["portfolios"].reverse()
    data["categories"].reverse()
    reordered = parse_organisation(data)
    assert await service.replace(reordered, actor="system:test") == [
        "portfolios reordered", "categories reordered"]
    assert await service.current() == reordered


async def test_the_cache_follows_a_replace_made_elsewhere(engine: AsyncEngine, clock) -> None:
    reader = OrganisationService(unit_of_work_factory(engine), clock)
    writer = OrganisationService(unit_of_work_factory(engine), clock)
    assert await reader.current() is None
    assert await reader.roles_of(ALEX) == Roles()

    await writer.replace(demo_organisation(), actor="system:test")
    first = await reader.current()
    assert first == demo_organisation()
    assert await reader.current() is first          # unchanged revision: served from cache
    assert (await reader.roles_of(ALEX)).pmo

    data = demo_data()
    data["pmo"]["members"] = [MEGAN]
    await writer.replace(parse_organisation(data), actor="system:test")
    assert (await reader.current()).pmo == (MEGAN,)
    assert not (await reader.roles_of(ALEX)).pmo
    assert (await reader.roles_of(MEGAN)).pmo


async def test_change_agents_round_trip_in_order_and_are_replaced(engine: AsyncEngine) -> None:
    agents = ("6e2f1b7a-0c4d-4a5e-9f10-2b3c4d5e6f70", MEGAN, ALEX)
    with_agents = dataclasses.replace(demo_organisation(), change_agents=agents)
    await replace(engine, with_agents)
    assert (await load(engine))[1] == with_agents
    fewer = dataclasses.replace(demo_organisation(), change_agents=(ALEX,))
    await replace(engine, fewer)
    assert (await load(engine))[1] == fewer
    assert await count(engine, tables.change_agents) == 1
