"""`iip report summary`: every idea as it stood at a day, counted by hand, on SQLite and
PostgreSQL, through the service and the command line in every format.

The seeded ideas (all submitted 3 August 2026 10:00 UTC, due 3 October, unless said; live ones
in Local Policing, category process, unless said):
  A  allocated 4 Aug, approved 20 Aug                                   decision after 17 days
  B  allocated 4 Aug, nothing since
  C  allocated 4 Aug, approved 10 November (after 10 October)          decision after 99 days
  D  declined at triage (already exists) 12 Aug; reopened 1 November   decision after 9 days
     (its new clock is due 1 January 2027)
  E  withdrawn 15 Aug, never answered
  F  Crime and Justice's, left submitted; an update 1 September
  G  submitted 20 September (due 20 November); allocated 21 Sep, escalated 25 Sep   5 days
  H  submitted 20 October (due 20 December), nothing since
  W  allocated 4 Aug, a question 10 Aug, withdrawn 20 Aug (after an answer)
Imported from the list (Crime and Justice), no first response unless said:
  I1 declined (not viable), decided 20 Aug                              17 days
  I2 approved, first response 10 Aug (its decision then), campaign Summer Roads   7 days
  I3 deferred, decided 1 October, category Road Safety                  59 days
  I4 approved, decided 15 October                                       73 days

As at 10 October (the end of the day): 12 ideas (not H).
  by status: submitted F I4; business assessment B C; escalated G; approved A I2; deferred I3;
             declined already exists D; declined not viable I1; withdrawn E W
  taken forward A I2 G = 3
  promise: due (by 3 Oct) A B C D F W I1 I2 I3 I4 = 10 (E withdrawn unanswered; G due later)
           kept A D F W I2 = 5 (D on the clock it had then); breached B C I4 = 3 (no answer
           by then); not recorded I1 I3 = 2 (decided, no response time); 5/8 = 0.625
  days to a decision by then: 5 7 9 17 17 59 -> 13
As at 1 December: 13 ideas.
  by status: submitted D F H; business assessment B; escalated G; approved A C I2 I4;
             deferred I3; declined not viable I1; withdrawn E W
  taken forward A C G I2 I4 = 5
  promise: due A B C F G W I1 I2 I3 I4 = 10 (D's new clock and H due later); kept A F G W I2
           = 5; breached B C = 2 (C answered 10 Nov, late); not recorded I1 I3 I4 = 3; 5/7
  days: 5 7 9 17 17 59 73 99 -> 17
Crime and Justice alone, as at 10 October: F I1 I2 I3 I4.
  submitted F I4; approved I2; deferred I3; declined not viable I1; taken forward 1;
  due 5, kept F I2, breached I4, not recorded I1 I3 (2/3); days 7 17 59 -> 17
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.cli import on_database, run_cli
from support.decisions import CONTRIBUTOR, actor, load_demo_organisation, submit_idea
from support.promises import move, record_all

from bot.app import build_services
from bot.domain.errors import InvalidText
from bot.domain.lifecycle import Move
from bot.services.reports import Reports
from storage.uow import unit_of_work_factory

IMPORTED = """\
ID,Title,Portfolio,Category,Campaign,Status,Created,First Response,Decision Date
1,Declined,Crime and Justice,Process,,Declined (not viable),03/08/2026 11:00,,20/08/2026 11:00
2,Approved,Crime and Justice,Process,Summer Roads,Approved,03/08/2026 11:00,10/08/2026 11:00,
3,Deferred,Crime and Justice,Road Safety,,Deferred,03/08/2026 11:00,,01/10/2026 11:00
4,Approved later,Crime and Justice,Process,,Approved,03/08/2026 11:00,,15/10/2026 11:00
"""
STATUSES = ("submitted", "business_assessment", "escalated", "approved", "delivered", "deferred",
            "declined_in_progress", "declined_already_exists", "declined_duplicate",
            "declined_not_viable", "withdrawn")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def end_of(day: str) -> datetime:
    """The end of a UK day in summer or autumn as `--as-of DAY` takes it."""
    from bot.cli_promise import as_of_moment

    return as_of_moment(day, at("2030-01-01T00:00"))


def by_status(**counts: int) -> dict[str, int]:
    return {key: counts.get(key, 0) for key in STATUSES}


@pytest.fixture
def iip(database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):
    """`iip ARGS` on the test's database: (exit code, stdout, stderr)."""
    return on_database(database_url, monkeypatch, capsys)


@pytest.fixture
async def seeded(engine, clock, iip, tmp_path: Path) -> None:
    services = build_services(engine, clock)
    await load_demo_organisation(services)

    ideas: dict[str, Any] = {}

    async def step(when: str, *moves: tuple[str, Move]) -> None:
        clock.current = at(when)
        for name, chosen in moves:
            ideas[name] = await move(services, ideas[name], chosen)
        await record_all(engine, clock)

    clock.current = at("2026-08-03T10:00")
    for name in "ABCDEW":
        ideas[name] = await submit_idea(services, name)
    ideas["F"] = await submit_idea(services, "F", portfolio="crime-and-justice")
    await record_all(engine, clock)
    await step("2026-08-04T10:00", ("A", Move.ALLOCATE), ("B", Move.ALLOCATE),
               ("C", Move.ALLOCATE), ("W", Move.ALLOCATE))
    await step("2026-08-10T10:00", ("W", Move.ASK))
    await step("2026-08-12T10:00", ("D", Move.DECLINE_AT_TRIAGE))
    clock.current = at("2026-08-15T10:00")
    await services.ideas.withdraw(actor(CONTRIBUTOR), ideas["E"].reference, "Changed my mind")
    await step("2026-08-20T10:00", ("A", Move.APPROVE))
    clock.current = at("2026-08-20T12:00")
    await services.ideas.withdraw(actor(CONTRIBUTOR), ideas["W"].reference, "Sorted locally")
    await step("2026-09-01T10:00", ("F", Move.UPDATE))
    clock.current = at("2026-09-20T10:00")
    ideas["G"] = await submit_idea(services, "G")
    await step("2026-09-21T10:00", ("G", Move.ALLOCATE))
    await step("2026-09-25T10:00", ("G", Move.ESCALATE))
    clock.current = at("2026-10-20T10:00")
    await submit_idea(services, "H")
    await step("2026-11-01T10:00", ("D", Move.REOPEN))
    await step("2026-11-10T10:00", ("C", Move.APPROVE))
    assert [ideas[name].status.value for name in "ABCDEFGW"] == [
        "approved", "business_assessment", "approved", "submitted", "submitted", "submitted",
        "escalated", "business_assessment"]  # E and W withdrawn since (stale copies)

    source = tmp_path / "list.csv"
    source.write_text(IMPORTED, encoding="utf-8")
    code, _, err = await iip("import", "sharepoint", str(source))
    assert (code, err) == (0, "")


async def summary(engine, day: str, portfolio: str | None = None) -> dict[str, Any]:
    return (await Reports(unit_of_work_factory(engine)).summary(end_of(day),
                                                                portfolio)).as_json()


async def test_ten_october_as_it_stood_then(seeded, engine):
    figures = await summary(engine, "2026-10-10")
    assert figures == {
        "as_of": end_of("2026-10-10").isoformat(),
        "total": 12,
        "by_status": by_status(submitted=2, business_assessment=2, escalated=1, approved=2,
                               deferred=1, declined_already_exists=1, declined_not_viable=1,
                               withdrawn=2),
        "sla": {"due": 10, "kept": 5, "breached": 3, "not_recorded": 2, "compliance": 0.625},
        "by_category": {"process": 11, "road-safety": 1},
        "by_portfolio": {"crime-and-justice": 5, "local-policing": 7},
        "by_campaign": {"summer-roads": 1},
        "taken_forward": 3,
        "median_days_to_decision": 13.0,
        "supporters": 0,
        "ideas_supported": 0,
    }


async def test_first_december_after_the_approval_and_the_reopen(seeded, engine):
    figures = await summary(engine, "2026-12-01")
    assert figures["total"] == 13
    assert figures["by_status"] == by_status(submitted=3, business_assessment=1, escalated=1,
                                             approved=4, deferred=1, declined_not_viable=1,
                                             withdrawn=2)
    assert figures["sla"] == {"due": 10, "kept": 5, "breached": 2, "not_recorded": 3,
                              "compliance": 0.7143}
    assert figures["taken_forward"] == 5
    assert figures["median_days_to_decision"] == 17.0
    assert figures["by_portfolio"] == {"crime-and-justice": 5, "local-policing": 8}


async def test_before_anything_was_submitted_every_figure_is_empty(seeded, engine):
    figures = await summary(engine, "2026-08-02")
    assert figures["total"] == 0
    assert figures["by_status"] == by_status()
    assert figures["sla"] == {"due": 0, "kept": 0, "breached": 0, "not_recorded": 0,
                              "compliance": None}
    assert (figures["by_category"], figures["by_portfolio"], figures["by_campaign"]) == (
        {}, {}, {})
    assert (figures["taken_forward"], figures["median_days_to_decision"]) == (0, None)


async def test_one_portfolio_alone(seeded, engine):
    figures = await summary(engine, "2026-10-10", "crime-and-justice")
    assert figures["total"] == 5
    assert figures["by_status"] == by_status(submitted=2, approved=1, deferred=1,
                                             declined_not_viable=1)
    assert figures["sla"] == {"due": 5, "kept": 2, "breached": 1, "not_recorded": 2,
                              "compliance": 0.6667}
    assert figures["by_portfolio"] == {"crime-and-justice": 5}
    assert (figures["taken_forward"], figures["median_days_to_decision"]) == (1, 17.0)


async def test_a_portfolio_never_had_is_refused(seeded, engine):
    with pytest.raises(InvalidText, match="There is no portfolio 'traffic'"):
        await Reports(unit_of_work_factory(engine)).summary(end_of("2026-10-10"), "traffic")


async def test_the_command_line_in_every_format(seeded, iip):
    code, out, err = await iip("report", "summary", "--as-of", "2026-10-10", "--format",
                               "json")
    assert (code, err) == (0, "")
    figures = json.loads(out)
    assert list(figures) == ["as_of", "total", "by_status", "sla", "by_category",
                             "by_portfolio", "by_campaign", "taken_forward",
                             "median_days_to_decision", "supporters", "ideas_supported"]
    assert list(figures["by_status"]) == list(STATUSES)
    assert list(figures["sla"]) == ["due", "kept", "breached", "not_recorded", "compliance"]
    assert (figures["total"], figures["sla"]["compliance"]) == (12, 0.625)

    code, out, err = await iip("report", "summary", "--as-of", "2026-10-10", "--format", "csv")
    assert (code, err) == (0, "")
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == ["figure", "key", "value"]
    assert ["total", "", "12"] in table
    assert ["by_status", "declined_not_viable", "1"] in table
    assert ["sla", "compliance", "0.625"] in table
    assert ["by_campaign", "summer-roads", "1"] in table
    assert ["median_days_to_decision", "", "13.0"] in table
    assert len(table) == 1 + 2 + 11 + 5 + 2 + 2 + 1 + 2 + 2

    code, out, err = await iip("report", "summary", "--as-of", "2026-10-10",
                               "--portfolio", "crime-and-justice")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Ideas as at 10 October 2026 23:59 (UK time), portfolio crime-and-justice"
    assert lines[2].split() == ["Ideas", "submitted", "5"]
    assert "Declined (not viable)" in out
    assert [line.split()[-1] for line in lines if "Compliance" in line] == ["66.7%"]


@pytest.mark.parametrize(("argv", "said"), [
    (["--as-of", "yesterday"], "'yesterday' is not a day or a moment"),
    (["--as-of", "2026-02-30"], "is not a day or a moment"),
    (["--as-of", "2026-10-10", "--portfolio", "traffic"], "There is no portfolio 'traffic'"),
])
async def test_a_bad_day_or_portfolio_is_refused_kindly(seeded, iip, argv, said):
    code, out, err = await iip("report", "summary", *argv)
    assert (code, out) == (2, "")
    assert said in err


async def test_a_database_behind_the_code_says_what_to_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IIP_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
    monkeypatch.setenv("IIP_LOG_LEVEL", "WARNING")
    code = await asyncio.to_thread(run_cli, ["report", "summary", "--as-of", "2026-10-10"])
    captured = capsys.readouterr()
    assert (code, captured.out) == (1, "")
    assert "run `iip db upgrade` first" in captured.err
