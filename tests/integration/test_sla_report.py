"""`iip report sla`: the ideas whose promise fell due in a month, judged as at a moment, on
SQLite and PostgreSQL, through the service and the command line.

The seeded month (every idea due in October 2026, unless said otherwise):
  A  an update sent 7 days in                  kept
  B  declined at triage, the contributor blocked the bot, 9 days in   kept, unreachable
  C  an update sent on 5 November              open until due, then breached
  D  nothing, and a row with no due day (written by a replica on older code)   breached
  E  withdrawn on 15 August, unanswered        not due at all
  F  Crime and Justice's, an update on 1 September   kept
  K  submitted 31 July 23:30 UTC, 1 August in the UK: due 1 October; nothing   breached
  G  submitted 20 July: due in September       not in October's report
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update
from support.cli import run_cli
from support.decisions import CONTRIBUTOR, actor, load_demo_organisation, submit_idea
from support.promises import move, record_all

from bot.app import build_services
from bot.domain.lifecycle import Move
from bot.services.reports import Reports
from storage import tables
from storage.uow import unit_of_work_factory

COUNTS = ("due", "kept", "kept_unreachable", "breached", "open", "compliance",
          "median_days_to_first_response")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
async def seeded(engine, clock) -> None:
    clock.current = at("2026-07-20T10:00")
    services = build_services(engine, clock)
    await load_demo_organisation(services)
    await submit_idea(services, "G")
    clock.current = at("2026-07-31T23:30")
    await submit_idea(services, "K")
    clock.current = at("2026-08-03T10:00")
    a, b, c, d, e = [await submit_idea(services, name) for name in "ABCDE"]
    f = await submit_idea(services, "F", portfolio="crime-and-justice")
    await record_all(engine, clock)
    clock.current = at("2026-08-10T10:00")
    await move(services, a, Move.UPDATE)
    await record_all(engine, clock)
    clock.current = at("2026-08-12T10:00")
    await move(services, b, Move.DECLINE_AT_TRIAGE)
    await record_all(engine, clock, dead=True)
    clock.current = at("2026-08-15T10:00")
    await services.ideas.withdraw(actor(CONTRIBUTOR), e.reference, "Changed my mind")
    clock.current = at("2026-09-01T10:00")
    await move(services, f, Move.UPDATE)
    await record_all(engine, clock)
    clock.current = at("2026-11-05T10:00")
    await move(services, c, Move.UPDATE)
    await record_all(engine, clock)
    async with engine.begin() as connection:
        await connection.execute(update(tables.ideas).where(tables.ideas.c.id == d.id)
                                 .values(sla_due_on=None))


def counts(report: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(report[key] for key in COUNTS)


@pytest.mark.parametrize(("as_of", "expected"), [
    # due kept unreachable breached open compliance median
    ("2026-12-01T00:00", (6, 2, 1, 3, 0, 0.5, 19.0)),
    ("2026-10-10T00:00", (6, 2, 1, 3, 0, 0.5, 9.0)),   # C not yet answered
    ("2026-09-30T12:00", (6, 2, 1, 0, 3, 1.0, 9.0)),   # nothing late yet
    ("2026-08-14T12:00", (7, 1, 1, 0, 5, 1.0, 8.0)),   # E not yet withdrawn, F unanswered
])
async def test_the_month_as_judged_at_each_moment(seeded, engine, as_of, expected):
    report = (await Reports(unit_of_work_factory(engine)).sla_month(
        "2026-10", at(as_of))).as_json()
    assert report["month"] == "2026-10"
    assert counts(report) == expected
    assert set(report["by_portfolio"]) <= {"local-policing", "crime-and-justice"}
    assert sum(p["due"] for p in report["by_portfolio"].values()) == expected[0]


async def test_by_portfolio_and_one_portfolio_alone(seeded, engine):
    reports = Reports(unit_of_work_factory(engine))
    report = (await reports.sla_month("2026-10", at("2026-12-01T00:00"))).as_json()
    assert counts(report["by_portfolio"]["crime-and-justice"]) == (1, 1, 0, 0, 0, 1.0, 29.0)
    assert counts(report["by_portfolio"]["local-policing"]) == (5, 1, 1, 3, 0, 0.4, 9.0)
    alone = (await reports.sla_month("2026-10", at("2026-12-01T00:00"),
                                     "crime-and-justice")).as_json()
    assert counts(alone) == (1, 1, 0, 0, 0, 1.0, 29.0)
    assert list(alone["by_portfolio"]) == ["crime-and-justice"]


async def test_a_month_with_nothing_due_has_no_compliance(seeded, engine):
    report = (await Reports(unit_of_work_factory(engine)).sla_month(
        "2027-03", at("2027-06-01T00:00"))).as_json()
    assert report == {"month": "2027-03", "due": 0, "kept": 0, "kept_unreachable": 0,
                      "breached": 0, "open": 0, "compliance": None,
                      "median_days_to_first_response": None, "by_portfolio": {}}
    september = (await Reports(unit_of_work_factory(engine)).sla_month(
        "2026-09", at("2026-12-01T00:00"))).as_json()
    assert counts(september)[:5] == (1, 0, 0, 1, 0)  # G alone


async def test_the_command_line_in_json_and_as_text(seeded, database_url, monkeypatch, capsys):
    monkeypatch.setenv("IIP_DATABASE_URL", database_url)
    monkeypatch.setenv("IIP_LOG_LEVEL", "WARNING")

    def iip(*argv: str) -> tuple[int, str, str]:
        code = run_cli(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    code, out, _ = await asyncio.to_thread(
        iip, "report", "sla", "--month", "2026-10", "--as-of", "2026-10-10", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert list(report) == ["month", *COUNTS, "by_portfolio"]
    assert counts(report) == (6, 2, 1, 3, 0, 0.5, 9.0)

    code, out, _ = await asyncio.to_thread(iip, "report", "sla", "--month", "2026-10",
                                           "--as-of", "2026-12-01")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Two-month promise: ideas due in October 2026, as at 1 December")
    assert lines[3].split() == ["all", "portfolios", "6", "2", "1", "3", "0", "50.0%", "19"]
    assert lines[4].split()[:2] == ["crime-and-justice", "1"]

    code, out, err = await asyncio.to_thread(iip, "report", "sla", "--month", "October")
    assert (code, out) == (2, "")
    assert "'October' is not a month: give one like 2026-10." in err
    code, out, err = await asyncio.to_thread(iip, "report", "sla", "--month", "2026-10",
                                             "--as-of", "yesterday")
    assert (code, out) == (2, "")
    assert "is not a day or a moment" in err


async def test_sla_check_on_the_command_line(seeded, database_url, monkeypatch, capsys):
    monkeypatch.setenv("IIP_DATABASE_URL", database_url)
    monkeypatch.setenv("IIP_LOG_LEVEL", "WARNING")

    def iip(*argv: str) -> tuple[int, str]:
        code = run_cli(list(argv))
        return code, capsys.readouterr().out

    code, out = await asyncio.to_thread(iip, "sla", "check")
    assert code == 1  # D's empty due day
    [line, summary] = out.splitlines()
    assert line.endswith(": due 2026-10-03, recorded none")
    assert summary == "Checked 8 idea(s): 1 differ."
    assert await asyncio.to_thread(iip, "sla", "check", "--repair") == (
        0, f"{line}\nChecked 8 idea(s): 1 repaired.\n")
    assert await asyncio.to_thread(iip, "sla", "check") == (0, "Checked 8 idea(s): 0 differ.\n")


@pytest.mark.parametrize("command", [["report", "sla", "--month", "2026-10"],
                                     ["sla", "check"], ["outbox", "status"]])
async def test_reading_a_database_behind_the_code_says_what_to_run(
        command: list[str], tmp_path, monkeypatch, capsys):
    """A command that only reads leaves the schema as it is: on a database never upgraded it
    says to run `iip db upgrade`, instead of failing on a table it does not have."""
    monkeypatch.setenv("IIP_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
    monkeypatch.setenv("IIP_LOG_LEVEL", "WARNING")

    code = await asyncio.to_thread(run_cli, command)

    captured = capsys.readouterr()
    assert (code, captured.out) == (1, "")
    assert "at schema revision none" in captured.err
    assert "run `iip db upgrade` first" in captured.err
