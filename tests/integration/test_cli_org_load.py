"""`iip org load FILE`: loads the organisation, says what changed, and refuses a broken file."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from support.cli import run_cli
from support.decisions import decide, submit_idea
from support.organisation import ALEX, DEMO_FILE, demo_organisation
from support.tables import count, rows

from bot.app import build_services
from bot.domain.lifecycle import Move
from bot.domain.organisation import Organisation
from storage import tables
from storage.engine import make_engine
from storage.uow import SqlUnitOfWork

BROKEN = """\
[pmo]
members = ["alexw@example.com"]
colour = "blue"

[[people]]
object_id = "00000000-0000-0000-0000-0000000000020"
name = "Alex Wilber"

[[portfolios]]
key = "Local Policing"
name = "Local Policing"
spocs = ["29:1GcS4EyB_oSI8A88"]

[[portfolios]]
key = "crime"
name = "Crime"
spocs = []

[[categories]]
key = "process"
name = "Process improvement"

[[categories]]
key = "process"
name = "Process again"
"""

BROKEN_PROBLEMS = [
    "Unknown key 'colour' in [pmo]",
    "[pmo] members: 'alexw@example.com' is not an Entra object id (a GUID). That looks like an "
    "e-mail address",
    "[pmo] members must name at least one person.",
    "[[portfolios]] #1: key 'Local Policing' must be lower-case letters",
    "[[portfolios]] #1 spocs: '29:1GcS4EyB_oSI8A88' is not an Entra object id (a GUID). That "
    "looks like a Teams user id",
    "[[portfolios]] #1: spocs must name at least one person.",
    "[[portfolios]] #2: spocs must name at least one person.",
    "[[categories]] #2: duplicate category 'process'.",
]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db' / 'iip.sqlite3'}"
    monkeypatch.setenv("IIP_DATABASE_URL", url)
    monkeypatch.setenv("IIP_LOG_LEVEL", "WARNING")
    return url


def snapshot(url: str) -> tuple[int, Organisation | None, int]:
    """(revision, organisation, audit rows) as the database holds them."""

    async def read() -> tuple[int, Organisation | None, int]:
        engine = make_engine(url)
        try:
            async with SqlUnitOfWork(engine) as uow:
                revision, organisation = (await uow.organisation.revision(),
                                          await uow.organisation.load())
            return revision, organisation, await count(engine, tables.audit_log)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_the_demo_file_loads_then_changes_nothing(
        database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["org", "load", str(DEMO_FILE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{DEMO_FILE}: loaded, ")
    assert "person added: 00000000-0000-0000-0000-0000000000020" in out
    assert "portfolio added: local-policing" in out
    assert snapshot(database) == (1, demo_organisation(), 1)

    assert run_cli(["org", "load", str(DEMO_FILE)]) == 0
    assert capsys.readouterr().out == f"{DEMO_FILE}: already loaded, nothing changed.\n"
    assert snapshot(database) == (1, demo_organisation(), 1)


def test_a_broken_file_reports_every_problem_and_changes_nothing(
        database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["org", "load", str(DEMO_FILE)]) == 0
    before = snapshot(database)
    capsys.readouterr()

    broken = tmp_path / "organisation.toml"
    broken.write_text(BROKEN, encoding="utf-8")
    assert run_cli(["org", "load", str(broken)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0] == f"iip: {broken} was not loaded; nothing changed:"
    missing = [p for p in BROKEN_PROBLEMS if not any(p in line for line in lines[1:])]
    assert missing == [], captured.err
    assert all(line.startswith("  - ") for line in lines[1:])
    assert len(lines) - 1 == len(BROKEN_PROBLEMS)
    assert snapshot(database) == before


def test_a_broken_file_on_a_new_database_creates_nothing(
        database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "organisation.toml"
    broken.write_text(BROKEN, encoding="utf-8")
    assert run_cli(["org", "load", str(broken)]) == 1
    assert not (tmp_path / "db" / "iip.sqlite3").exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[pmo\nmembers = []\n", "is not valid TOML"),
        (None, "Cannot read"),
    ],
)
def test_an_unreadable_file_is_refused(database: str, tmp_path: Path, content: str | None,
                                       problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "organisation.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert run_cli(["org", "load", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"iip: {path} was not loaded; nothing changed:" in err
    assert problem in err


def test_a_changed_file_reports_what_changed(
        database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["org", "load", str(DEMO_FILE)]) == 0
    changed = tmp_path / "organisation.toml"
    shutil.copyfile(DEMO_FILE, changed)
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace('name = "Crime and Justice"', 'name = "Crime & Justice"'),
                       encoding="utf-8")
    capsys.readouterr()
    assert run_cli(["org", "load", str(changed)]) == 0
    assert capsys.readouterr().out == (
        f"{changed}: loaded, 1 change(s):\n  - portfolio changed: crime-and-justice\n")
    revision, organisation, audit = snapshot(database)
    assert (revision, audit) == (2, 2)
    assert organisation.portfolios[1].name == "Crime & Justice"


def crime_ideas(url: str, clock) -> list[str]:
    """Two open ideas of Crime and Justice (one awaiting triage, one assessed)."""

    async def make() -> list[str]:
        engine = make_engine(url)
        try:
            services = build_services(engine, clock)
            waiting = await submit_idea(services, "Waiting crime idea",
                                        portfolio="crime-and-justice")
            assessed = await submit_idea(services, "Assessed crime idea",
                                         portfolio="crime-and-justice")
            await decide(services, ALEX, assessed, Move.ALLOCATE, portfolio="crime-and-justice")
            return [waiting.reference, assessed.reference]
        finally:
            await engine.dispose()

    return asyncio.run(make())


def without_crime(tmp_path: Path) -> Path:
    """The demo file with Crime and Justice retired."""
    text = DEMO_FILE.read_text(encoding="utf-8")
    start = text.index('[[portfolios]]\nkey = "crime-and-justice"')
    end = text.index("[[portfolios]]", start + 1)
    path = tmp_path / "organisation.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    return path


def test_retiring_a_portfolio_with_open_ideas_is_refused_with_the_list(
        database: str, tmp_path: Path, clock, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["org", "load", str(DEMO_FILE)]) == 0
    waiting, assessed = crime_ideas(database, clock)
    before = snapshot(database)
    capsys.readouterr()

    changed = without_crime(tmp_path)
    assert run_cli(["org", "load", str(changed)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"iip: {changed} was not loaded; nothing changed: 2 open idea(s) would be left with "
        "nobody to look after them.",
        "  Crime and Justice (crime-and-justice): retired by the new file",
        f"    - {waiting}  Waiting crime idea  (Submitted)",
        f"    - {assessed}  Assessed crime idea  (Business assessment)",
        "Load it again with --reassign-to PORTFOLIO (a portfolio key of the new file) to move "
        "them there.",
    ]
    assert snapshot(database) == before

    assert run_cli(["org", "load", str(changed), "--reassign-to", "crime-and-justice"]) == 1
    assert "--reassign-to crime-and-justice: the new file has no portfolio with that key" in (
        capsys.readouterr().err)
    assert snapshot(database) == before


def test_with_reassign_to_the_open_ideas_move_in_the_same_load(
        database: str, tmp_path: Path, clock, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["org", "load", str(DEMO_FILE)]) == 0
    waiting, assessed = crime_ideas(database, clock)
    capsys.readouterr()

    changed = without_crime(tmp_path)
    assert run_cli(["org", "load", str(changed), "--reassign-to", "local-policing"]) == 0
    assert capsys.readouterr().out == (
        f"{changed}: loaded, 3 change(s):\n"
        "  - portfolio retired: crime-and-justice\n"
        f"  - idea moved: {waiting} from crime-and-justice to local-policing\n"
        f"  - idea moved: {assessed} from crime-and-justice to local-policing\n")

    async def stored() -> tuple[list[dict], list[dict], list[dict]]:
        engine = make_engine(database)
        try:
            return (await rows(engine, tables.ideas), await rows(engine, tables.idea_history),
                    await rows(engine, tables.audit_log))
        finally:
            await engine.dispose()

    ideas, history, audit = asyncio.run(stored())
    assert {i["portfolio_key"] for i in ideas} == {"local-policing"}
    moves = [h for h in history if h["action"] == "reassigned"]
    assert [(h["actor"], h["detail"]["to_portfolio"]) for h in moves] == [
        ("system:iip org load", "local-policing")] * 2
    assert [a["action"] for a in audit[-3:]] == ["idea.reassigned", "idea.reassigned",
                                                 "organisation.loaded"]
    assert snapshot(database)[0] == 2  # one load more: the ideas moved within it
