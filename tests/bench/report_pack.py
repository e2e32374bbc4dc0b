"""The monthly board pack on a database of 100,000 ideas with their history.

    .venv/bin/python tests/bench/report_pack.py                  # SQLite and PostgreSQL
    .venv/bin/python tests/bench/report_pack.py --database sqlite --ideas 20000 --repeat 3

The database is seeded as tests/bench/jobs.py seeds it (its `seed`: ideas over 24 months in
every status, with history, promises, first responses and deferrals). Measured, `--repeat`
times each, for the month before `--now`:

- `figures`: the pack's figures (every count one SQL aggregate, and the promise's trend, the
  SLA month report for each of the twelve months);
- `figures p01`: the same for one portfolio, as a SPOC's pack;
- `page`: the HTML page drawn from those figures (its charts with matplotlib);
- `pack`: `iip report monthly`'s work end to end, the three files written.

Each figure is printed as median and max, and as a ratio to an indexed `SELECT count(*)`
measured in the same run; PASS or FAIL against the target (5 s) is printed, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from harness import DatabaseUnavailable, fresh_database, put_project_on_path
from jobs import NOW, FixedClock, print_figures, seed, timed

put_project_on_path()

TARGET_S = 5.0


async def measure(database_url: str, args: argparse.Namespace, month: date,
                  folder: Path) -> dict[str, Any]:
    from sqlalchemy import func, select

    from bot.cli_jobs import moment
    from bot.pack.page import render_html, write_pack
    from bot.services.board_packs import BoardPacks
    from storage import tables as t
    from storage.engine import make_engine
    from storage.uow import unit_of_work_factory

    engine = make_engine(database_url)
    packs = BoardPacks(unit_of_work_factory(engine), FixedClock(moment(args.now)))
    figures: dict[str, list[float]] = {}
    try:
        async def baseline() -> int:
            async with engine.connect() as connection:
                return await connection.scalar(select(func.count()).select_from(t.ideas)
                                               .where(t.ideas.c.status == "approved")) or 0

        async def whole() -> list[Path]:
            return write_pack(await packs.monthly(month), folder)

        async def page() -> str:
            return render_html(pack)

        await baseline()
        figures["baseline count(*)"], _ = await timed(args.repeat * 3, baseline)
        figures["figures"], pack = await timed(args.repeat, lambda: packs.monthly(month))
        figures["figures p01"], one = await timed(args.repeat,
                                                  lambda: packs.monthly(month, ["p01"]))
        figures["page"], html = await timed(args.repeat, page)
        figures["pack"], _ = await timed(args.repeat, whole)
        return {"figures": figures, "submitted": sum(pack.counts.submitted_by_month),
                "submitted_p01": sum(one.counts.submitted_by_month),
                "month_ideas": len(pack.counts.month_ideas), "page_kb": len(html) // 1024}
    finally:
        await engine.dispose()


async def bench_one(kind: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    from bot.cli_jobs import moment
    from bot.domain.ideas import add_months, uk_day

    now = moment(args.now)
    month = add_months(uk_day(now).replace(day=1), -1)
    try:
        async with fresh_database(kind, "iip_bench_pack", folder=folder) as database_url:
            seeded = await seed(database_url, args, now)
            print(f"{kind}: seeded in {seeded:.1f} s; measuring...", file=sys.stderr,
                  flush=True)
            return {"database": kind, "seeded_s": seeded, "month": f"{month:%Y-%m}",
                    **await measure(database_url, args, month, folder / f"pack-{kind}")}
    except DatabaseUnavailable as unavailable:
        return {"database": kind, "skipped": str(unavailable)}


def report(results: list[dict[str, Any]]) -> int:
    honest = True
    for r in results:
        if "skipped" in r:
            print(f"{r['database']}: {r['skipped']}")
            honest = False
            continue
        print(f"{r['database']}: pack of {r['month']}, {r['submitted']:,} ideas in its twelve "
              f"months ({r['submitted_p01']:,} in p01), {r['month_ideas']:,} in its CSV, a "
              f"page of {r['page_kb']:,} KB")
        print_figures(r["figures"], TARGET_S)
        if not r["submitted"] or not r["month_ideas"]:
            honest = False
            print("  NOT HONEST: the pack counted no ideas")
    return 0 if honest else 1


async def bench(args: argparse.Namespace) -> int:
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = []
    with tempfile.TemporaryDirectory(prefix="iip-bench-pack-") as folder:
        for kind in kinds:
            print(f"{kind}: seeding {args.ideas:,} ideas...", file=sys.stderr, flush=True)
            results.append(await bench_one(kind, args, Path(folder)))
    return report(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--portfolios", type=int, default=12)
    parser.add_argument("--now", default=NOW, help="a moment in the month after the pack's")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    return asyncio.run(bench(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
