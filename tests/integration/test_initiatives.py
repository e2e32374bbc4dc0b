"""The register of known initiatives on SQLite and PostgreSQL, through the real service and the
similar-ideas engine (characters only, as tests run it): the PMO adds, edits, retires and
restores entries, each change audited once and indexed in its own transaction, so a search
finds an entry as it now is and never a retired one; anyone else changes nothing; references
never clash; importing a register again adds nothing twice, and a dry run indexes nothing."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from support.decisions import load_demo_organisation
from support.organisation import ALEX, MEGAN
from support.tables import rows

from bot.app import build_services
from bot.domain.errors import NotAllowed, NotFound
from bot.domain.initiatives import (
    InitiativeForm,
    InvalidInitiative,
    Stage,
    check_register,
)
from bot.domain.similar import Audience, MatchKind, query_of
from bot.services.bundle import Services
from bot.services.initiatives import InitiativeService
from storage import tables

BWV = InitiativeForm(title="Body-worn video for every response officer",
                     description="Cameras issued to response, footage shared with the CPS.",
                     stage="In progress", portfolio="Local Policing")
ANPR = InitiativeForm(title="ANPR alerts on the MDT", description="Hits reach the car.",
                      stage="exists", portfolio="digital-and-data",
                      link="https://intranet.example/anpr")


@pytest.fixture
async def services(engine: AsyncEngine, clock) -> Services:
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    return services


@pytest.fixture
async def register(services: Services) -> InitiativeService:
    return services.initiatives


async def indexed(engine: AsyncEngine) -> dict[int, str]:
    """What searches rank of each initiative: its text, by id."""
    return {row["item_id"]: row["text"] for row in await rows(engine, tables.match_documents)
            if row["kind"] == MatchKind.INITIATIVE.value}


async def found(services: Services, text: str) -> list[str]:
    """The references a colleague writing `text` is shown."""
    return [match.reference for match in await services.similar.find(
        text, audience=Audience.COLLEAGUES, limit=5) if match.kind is MatchKind.INITIATIVE]


async def audit(engine: AsyncEngine, prefix: str = "initiative") -> list[tuple[str, str, str]]:
    return [(row["actor"], row["action"], row["subject"])
            for row in await rows(engine, tables.audit_log)
            if row["action"].startswith(prefix)]


async def test_the_pmo_adds_edits_retires_and_restores_each_change_audited_and_indexed(
    engine: AsyncEngine, services: Services, register: InitiativeService, clock
):
    bwv = (await register.add(ALEX, BWV)).initiative
    anpr = (await register.add(ALEX, ANPR)).initiative
    assert (bwv.reference, anpr.reference) == ("INI-0001", "INI-0002")
    assert (bwv.stage, bwv.portfolio_key, bwv.active) == (Stage.UNDER_WAY, "local-policing", True)
    assert await indexed(engine) == {bwv.id: query_of(BWV.title, BWV.description),
                                     anpr.id: query_of(ANPR.title, ANPR.description)}
    writing = "Every response officer should have body-worn video cameras"
    assert await found(services, writing) == ["INI-0001"]

    clock.advance(minutes=5)
    edited = (await register.edit(ALEX, bwv.id, replace(
        BWV, title="Tasers for every response officer", stage="Live", contact="Sam"))
    ).initiative
    assert (edited.stage, edited.contact, edited.reference) == (Stage.EXISTS, "Sam", "INI-0001")
    assert edited.updated_at == clock.now() and edited.created_at < edited.updated_at
    assert (await indexed(engine))[bwv.id].startswith("Tasers for every response officer")
    assert await found(services, "Tasers issued to every response officer") == ["INI-0001"]
    # Saved again unchanged: nothing to audit.
    await register.edit(ALEX, bwv.id, replace(
        BWV, title="Tasers for every response officer", stage="exists", contact="Sam"))

    anpr_text = "ANPR alerts should reach the MDT in the car"
    assert await found(services, anpr_text) == ["INI-0002"]
    assert not (await register.retire(ALEX, anpr.id)).initiative.active
    assert not (await register.retire(ALEX, anpr.id)).initiative.active  # a second press
    assert await found(services, anpr_text) == []
    assert (await register.restore(ALEX, anpr.id)).initiative.active
    assert await found(services, anpr_text) == ["INI-0002"]
    assert await audit(engine) == [
        (ALEX, "initiative.added", "INI-0001"), (ALEX, "initiative.added", "INI-0002"),
        (ALEX, "initiative.edited", "INI-0001"), (ALEX, "initiative.retired", "INI-0002"),
        (ALEX, "initiative.restored", "INI-0002")]
    [edit] = [row for row in await rows(engine, tables.audit_log)
              if row["action"] == "initiative.edited"]
    assert edit["detail"]["changed"] == ["title", "stage", "contact"]


async def test_anyone_outside_the_pmo_changes_nothing_and_a_bad_form_keeps_nothing(
    engine: AsyncEngine, register: InitiativeService
):
    bwv = (await register.add(ALEX, BWV)).initiative
    for attempt in (register.add(MEGAN, ANPR), register.edit(MEGAN, bwv.id, ANPR),
                    register.retire(MEGAN, bwv.id), register.register(MEGAN),
                    register.get("not-an-object-id", bwv.id)):
        with pytest.raises(NotAllowed):
            await attempt
    with pytest.raises(InvalidInitiative) as refused:
        await register.add(ALEX, replace(ANPR, title="", link="http://intranet/anpr"))
    assert len(refused.value.problems) == 2
    with pytest.raises(NotFound):
        await register.retire(ALEX, 999)
    assert [row["reference"] for row in await rows(engine, tables.initiatives)] == ["INI-0001"]
    assert (await register.get(ALEX, bwv.id)).initiative == bwv
    assert len(await audit(engine)) == 1 and list(await indexed(engine)) == [bwv.id]


async def test_concurrent_adds_never_share_a_reference(register: InitiativeService):
    added = await asyncio.gather(*(register.add(ALEX, replace(BWV, title=f"Initiative {n}"))
                                   for n in range(6)))
    references = sorted(view.initiative.reference for view in added)
    assert references == [f"INI-{n:04d}" for n in range(1, 7)]


async def test_the_register_lists_the_active_first_a_page_at_a_time(
    register: InitiativeService
):
    ids = [(await register.add(ALEX, replace(BWV, title=f"Initiative {n}"))).initiative.id
           for n in range(1, 13)]
    await register.retire(ALEX, ids[0])
    first = await register.register(ALEX, 1)
    assert (first.window.total, first.window.pages, first.retired) == (12, 2, 1)
    assert [i.title for i in first.initiatives][:2] == ["Initiative 2", "Initiative 3"]
    last = await register.register(ALEX, 99)  # past the end: the last page
    assert last.window.number == 2
    assert [i.title for i in last.initiatives] == ["Initiative 12", "Initiative 1"]
    assert last.portfolios["local-policing"] == "Local Policing"


REGISTER = ("ID,Title,Description,Stage,Portfolio\r\n"
            "P-1,Body-worn video,Cameras for response,In progress,Local Policing\r\n"
            "P-2,ANPR on MDTs,Alerts reach the car,Live,\r\n")


async def imported(register: InitiativeService, text: str, *, dry_run: bool = False):
    portfolios = await register.portfolio_names()
    checked = check_register(io.StringIO(text, newline=""), portfolios)
    assert checked.problems == []
    return await register.import_rows(checked.rows, source="register.csv",
                                      actor="system:test", dry_run=dry_run)


async def test_importing_again_adds_nothing_twice_and_updates_what_changed(
    engine: AsyncEngine, services: Services, register: InitiativeService
):
    dry = await imported(register, REGISTER, dry_run=True)
    assert len(dry.added) == 2
    assert await rows(engine, tables.initiatives) == [] and await audit(engine, "initiative") == []
    assert await indexed(engine) == {}  # indexed in the transaction the dry run undid

    first = await imported(register, REGISTER)
    by_key = {row["source_key"]: row for row in await rows(engine, tables.initiatives)}
    assert set(by_key) == {"P-1", "P-2"}
    assert [i.reference for i in first.added] == [by_key[k]["reference"] for k in ("P-1", "P-2")]
    assert by_key["P-2"]["stage"] == "exists" and by_key["P-2"]["portfolio_key"] is None
    kept = await indexed(engine)
    assert set(kept) == {by_key["P-1"]["id"], by_key["P-2"]["id"]}
    assert await found(services, "Body-worn video cameras for response") == [
        by_key["P-1"]["reference"]]

    again = await imported(register, REGISTER)
    assert (again.added, again.updated, again.unchanged) == ([], [], 2)
    assert await indexed(engine) == kept

    p2 = by_key["P-2"]["id"]
    await register.retire(ALEX, p2)
    changed = await imported(register, REGISTER.replace("Alerts reach the car",
                                                        "Alerts reach every car"))
    assert [i.source_key for i in changed.updated] == ["P-2"] and changed.unchanged == 1
    assert changed.retired == [by_key["P-2"]["reference"]]
    stored = {row["source_key"]: row for row in await rows(engine, tables.initiatives)}
    assert stored["P-2"]["description"] == "Alerts reach every car"
    assert stored["P-2"]["active"] is False  # left retired
    assert len(stored) == 2
    assert (await indexed(engine))[stored["P-2"]["id"]].endswith("Alerts reach every car")
    actions = [action for _actor, action, _subject in await audit(engine, "initiative")]
    assert actions == ["initiative.added", "initiative.added", "initiatives.imported",
                       "initiative.retired", "initiative.edited", "initiatives.imported"]
