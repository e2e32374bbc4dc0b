"""The scheduler's passes on real databases: what a pass queues (and when, around the quiet
hours), that a second pass or two passes at once send each reminder once, that `due` sends
nothing, and `iip jobs` on the command line."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine
from support.cli import run_cli
from support.decisions import CONTRIBUTOR, IDEA, load_demo_organisation
from support.organisation import ALEX, DEMO_FILE, ISAIAH, MEGAN
from support.tables import count, rows

from bot.app import build_jobs, build_services
from bot.config import Settings
from bot.domain.ideas import LONDON, Status, format_reference, update_due
from bot.domain.reminders import Job
from bot.services.organisation import read_organisation_file
from storage import tables
from storage.engine import make_engine
from storage.migrate import upgrade

_numbers = iter(range(7000, 8000))


def uk(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


async def seed(engine: AsyncEngine, submitted: datetime, *,
               status: Status = Status.BUSINESS_ASSESSMENT, portfolio: str = "local-policing",
               due: date | bool | None = True, answered: datetime | None = None,
               revisit_on: date | None = None,
               history: tuple[tuple[str, datetime], ...] = ()) -> tuple[int, str]:
    """An idea written straight into the tables; `due=None` leaves its due day empty, as a
    replica on older code would."""
    reference = format_reference(2026, next(_numbers))
    async with engine.begin() as connection:
        idea_id = (await connection.execute(insert(tables.ideas).values(
            reference=reference, contributor_object_id=CONTRIBUTOR,
            contributor_name="Pat Contributor", title=f"Idea {reference}", **IDEA,
            category_key="process", portfolio_key=portfolio, named_publicly=False,
            status=status.value, version=1, submitted_at=submitted, updated_at=submitted,
            submission_key=f"seed-{reference}", department="", function="", location="",
            grade="", role_type="", revisit_on=revisit_on,
            sla_due_on=update_due(submitted) if due is True else due or None,
            first_response_at=answered,
        ).returning(tables.ideas.c.id))).scalar_one()
        for action, at in history:
            await connection.execute(insert(tables.idea_history).values(
                idea_id=idea_id, at=at, actor=ALEX, action=action, from_status=status.value,
                to_status=status.value))
    return idea_id, reference


@pytest.fixture
async def runner(engine: AsyncEngine, database_url: str, clock):
    await load_demo_organisation(build_services(engine, clock))
    return build_jobs(engine, Settings(database_url=database_url), clock)


def queued(owed: list) -> set[tuple[str, str, str, tuple[str, ...]]]:
    return {(o.job.value, o.to, o.threshold, o.ideas) for o in owed}


async def test_a_pass_queues_what_is_due_and_a_second_pass_nothing(engine, runner) -> None:
    _, soon = await seed(engine, uk(2026, 11, 30))  # due 30 January: 21 days left on the 9th
    _, answered = await seed(engine, uk(2026, 11, 30), answered=uk(2026, 12, 1))
    _, later = await seed(engine, uk(2026, 12, 20))
    _, legacy = await seed(engine, uk(2026, 11, 30), due=None)
    now = uk(2027, 1, 9, 10)  # a Saturday: quiet, so the reminders wait for Monday

    first = await runner.run_due(now)
    assert queued(first) == {("spoc_reminder", person, "21", (soon, legacy))
                             for person in (ALEX, ISAIAH)}
    assert answered not in str(first) and later not in str(first)
    sent = await rows(engine, tables.outbox)
    assert {row["kind"] for row in sent} == {"reminder"}
    assert {row["object_id"] for row in sent} == {ALEX, ISAIAH}
    assert {row["not_before"] for row in sent} == {uk(2027, 1, 11, 7)}
    assert await count(engine, tables.job_marks) == 2
    audit = await rows(engine, tables.audit_log, tables.audit_log.c.action
                       == "jobs.spoc_reminder")
    assert [entry["actor"] for entry in audit] == ["system:jobs"]

    assert await runner.run_due(now + timedelta(hours=1)) == []
    assert await count(engine, tables.outbox) == 2


async def test_two_passes_at_once_send_each_reminder_once(engine, database_url, clock,
                                                          runner) -> None:
    for n in range(20):
        await seed(engine, uk(2026, 11, 30) + timedelta(hours=n))
    await seed(engine, uk(2026, 11, 20), status=Status.SUBMITTED)  # for the digest
    other_engine = make_engine(database_url)
    try:
        other = build_jobs(other_engine, Settings(database_url=database_url), clock)
        now = uk(2027, 1, 11, 9)  # a Monday, after the digest's time
        first, second = await asyncio.gather(runner.run_due(now), other.run_due(now))
    finally:
        await other_engine.dispose()
    together = [*first, *second]
    assert {o.job for o in together} == {Job.SPOC_REMINDER, Job.PMO_DIGEST}
    reminders = [ref for o in together if o.job is Job.SPOC_REMINDER and o.to == ALEX
                 for ref in o.ideas]
    assert len(reminders) == len(set(reminders)) == 20
    assert len([o for o in together if o.job is Job.PMO_DIGEST]) == 1
    keys = [row["dedupe_key"] for row in await rows(engine, tables.outbox)]
    assert len(keys) == len(together)


async def test_due_says_what_a_pass_would_send_and_sends_nothing(engine, runner) -> None:
    _, reference = await seed(engine, uk(2026, 11, 20))  # due 20 January
    owed = await runner.due(uk(2027, 1, 20, 9))
    assert queued(owed) >= {("contributor_apology", CONTRIBUTOR, "0", (reference,)),
                            ("spoc_reminder", ALEX, "7", (reference,)),
                            ("pmo_digest", ALEX, "2027-01-20", (reference,))}
    assert await count(engine, tables.outbox) == 0
    assert await count(engine, tables.job_marks) == 0


async def test_the_digest_reads_its_lists_from_history(engine, runner) -> None:
    now = uk(2027, 1, 20, 8, 30)
    _, waiting = await seed(engine, uk(2027, 1, 11), status=Status.SUBMITTED)
    await seed(engine, uk(2027, 1, 18), status=Status.SUBMITTED)  # not long enough
    _, undelivered = await seed(engine, uk(2026, 3, 1), status=Status.APPROVED,
                                answered=uk(2026, 4, 1), history=(("approve", uk(2026, 4, 1)),))
    await seed(engine, uk(2026, 3, 1), status=Status.APPROVED, answered=uk(2026, 8, 1),
               history=(("approve", uk(2026, 8, 1)),))
    _, orphaned = await seed(engine, uk(2026, 6, 1), status=Status.DEFERRED,
                             portfolio="retired", answered=uk(2026, 6, 2),
                             revisit_on=date(2027, 6, 1))
    _, asked = await seed(engine, uk(2026, 12, 1), answered=uk(2026, 12, 2),
                          history=(("ask", uk(2026, 12, 2)),))
    await seed(engine, uk(2026, 12, 1), answered=uk(2026, 12, 2),
               history=(("ask", uk(2026, 12, 2)), ("answered", uk(2026, 12, 3))))
    (digest,) = [o for o in await runner.run_due(now) if o.job is Job.PMO_DIGEST]
    lists = {listing.section.value: [line.reference for line in listing.lines]
             for listing in digest.listings}
    assert lists == {"near_breach": [], "breached": [], "awaiting_triage": [waiting],
                     "undelivered": [undelivered], "no_portfolio": [orphaned],
                     "unanswered": [asked]}
    assert (await rows(engine, tables.outbox))[0]["not_before"] == now


async def test_an_empty_digest_settles_the_day(engine, runner) -> None:
    assert await runner.run_due(uk(2027, 1, 20, 8)) == []
    await seed(engine, uk(2026, 11, 22))  # due 22 January: now near its breach
    owed = await runner.run_due(uk(2027, 1, 20, 15))
    assert {o.job for o in owed} == {Job.SPOC_REMINDER}
    assert {o.job for o in await runner.run_due(uk(2027, 1, 21, 8))} == {Job.PMO_DIGEST}


async def test_a_revisit_day_brings_the_idea_card_to_its_followers(engine, runner) -> None:
    idea_id, reference = await seed(engine, uk(2026, 6, 1), status=Status.DEFERRED,
                                    portfolio="crime-and-justice", answered=uk(2026, 6, 2),
                                    revisit_on=date(2027, 1, 20))
    assert await runner.run_due(uk(2027, 1, 19, 12)) == []
    assert await runner.run_due(uk(2027, 1, 20, 6, 30)) == []  # quiet: it waits for morning
    owed = await runner.run_due(uk(2027, 1, 20, 12))
    assert queued(owed) == {("revisit", person, "2027-01-20", (reference,))
                            for person in (MEGAN, ALEX)}
    cards = await rows(engine, tables.outbox,
                       tables.outbox.c.dedupe_key.like(f"card:{reference}:%"))
    assert {row["object_id"] for row in cards} == {MEGAN, ALEX}
    assert await runner.run_due(uk(2027, 1, 21, 12)) == []
    assert await count(engine, tables.job_marks, tables.job_marks.c.idea_id == idea_id) == 1


async def test_a_reopened_idea_is_reminded_again_on_its_new_clock(engine, runner) -> None:
    idea_id, reference = await seed(engine, uk(2026, 11, 30))
    assert len(await runner.run_due(uk(2027, 1, 11, 12))) == 2
    reopened = uk(2027, 3, 1)
    async with engine.begin() as connection:
        await connection.execute(update(tables.ideas).where(tables.ideas.c.id == idea_id)
                                 .values(sla_due_on=update_due(reopened)))
    owed = await runner.run_due(uk(2027, 4, 12, 12))  # due 1 May: 19 days left
    assert {(o.job, o.threshold, o.ideas) for o in owed} == {
        (Job.SPOC_REMINDER, "21", (reference,))}
    assert await count(engine, tables.outbox) == 4  # queued, not refused as sent before


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'iip.sqlite3'}"
    monkeypatch.setenv("IIP_DATABASE_URL", url)
    monkeypatch.setenv("IIP_LOG_LEVEL", "WARNING")
    return url


def test_iip_jobs_due_and_run_due(cli_database: str, capsys: pytest.CaptureFixture[str],
                                  clock) -> None:
    async def prepare() -> str:
        engine = make_engine(cli_database)
        await upgrade(engine)
        await load_demo_organisation(build_services(engine, clock))
        _, reference = await seed(engine, uk(2026, 11, 20))
        await engine.dispose()
        return reference

    reference = asyncio.run(prepare())
    capsys.readouterr()
    assert run_cli(["jobs", "due", "--now", "2027-01-20T09:00", "--format", "json"]) == 0
    listed: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    assert {"job": "contributor_apology", "to": CONTRIBUTOR, "ideas": [reference],
            "threshold": "0"} in listed
    assert {item["job"] for item in listed} == {"contributor_apology", "spoc_reminder",
                                                "pmo_digest"}
    assert run_cli(["jobs", "run-due", "--now", "2027-01-20T09:00"]) == 0
    assert f"Queued {len(listed)} message(s)." in capsys.readouterr().out
    assert run_cli(["jobs", "due", "--now", "2027-01-20T10:00"]) == 0
    assert "A pass would send 0 message(s)." in capsys.readouterr().out
    with pytest.raises(SystemExit):
        run_cli(["jobs", "due", "--now", "tomorrow"])


async def test_the_sponsor_named_in_the_file_gets_the_weekly_breaches(engine, database_url,
                                                                     clock) -> None:
    services = build_services(engine, clock)
    organisation = replace(read_organisation_file(DEMO_FILE), executive_sponsor=MEGAN)
    await services.organisation.replace(organisation, "test")
    runner = build_jobs(engine, Settings(database_url=database_url), clock)
    _, breached = await seed(engine, uk(2026, 11, 2), portfolio="crime-and-justice")
    owed = [o for o in await runner.run_due(uk(2027, 1, 11, 9)) if o.to == MEGAN]
    assert queued(owed) >= {("sponsor_weekly", MEGAN, "2027-W02", (breached,))}
    assert [o for o in await runner.run_due(uk(2027, 1, 12, 9)) if o.to == MEGAN] == []
