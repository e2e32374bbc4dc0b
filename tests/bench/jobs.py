"""The scheduler's passes and the promise report on a database of 100,000 ideas.

    .venv/bin/python tests/bench/jobs.py                      # SQLite and PostgreSQL
    .venv/bin/python tests/bench/jobs.py --database sqlite --ideas 20000 --repeat 3

The database (a fresh SQLite file, or a fresh PostgreSQL database) is seeded with bulk inserts
through storage/tables.py: `--ideas` ideas submitted over the 24 months before the pass, in
every status (the older ones mostly decided, the newer ones mostly waiting), each with its
two-month promise (`sla_due_on`) and first response (kept, late, unreachable, none), deferred
ideas with revisit days, approvals, questions asked (some answered) and withdrawals in their
history, and an organisation of portfolios with SPOCs, deputies, the PMO and a sponsor. Then
yesterday's pass runs, unmeasured, so that what was owed before today is marked as sent, as it
would be in use.

Measured, in this process, at `--now` (a working-day morning), `--repeat` times each:

- `due`: one pass computing what it would send, sending nothing (`iip jobs due`);
- `run-due`: one pass queuing what is due today (`iip jobs run-due`); between repetitions
  what it queued and marked is deleted again, unmeasured;
- `run-due again`: a second pass at the same moment, with everything already sent;
- `report`: `iip report sla --format json` for the month before `--now`, and for one
  portfolio.

Each figure is printed as median and max, and as a ratio to a baseline measured in the same
run (an indexed `SELECT count(*)` of the ideas in one status), since the machine is shared;
PASS or FAIL against the target (2 s) is printed, not asserted. The exit status is 1 only
when the run was not honest: an error, or no message queued although some were due.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Awaitable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent)]
from harness import put_project_on_path, run_to_the_end  # noqa: E402
from seeding import (  # noqa: E402
    FixedClock,
    analyze,
    approved_count,
    on_each_database,
    seed_ideas,
    seeding_arguments,
    timed,
)

put_project_on_path()
TARGET_S = 2.0
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


async def seed(database_url: str, args: argparse.Namespace, now: datetime) -> float:
    """Migrate, load the organisation, insert the ideas, run yesterday's pass; seconds it
    took."""
    from bot.app import build_jobs
    from bot.config import Settings
    from storage.engine import make_engine

    started = time.perf_counter()
    engine = make_engine(database_url)
    await seed_ideas(engine, args.ideas, args.portfolios, args.seed, now)
    # Yesterday's passes (morning and evening): what was owed before today is already sent.
    runner = build_jobs(engine, Settings(database_url=database_url), FixedClock(now))
    for hours in (24, 12):
        await runner.run_due(now - timedelta(hours=hours))
    await analyze(engine)
    await engine.dispose()
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------------------
# Measuring.
# ---------------------------------------------------------------------------------------------

async def measure(database_url: str, args: argparse.Namespace,
                  now: datetime) -> dict[str, Any]:
    from sqlalchemy import delete, func, select

    from bot.app import build_jobs
    from bot.config import Settings
    from bot.services.reports import Reports
    from storage import tables as t
    from storage.engine import make_engine
    from storage.uow import unit_of_work_factory

    engine = make_engine(database_url)
    runner = build_jobs(engine, Settings(database_url=database_url), FixedClock(now))
    reports = Reports(unit_of_work_factory(engine))
    month = f"{(now.replace(day=1) - timedelta(days=1)):%Y-%m}"
    figures: dict[str, list[float]] = {}
    try:
        def baseline() -> Awaitable[int]:
            return approved_count(engine)

        async def undo_pass() -> None:
            """Forget what the measured pass queued and marked (not the seeding's passes)."""
            async with engine.begin() as connection:
                await connection.execute(delete(t.job_marks).where(t.job_marks.c.at == now))
                await connection.execute(delete(t.outbox).where(t.outbox.c.created_at == now))
                await connection.execute(delete(t.audit_log).where(t.audit_log.c.at == now))

        await baseline()  # warm the connection pool and caches alike for every figure
        await runner.due(now)
        figures["baseline count(*)"], _ = await timed(args.repeat * 3, baseline)
        figures["due"], due = await timed(args.repeat, lambda: runner.due(now))
        figures["run-due"], queued = await timed(args.repeat, lambda: runner.run_due(now),
                                                 undo_pass)
        figures["run-due again"], again = await timed(args.repeat,
                                                      lambda: runner.run_due(now))
        figures[f"report {month}"], report = await timed(
            args.repeat, lambda: _as_json(reports.sla_month(month, now)))
        figures[f"report {month} p01"], one = await timed(
            args.repeat, lambda: _as_json(reports.sla_month(month, now, "p01")))
        async with engine.connect() as connection:
            ideas = await connection.scalar(select(func.count()).select_from(t.ideas))
            reminders = await connection.scalar(
                select(func.count()).select_from(t.outbox).where(t.outbox.c.created_at == now))
        return {
            "ideas": ideas, "figures": figures, "due": len(due), "queued": len(queued),
            "queued_again": len(again), "outbox_rows_queued": reminders,
            "jobs": sorted({o.job.value for o in queued}),
            "report_due": report["due"], "portfolio_due": one["due"],
            "plans": await plans(engine, now, month) if args.plans else {},
        }
    finally:
        await engine.dispose()


async def _as_json(report: Awaitable[Any]) -> dict[str, Any]:
    return (await report).as_json()


async def plans(engine: Any, now: datetime, month: str) -> dict[str, str]:
    """The database's plan for each query of a pass and of the report, captured as it runs."""
    from sqlalchemy import event

    from bot.app import build_jobs
    from bot.config import Settings
    from bot.services.reports import Reports
    from storage.uow import unit_of_work_factory

    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        await build_jobs(engine, Settings(database_url=str(engine.url)), FixedClock(now)).due(now)
        await Reports(unit_of_work_factory(engine)).sla_month(month, now, "p01")
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    explain = ("EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN ")
    found: dict[str, str] = {}
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        for statement, parameters in seen:
            driver = raw.driver_connection
            if engine.dialect.name == "sqlite":
                cursor = await driver.execute(explain + statement, parameters)
                lines = [str(row[-1]) for row in await cursor.fetchall()]
            else:
                rows = await driver.fetch(explain + statement, *parameters)
                lines = [row[0] for row in rows]
            found[" ".join(statement.split())[:160]] = "\n".join(lines)
    return found


async def seeded_and_measured(database_url: str, args: argparse.Namespace,
                              now: datetime) -> dict[str, Any]:
    seeded = await seed(database_url, args, now)
    print(f"seeded in {seeded:.1f} s; measuring...", file=sys.stderr, flush=True)
    return {"seeded_s": seeded, **await measure(database_url, args, now)}


def print_figures(figures: dict[str, list[float]], target_s: float) -> None:
    """Each figure's median and max, its ratio to the "baseline count(*)" among them, and
    PASS or FAIL against `target_s` (the worst time)."""
    base = statistics.median(figures["baseline count(*)"])
    print(f"  {'figure':<24}{'median ms':>10}{'max ms':>9}{'x baseline':>12}  verdict")
    for name, times in figures.items():
        middle, worst = statistics.median(times), max(times)
        verdict = "" if name.startswith("baseline") else (
            "PASS" if worst < target_s else "FAIL") + f" (< {target_s:.0f} s)"
        print(f"  {name:<24}{middle * 1000:>10.1f}{worst * 1000:>9.1f}"
              f"{middle / base:>12.1f}  {verdict}")


def report(results: list[dict[str, Any]]) -> int:
    honest = True
    print()
    for r in results:
        if "skipped" in r or "error" in r:
            print(f"{r['database']}: {r.get('skipped') or r.get('error')}")
            honest = False
            continue
        print(f"{r['database']}: {r['ideas']:,} ideas, seeded in {r['seeded_s']:.1f} s; "
              f"a pass would send {r['due']} message(s), queued {r['queued']} "
              f"({', '.join(r['jobs'])}), then {r['queued_again']}; the report counts "
              f"{r['report_due']:,} ideas due ({r['portfolio_due']:,} in p01)")
        print_figures(r["figures"], TARGET_S)
        if r["due"] and not r["queued"]:
            honest = False
            print("  NOT HONEST: messages were due and none was queued")
        if r["queued_again"]:
            honest = False
            print(f"  NOT HONEST: the second pass queued {r['queued_again']} again")
        for statement, plan in r["plans"].items():
            print(f"  plan of {statement}\n    " + plan.replace("\n", "\n    "))
    return 0 if honest else 1


async def bench(args: argparse.Namespace) -> int:
    from bot.cli_jobs import moment

    now = moment(args.now)
    return report(await on_each_database(
        args, "iip-bench-jobs", lambda url: seeded_and_measured(url, args, now)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    seeding_arguments(parser, "the measured pass's moment (ISO 8601)")
    parser.add_argument("--plans", action="store_true",
                        help="print the database's plan of each query a pass and the report run")
    return run_to_the_end(bench(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
