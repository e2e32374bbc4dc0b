"""The reports on a database of 100,000 ideas with their history.

    .venv/bin/python tests/bench/reports.py                      # SQLite and PostgreSQL
    .venv/bin/python tests/bench/reports.py --database sqlite --ideas 20000 --repeat 3

The database (a fresh SQLite file, or a fresh PostgreSQL database) is seeded as the jobs
benchmark seeds it (seeding.py): `--ideas` ideas over the 24 months before `--now`, in every
status, with their history. Then, in this process, `--repeat` times each:

- `summary <day>`: `iip report summary` for all portfolios as at three days: `--now`, six
  months before and eighteen months before (most ideas decided, about half, a quarter
  submitted by then); and as at `--now` for one portfolio;
- `pack …`: `iip report monthly` for the month before `--now`: its figures (every count one
  SQL aggregate, and the promise's trend over twelve months), one portfolio's (a SPOC's
  pack), the HTML page drawn from them (its charts with matplotlib), and the whole pack, its
  three files written;
- the baseline: an indexed `SELECT count(*)` of the ideas in one status, in the same run, since
  the machine is shared.

Each report has a function below (`summary_figures`, `pack_figures`) returning its figures
and their target;
a new report adds its own to REPORTS. Printed as median and max, and as a ratio to the
baseline, with PASS or FAIL against the target (not asserted). The exit status is 1 only when
the run was not honest: an error, or a summary that did not count the ideas seeded.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
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
SUMMARY_TARGET_S = 1.0
PACK_TARGET_S = 5.0

# A report's figures: name -> (wall times in seconds, target in seconds).
Figures = dict[str, tuple[list[float], float]]


async def summary_figures(engine: Any, args: argparse.Namespace, now: datetime,
                          checks: dict[str, Any]) -> Figures:
    """`iip report summary` as at three days, and for one portfolio."""
    from bot.services.reports import Reports
    from storage.uow import unit_of_work_factory

    reports = Reports(unit_of_work_factory(engine))
    figures: Figures = {}
    for months in (0, 6, 18):
        as_of = now - timedelta(days=round(months * 30.4))
        times, summary = await timed(args.repeat, lambda at=as_of: reports.summary(at))
        figures[f"summary {as_of:%Y-%m-%d}"] = (times, SUMMARY_TARGET_S)
        checks[f"summary {as_of:%Y-%m-%d}"] = summary.as_json()
    times, one = await timed(args.repeat, lambda: reports.summary(now, "p01"))
    figures[f"summary {now:%Y-%m-%d} p01"] = (times, SUMMARY_TARGET_S)
    checks["summary p01"] = one.as_json()
    return figures


async def pack_figures(engine: Any, args: argparse.Namespace, now: datetime,
                       checks: dict[str, Any]) -> Figures:
    """`iip report monthly` for the month before `now`: its figures, one portfolio's, the
    page, and the whole pack written."""
    from bot.domain.ideas import add_months, uk_day
    from bot.pack.page import render_html, write_pack
    from bot.services.board_packs import BoardPacks
    from storage.uow import unit_of_work_factory

    packs = BoardPacks(unit_of_work_factory(engine), FixedClock(now))
    month = add_months(uk_day(now).replace(day=1), -1)
    figures: Figures = {}
    with tempfile.TemporaryDirectory(prefix="iip-bench-pack-") as folder:
        times, pack = await timed(args.repeat, lambda: packs.monthly(month))
        figures[f"pack {month:%Y-%m}"] = (times, PACK_TARGET_S)
        times, _ = await timed(args.repeat, lambda: packs.monthly(month, ["p01"]))
        figures[f"pack {month:%Y-%m} p01"] = (times, PACK_TARGET_S)

        async def page() -> str:
            return render_html(pack)

        async def whole() -> list[Path]:
            return write_pack(await packs.monthly(month), Path(folder))

        times, html = await timed(args.repeat, page)
        figures["pack page"] = (times, PACK_TARGET_S)
        times, _ = await timed(args.repeat, whole)
        figures["pack, 3 files written"] = (times, PACK_TARGET_S)
    checks["pack"] = {"submitted": sum(pack.counts.submitted_by_month),
                      "month_ideas": len(pack.counts.month_ideas),
                      "page_kb": len(html) // 1024}
    return figures


REPORTS: list[Callable[[Any, argparse.Namespace, datetime, dict[str, Any]],
                       Awaitable[Figures]]] = [summary_figures, pack_figures]


async def measure(database_url: str, args: argparse.Namespace,
                  now: datetime) -> dict[str, Any]:
    from sqlalchemy import func, select

    from storage import tables as t
    from storage.engine import make_engine

    engine = make_engine(database_url)
    checks: dict[str, Any] = {}
    try:
        def baseline() -> Awaitable[int]:
            return approved_count(engine)

        await baseline()  # warm the connection and caches alike for every figure
        times, _ = await timed(args.repeat * 3, baseline)
        figures: Figures = {"baseline count(*)": (times, 0.0)}
        for report_figures in REPORTS:
            figures |= await report_figures(engine, args, now, checks)
        async with engine.connect() as connection:
            ideas = await connection.scalar(select(func.count()).select_from(t.ideas))
        return {"ideas": ideas, "figures": figures, "checks": checks}
    finally:
        await engine.dispose()


async def seeded_and_measured(database_url: str, args: argparse.Namespace,
                              now: datetime) -> dict[str, Any]:
    from storage.engine import make_engine

    started = time.perf_counter()
    engine = make_engine(database_url)
    await seed_ideas(engine, args.ideas, args.portfolios, args.seed, now)
    await analyze(engine)
    await engine.dispose()
    seeded = time.perf_counter() - started
    print(f"seeded in {seeded:.1f} s; measuring...", file=sys.stderr, flush=True)
    return {"seeded_s": seeded, **await measure(database_url, args, now)}


def report(results: list[dict[str, Any]]) -> int:
    honest = True
    print()
    for r in results:
        if "skipped" in r or "error" in r:
            print(f"{r['database']}: {r.get('skipped') or r.get('error')}")
            honest = False
            continue
        pack = r["checks"].pop("pack")
        latest = r["checks"][min(k for k in r["checks"] if k != "summary p01")]
        print(f"{r['database']}: {r['ideas']:,} ideas, seeded in {r['seeded_s']:.1f} s")
        for name, figures in r["checks"].items():
            sla = figures["sla"]
            print(f"  {name}: {figures['total']:,} ideas, {figures['taken_forward']:,} taken "
                  f"forward, {sla['due']:,} due ({sla['kept']:,} kept, {sla['breached']:,} "
                  f"breached), median {figures['median_days_to_decision']} days to a decision")
        print(f"  pack: {pack['submitted']:,} ideas in its twelve months, "
              f"{pack['month_ideas']:,} in its CSV, a page of {pack['page_kb']:,} KB")
        print(f"  {'figure':<28}{'median ms':>10}{'max ms':>9}{'x baseline':>12}  verdict")
        base = statistics.median(r["figures"]["baseline count(*)"][0])
        for name, (times, target) in r["figures"].items():
            middle, worst = statistics.median(times), max(times)
            verdict = "" if not target else (
                "PASS" if worst < target else "FAIL") + f" (< {target:g} s)"
            print(f"  {name:<28}{middle * 1000:>10.1f}{worst * 1000:>9.1f}"
                  f"{middle / base:>12.1f}  {verdict}")
        if r["ideas"] != max(figures["total"] for figures in r["checks"].values()) \
                or latest["total"] == 0 or not pack["submitted"] or not pack["month_ideas"]:
            honest = False
            print("  NOT HONEST: the summary did not count every idea seeded, or the pack none")
    return 0 if honest else 1


async def bench(args: argparse.Namespace) -> int:
    from bot.cli_jobs import moment

    now = moment(args.now)
    return report(await on_each_database(
        args, "iip-bench-reports", lambda url: seeded_and_measured(url, args, now)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    seeding_arguments(parser, "the latest summary's moment (ISO 8601)")
    return run_to_the_end(bench(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
