"""`iip import sharepoint`: the list's crafted exports imported on SQLite and PostgreSQL, on a
database with no organisation, again, with a map, with invalid rows, as a dry run; what the
organisation file does with what was imported; the promise counted as for live ideas."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from support.cli import on_database
from support.decisions import load_demo_organisation, submit_idea
from support.organisation import ALEX, demo_data
from support.promises import move, record_all
from support.tables import count, rows

from bot.app import build_services
from bot.domain.lifecycle import Move
from bot.domain.profile import NOT_RECORDED, PREFER_NOT
from storage import tables
from storage.uow import SqlUnitOfWork

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sharepoint"


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):
    """`iip ARGS` on the test's database: (exit code, stdout, stderr)."""
    return on_database(database_url, monkeypatch, capsys)


def copied(tmp_path: Path, name: str) -> Path:
    """A fixture copied where a rejects file may be written beside it."""
    path = tmp_path / name
    shutil.copyfile(FIXTURES / name, path)
    return path


def uk(text: str) -> datetime:
    from bot.domain.ideas import LONDON

    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


async def ideas_by_legacy_id(engine: AsyncEngine) -> dict[str, dict[str, Any]]:
    return {row["legacy_id"]: row for row in await rows(engine, tables.ideas)}


async def history_of(engine: AsyncEngine, idea_id: int) -> list[tuple[Any, ...]]:
    return [(h["at"], h["actor"], h["action"], h["from_status"], h["to_status"])
            for h in await rows(engine, tables.idea_history,
                                tables.idea_history.c.idea_id == idea_id)]


async def test_a_fresh_database_with_no_organisation_takes_the_whole_list(cli, engine, tmp_path):
    code, out, err = await cli("import", "sharepoint", str(copied(tmp_path, "every-status.csv")))
    assert (code, err) == (0, "")
    assert "every-status.csv: 13 idea(s) imported." in out
    assert "  2024: IIP-2024-0001 to IIP-2024-0011\n  2025: IIP-2025-0001 to IIP-2025-0002" in out
    assert "1 title(s) longer than a new idea's, kept whole: IIP-2024-0010" in out
    ideas = await ideas_by_legacy_id(engine)
    assert len(ideas) == 13
    # References in Created order, from the per-year counters.
    in_order = sorted(ideas.values(), key=lambda idea: idea["submitted_at"])
    assert [idea["reference"] for idea in in_order] == [
        *(f"IIP-2024-{n:04d}" for n in range(1, 12)), "IIP-2025-0001", "IIP-2025-0002"]
    assert {row["year"]: row["last_number"] for row in
            await rows(engine, tables.reference_counters)} == {2024: 11, 2025: 2}

    approved = ideas["101"]
    assert (approved["status"], approved["submitted_at"], approved["first_response_at"],
            approved["sla_due_on"], approved["named_publicly"]) == (
        "approved", uk("2024-06-03T09:15"), uk("2024-06-20T10:00"), date(2024, 8, 3), False)
    assert approved["problem"] == ("Handsets die half way through a night shift,\nso "
                                   "officers swap them at the station.")
    assert await history_of(engine, approved["id"]) == [
        (uk("2024-06-03T09:15"), "import:sharepoint", "submitted", None, "submitted"),
        # The decision date had no time; on a later day, it is that day's start.
        (uk("2024-06-20T00:00"), "import:sharepoint", "approve", "submitted", "approved")]
    # No decision date: the decision is at the first response.
    assert (await history_of(engine, ideas["105"]["id"]))[1][0] == uk("2024-08-09T15:30")
    assert (ideas["105"]["status"], ideas["105"]["decline_reason"]) == ("declined",
                                                                        "in_progress")
    assert ideas["107"]["duplicate_of"] == approved["reference"]
    assert (ideas["102"]["revisit_on"], ideas["102"]["department"]) == (date(2025, 3, 1),
                                                                         NOT_RECORDED)
    assert ideas["103"]["grade"] == PREFER_NOT
    assert len(ideas["110"]["title"]) == 166
    assert ideas["111"]["status"] == "submitted"
    assert len(await history_of(engine, ideas["111"]["id"])) == 1

    # Nobody is known: every contributor is kept, once per address whatever its case.
    people = await rows(engine, tables.people)
    assert {p["email"] for p in people} == {
        "MeganB@Example.com", "sam.carter@example.police.uk", "priya.shah@example.police.uk",
        "tom.okafor@example.police.uk", "jo.bloggs@example.police.uk",
        "chris.dale@example.police.uk", "dana.ray@example.police.uk", None}
    assert all(p["object_id"].startswith("imported:") and not p["active"] for p in people)
    assert ideas["103"]["contributor_object_id"] == ideas["104"]["contributor_object_id"]
    # Ana Lima's rows have no address: each is its own imported contributor.
    assert ideas["106"]["contributor_object_id"] != ideas["112"]["contributor_object_id"]
    assert ideas["106"]["contributor_name"] == "Ana Lima"

    categories = {c["key"]: (c["name"], c["active"]) for c in await rows(engine,
                                                                         tables.categories)}
    assert categories == {"equipment": ("Equipment", False),
                          "process-improvement": ("Process improvement", False),
                          "technology": ("Technology", False),
                          "wellbeing": ("Wellbeing", False)}
    assert "new portfolios, retired (the organisation file adopts one by naming its key):\n" \
           "    crime-and-justice = 'Crime and Justice'\n" \
           "    digital-data-and-technology = 'Digital, Data and Technology'\n" in out
    audit = await rows(engine, tables.audit_log)
    assert [(a["actor"], a["action"], a["subject"]) for a in audit] == [
        ("system:iip import sharepoint", "ideas.imported", "every-status.csv")]
    assert audit[0]["detail"]["imported"] == 13 and audit[0]["detail"]["people_added"] == 9

    # The same file again changes nothing, and says so.
    code, out, err = await cli("import", "sharepoint", str(tmp_path / "every-status.csv"))
    assert (code, err) == (0, "")
    assert out.endswith("every-status.csv: nothing was imported: all 13 row(s) were imported "
                        "before; nothing changed.\n")
    assert await ideas_by_legacy_id(engine) == ideas
    assert await count(engine, tables.audit_log) == 1
    assert await count(engine, tables.idea_history) == 25


async def test_references_come_from_the_counters_live_ideas_use(cli, engine, tmp_path):
    async with SqlUnitOfWork(engine) as uow:
        taken = [await uow.ideas.next_reference(2024) for _ in range(2)]
        await uow.commit()
    assert taken == ["IIP-2024-0001", "IIP-2024-0002"]
    code, out, _ = await cli("import", "sharepoint", str(copied(tmp_path, "every-status.csv")))
    assert code == 0 and "2024: IIP-2024-0003 to IIP-2024-0013" in out
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.ideas.next_reference(2024) == "IIP-2024-0014"


async def test_an_invalid_row_stops_the_whole_import_and_every_problem_is_said(
        cli, engine, tmp_path):
    source = copied(tmp_path, "bad-rows.csv")
    code, out, err = await cli("import", "sharepoint", str(source))
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == f"iip: {source}: nothing was imported; 7 problems in 6 rows:"
    assert lines[1].startswith("  - row 3, Status: 'Parked' is not one of the list's statuses")
    assert lines[3] == "  - row 5, ID: ID '204' is on row 6 too; every item of the list has " \
                       "its own."
    assert lines[5] == "  - row 7, Title: it is empty; every idea needs one."
    assert len(lines) == 9 and lines[-1].startswith("Put them right")
    assert "note: row 9, Revisit Date: deferred without a revisit date" in out
    for table in (tables.ideas, tables.people, tables.categories, tables.audit_log,
                  tables.reference_counters):
        assert await count(engine, table) == 0
    assert not (tmp_path / "bad-rows.csv.rejects.csv").exists()


async def test_skip_invalid_imports_the_rest_and_writes_the_rejects_beside_the_file(
        cli, engine, tmp_path):
    source = copied(tmp_path, "bad-rows.csv")
    code, out, err = await cli("import", "sharepoint", str(source), "--skip-invalid")
    assert (code, err) == (0, "")
    assert "6 invalid row(s) left out:" in out and "2 idea(s) imported." in out
    assert sorted(await ideas_by_legacy_id(engine)) == ["201", "207"]
    with (tmp_path / "bad-rows.csv.rejects.csv").open(encoding="utf-8-sig", newline="") as f:
        rejects = list(csv.reader(f))
    assert rejects[0][:3] == ["Row", "ID", "Title"] and rejects[0][-1] == "Reason"
    assert [(r[0], r[1]) for r in rejects[1:]] == [
        ("3", "202"), ("4", "203"), ("5", "204"), ("6", "204"), ("7", "205"), ("8", "206")]
    assert rejects[6][-1] == ("it is before the idea was created (07/02/2025 10:00). "
                              "'not an address' is not an e-mail address.")
    # The rejects, put right, are imported after.
    assert rejects[1][1:-1][8] == "Parked"


async def test_a_dry_run_says_what_would_be_imported_and_changes_nothing(cli, engine, tmp_path):
    source = copied(tmp_path, "bad-rows.csv")
    code, out, err = await cli("import", "sharepoint", str(source), "--skip-invalid",
                               "--dry-run")
    assert (code, err) == (0, "")
    assert "2 idea(s) would be imported (dry run: nothing changed)." in out
    assert "2025: IIP-2025-0001 to IIP-2025-0002" in out
    assert f"(a real import writes them to {tmp_path / 'bad-rows.csv.rejects.csv'})" in out
    for table in (tables.ideas, tables.people, tables.categories, tables.audit_log,
                  tables.reference_counters, tables.idea_history):
        assert await count(engine, table) == 0
    assert not (tmp_path / "bad-rows.csv.rejects.csv").exists()


async def test_a_map_reads_the_forces_headers_and_known_people_are_matched_by_email(
        cli, engine, clock, tmp_path):
    await load_demo_organisation(build_services(engine, clock))
    code, out, err = await cli("import", "sharepoint", str(copied(tmp_path, "mapped.csv")),
                               "--map", str(FIXTURES / "mapped.toml"))
    assert (code, err) == (0, "")
    ideas = await ideas_by_legacy_id(engine)
    # ALEXW@example.com is Alex Wilber's address in the organisation file.
    assert ideas["9001"]["contributor_object_id"] == ALEX
    assert ideas["9002"]["contributor_object_id"].startswith("imported:")
    # "Local Policing" and "local policing" are the organisation's local-policing;
    # "Process improvement" its process category (by name): nothing new there.
    assert {i["portfolio_key"] for i in ideas.values()} == {"local-policing"}
    assert ideas["9001"]["category_key"] == "process"
    assert "new portfolios" not in out and "new categories, retired" in out
    assert "1 idea(s) by people the bot knows by e-mail; 1 contributor(s) kept" in out


async def test_the_organisation_file_adopts_by_key_and_never_drops_what_was_imported(
        cli, engine, clock, tmp_path):
    code, _, _ = await cli("import", "sharepoint", str(copied(tmp_path, "every-status.csv")))
    assert code == 0
    imported_people = await rows(engine, tables.people)
    data = demo_data()
    data["categories"].append({"key": "equipment", "name": "Equipment and kit"})
    data["people"].append({"object_id": "5b6c7d8e-0000-4000-8000-000000000001",
                           "name": "Priya Shah", "email": "Priya.Shah@example.police.uk"})
    organisation = tmp_path / "organisation.toml"
    organisation.write_text(_toml(data), encoding="utf-8")
    code, out, err = await cli("org", "load", str(organisation))
    assert (code, err) == (0, ""), out
    categories = {c["key"]: (c["name"], c["active"]) for c in await rows(engine,
                                                                         tables.categories)}
    assert categories["equipment"] == ("Equipment and kit", True)
    # The demo file has a technology category: it takes the imported one's key as its own.
    assert categories["technology"][1] is True
    assert categories["process-improvement"] == ("Process improvement", False)
    portfolios = {p["key"]: p["active"] for p in await rows(engine, tables.portfolios)}
    assert portfolios["digital-data-and-technology"] is False
    people = {p["object_id"]: p for p in await rows(engine, tables.people)}
    assert all(people[p["object_id"]] == p for p in imported_people)
    # Priya's ideas are now the ones she sees as hers.
    ideas = await ideas_by_legacy_id(engine)
    priya = "5b6c7d8e-0000-4000-8000-000000000001"
    assert [ideas[i]["contributor_object_id"] for i in ("103", "104")] == [priya, priya]
    assert "imported ideas now Priya Shah's: 2" in out
    # Loading it again changes nothing.
    code, out, _ = await cli("org", "load", str(organisation))
    assert out.endswith("already loaded, nothing changed.\n")


def _toml(data: dict[str, Any]) -> str:
    """The organisation file's data as TOML (its few shapes: tables and arrays of them)."""
    def value(item: Any) -> str:
        return json.dumps(item)

    lines: list[str] = []
    for name, section in data.items():
        if isinstance(section, dict):
            lines.append(f"[{name}]")
            lines += [f"{key} = {value(item)}" for key, item in section.items()]
        else:
            for entry in section:
                lines.append(f"[[{name}]]")
                lines += [f"{key} = {value(item)}" for key, item in entry.items()]
        lines.append("")
    return "\n".join(lines)


SLA_ROWS = """\
ID,Title,Portfolio,Category,Status,Created,First Response,Decision Date
1,Kept in a week,Crime and Justice,Process,Approved,03/08/2026 10:00,10/08/2026 10:00,
2,No response recorded,Crime and Justice,Process,Declined (not viable),03/08/2026 10:00,,20/08/2026
3,Answered late,Crime and Justice,Process,Business assessment,03/08/2026 10:00,05/11/2026 11:00,
4,Withdrawn unanswered,Crime and Justice,Process,Withdrawn,03/08/2026 10:00,,15/08/2026
"""


async def test_imported_ideas_count_in_the_promise_report_as_live_ones_do(
        cli, engine, clock, tmp_path):
    """Live twins of the imported rows, in another portfolio, make the same figures."""
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    clock.current = uk("2026-08-03T10:00")
    # B, the live twin of the idea decided with no response recorded, is never answered.
    kept, _unanswered, late, gone = [await submit_idea(services, name) for name in "ABCD"]
    await record_all(engine, clock)
    clock.current = uk("2026-08-10T10:00")
    await move(services, kept, Move.UPDATE)
    await record_all(engine, clock)
    clock.current = uk("2026-08-15T10:00")
    from support.decisions import CONTRIBUTOR, actor

    await services.ideas.withdraw(actor(CONTRIBUTOR), gone.reference, "Changed my mind")
    clock.current = uk("2026-11-05T11:00")
    await move(services, late, Move.UPDATE)
    await record_all(engine, clock)

    source = tmp_path / "sla.csv"
    source.write_text(SLA_ROWS, encoding="utf-8")
    code, _, err = await cli("import", "sharepoint", str(source))
    assert (code, err) == (0, "")
    code, out, _ = await cli("report", "sla", "--month", "2026-10", "--as-of", "2026-12-01",
                             "--format", "json")
    report = json.loads(out)
    imported = report["by_portfolio"]["crime-and-justice"]
    live = report["by_portfolio"]["local-policing"]
    # Hand-counted: 1 kept, 2 breached (no response recorded; answered after 3 October),
    # the withdrawn one not due; 7 days to the one response in time, 94 to the late one.
    assert (imported["due"], imported["kept"], imported["breached"], imported["open"],
            imported["median_days_to_first_response"]) == (3, 1, 2, 0, 50.5)
    assert imported == live
    # The promise derived again from each imported idea's history agrees with its row.
    code, out, _ = await cli("sla", "check")
    assert (code, out) == (0, "Checked 8 idea(s): 0 differ.\n")


async def test_an_unreadable_file_or_map_is_refused_kindly(cli, engine, tmp_path):
    code, out, err = await cli("import", "sharepoint", str(tmp_path / "missing.csv"))
    assert (code, out) == (2, "")
    assert err == (f"iip: nothing was imported: {tmp_path / 'missing.csv'} cannot be read: "
                   "No such file or directory.\n")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("ID,Title,Status,Created\n1,Caf\xe9,Submitted,01/01/2025\n"
                      .encode("latin-1"))
    code, _, err = await cli("import", "sharepoint", str(latin))
    assert (code, err) == (2, f"iip: nothing was imported: {latin} is not UTF-8 text; "
                              "export it again as CSV UTF-8.\n")
    bad_map = tmp_path / "map.toml"
    bad_map.write_text('[columns]\nColour = "Hue"\n', encoding="utf-8")
    code, _, err = await cli("import", "sharepoint", str(copied(tmp_path, "mapped.csv")),
                             "--map", str(bad_map))
    assert code == 2 and "'Colour' is not a column of the list" in err
    assert await count(engine, tables.ideas) == 0


async def test_a_file_over_the_size_cap_is_not_read(cli, engine, tmp_path, monkeypatch):
    import bot.cli_import

    source = copied(tmp_path, "every-status.csv")
    monkeypatch.setattr(bot.cli_import, "MAX_FILE_BYTES", source.stat().st_size - 1)
    code, _, err = await cli("import", "sharepoint", str(source))
    assert code == 2 and err.startswith(f"iip: nothing was imported: {source} is over ")
    assert await count(engine, tables.ideas) == 0
