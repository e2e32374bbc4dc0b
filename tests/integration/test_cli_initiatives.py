"""`iip initiatives import` and `list` on SQLite and PostgreSQL: a register as Excel saves it,
imported again without adding twice, bad rows named with their row and reason (exit 2, nothing
imported, unless --skip-invalid), a dry run that changes nothing, a file that is not UTF-8."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from support.cli import on_database
from support.organisation import DEMO_FILE
from support.tables import rows

from storage import tables

FIXTURES = Path(__file__).parents[1] / "fixtures" / "initiatives"


@pytest.fixture
async def cli(database_url: str, monkeypatch: pytest.MonkeyPatch,
              capsys: pytest.CaptureFixture[str]):
    """`iip ARGS` on the test's database, with the demo organisation loaded."""
    run = on_database(database_url, monkeypatch, capsys)
    code, _out, err = await run("org", "load", str(DEMO_FILE))
    assert code == 0, err
    return run


async def stored(engine: AsyncEngine) -> dict[str, dict]:
    return {row["source_key"]: row for row in await rows(engine, tables.initiatives)}


async def test_a_register_saved_by_excel_is_imported_and_importing_again_adds_nothing(
    cli, engine: AsyncEngine
):
    code, out, err = await cli("initiatives", "import", str(FIXTURES / "register.csv"))
    assert (code, err) == (0, "")
    assert "4 initiative(s) added, 0 updated, 0 unchanged." in out
    assert "added INI-0001: Body-worn video for every response officer" in out
    found = await stored(engine)
    assert set(found) == {"PRJ-101", "PRJ-102", "PRJ-103", "PRJ-104"}
    assert found["PRJ-101"]["description"].endswith(
        "at the station dock\nand is shared with the CPS from one place.")
    assert {key: (row["stage"], row["portfolio_key"]) for key, row in found.items()} == {
        "PRJ-101": ("under_way", "local-policing"), "PRJ-102": ("exists", "digital-and-data"),
        "PRJ-103": ("exists", "digital-and-data"), "PRJ-104": ("under_way", "crime-and-justice")}
    assert found["PRJ-102"]["contact"] is None and found["PRJ-102"]["link"] is None

    code, out, _err = await cli("initiatives", "import", str(FIXTURES / "register.csv"))
    assert code == 0 and "0 initiative(s) added, 0 updated, 4 unchanged." in out
    assert await stored(engine) == found

    code, out, _err = await cli("initiatives", "list", "--format", "json")
    listed = json.loads(out)
    assert code == 0 and [entry["reference"] for entry in listed] == [
        "INI-0001", "INI-0002", "INI-0003", "INI-0004"]
    assert listed[1] | {"updated_at": None} == {
        "reference": "INI-0002", "title": "ANPR alerts pushed to the MDT",
        "description": "Automatic number plate recognition hits reach the mobile data "
                       "terminal in the car within seconds.",
        "stage": "exists", "portfolio": "digital-and-data",
        "portfolio_name": "Digital, Data and Technology", "contact": None, "link": None,
        "active": True, "source_key": "PRJ-102", "updated_at": None,
        "updated_by": "system:iip initiatives import"}
    code, out, _err = await cli("initiatives", "list")
    assert "INI-0004  Under way       Crime and Justice  Custody detention log on tablets" in out


async def test_bad_rows_are_named_and_nothing_is_imported_unless_asked_to_skip_them(
    cli, engine: AsyncEngine
):
    code, out, err = await cli("initiatives", "import", str(FIXTURES / "bad-rows.csv"))
    assert code == 2 and out == ""
    assert "nothing was imported; 4 problem(s) in 3 row(s):" in err
    assert "  - row 3, Stage: 'Soon' is not a stage" in err
    assert "  - row 4, Title: The title is empty. Please write a few words." in err
    assert "  - row 5, Portfolio: There is no portfolio 'Air Support'" in err
    assert "  - row 5, Link: The link must be a secure web address" in err
    assert "--skip-invalid" in err
    assert await stored(engine) == {}

    code, out, err = await cli("initiatives", "import", "--skip-invalid",
                               str(FIXTURES / "bad-rows.csv"))
    assert code == 0 and err == ""
    assert "3 invalid row(s) left out:" in out and "row 3, Stage" in out
    assert "1 initiative(s) added" in out
    assert list(await stored(engine)) == ["B-1"]


async def test_a_dry_run_says_what_an_import_would_do_and_changes_nothing(
    cli, engine: AsyncEngine
):
    code, out, _err = await cli("initiatives", "import", "--dry-run",
                                str(FIXTURES / "register.csv"))
    assert code == 0
    assert "4 initiative(s) would be added, 0 would be updated, 0 unchanged (dry run: " \
           "nothing changed)." in out
    assert await stored(engine) == {}
    assert [row for row in await rows(engine, tables.audit_log)
            if row["action"].startswith("initiative")] == []


@pytest.mark.parametrize(("name", "said"), [
    ("excel-ansi.csv", "is not UTF-8 text; export it again as CSV UTF-8"),
    ("missing.csv", "cannot be read: No such file or directory"),
])
async def test_a_file_that_cannot_be_read_is_refused_kindly(cli, name: str, said: str):
    code, out, err = await cli("initiatives", "import", str(FIXTURES / name))
    assert (code, out) == (2, "")
    assert said in err and "nothing was imported" in err


async def test_a_file_whose_header_is_no_registers_is_refused_whole(cli, tmp_path: Path):
    path = tmp_path / "ideas.csv"
    path.write_text("ID,Title,Problem\r\n1,Notebooks,Slow\r\n", encoding="utf-8-sig")
    code, _out, err = await cli("initiatives", "import", "--skip-invalid", str(path))
    assert code == 2
    assert "the file cannot be read as a register" in err
    assert "no 'Description', 'Stage' column" in err
