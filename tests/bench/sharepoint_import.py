"""`iip import sharepoint` of 100,000 rows, on SQLite and PostgreSQL.

    .venv/bin/python tests/bench/sharepoint_import.py                  # both databases
    .venv/bin/python tests/bench/sharepoint_import.py --database sqlite --rows 20000

A CSV export is written as SharePoint writes one (UTF-8 with a byte-order mark, Windows line
endings, quoted fields with commas and newlines): `--rows` ideas created over the two years
before now, in every status and spelling, by 3,000 contributors (a tenth of them known to
the organisation by e-mail), in 14 categories and 9 portfolios (some the organisation's, the
rest new), some titles longer than a new idea's, diversity answers given, refused or missing.

For each database, fresh and migrated, with the demo organisation and its people loaded:

- `import`: the whole command, `iip import sharepoint FILE`, in a process of its own, as a
  person runs it (reading, checking, importing, committing, the summary printed);
- `again`: the same file imported a second time (nothing changes);
- `peak MB`: the import process's largest resident memory;
- `baseline`: the same idea and history rows, as the import makes them, inserted by a bare
  executemany in chunks of 1,000 into scratch tables with the same columns and no index,
  in one transaction: the least any import of these rows could cost on that database.

PASS or FAIL against the target (the whole import under 60 s) is printed, not asserted, with
the ratio to the baseline, since the machine is shared. The exit status is 1 only when the run
was not honest: an error, or a count of ideas other than the rows written.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent)]
from harness import (  # noqa: E402
    ROOT,
    DatabaseUnavailable,
    fresh_database,
    put_project_on_path,
)

put_project_on_path()
TARGET_S = 60.0
HEADER = ["ID", "Title", "Problem", "Proposal", "Benefits", "Category", "Portfolio",
          "Campaign", "Status", "Duplicate Of", "Revisit Date", "Created", "Created By",
          "Created By Email", "First Response", "Decision Date", "Department", "Function",
          "Location", "Rank or Grade", "Role Type"]
STATUSES = ["Approved", "Deferred", "Declined (in progress already)",
            "Declined - In progress already", "Declined: in progress already",
            "Declined (already exists)", "Declined (duplicate)", "Declined (not viable)",
            "Withdrawn", "Business assessment", "Submitted", "Escalated", "Delivered"]
CATEGORIES = ["Process improvement", "Technology", "Wellbeing", "Public service", "Cost",
              "Equipment", "Training", "Estates", "Fleet", "Custody", "Forensics",
              "Communications", "Partnerships", "Sustainability"]
PORTFOLIOS = ["Local Policing", "Crime and Justice", "Digital, Data and Technology",
              "People and Wellbeing", "Operational Support", "Contact Management",
              "Corporate Services", "Estates and Fleet", "Professional Standards"]
WORDS = ["officers", "station", "shift", "radio", "custody", "form", "system", "paper",
         "time", "report", "vehicle", "training", "witness", "victim", "court", "evidence",
         "property", "patrol", "control", "room", "call"]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def uk(moment: datetime) -> str:
    from bot.domain.ideas import LONDON

    local = moment.astimezone(LONDON)
    return f"{local:%d/%m/%Y %H:%M}"


def write_export(path: Path, rows: int, now: datetime, seed: int) -> None:
    """`rows` realistic rows of the list, as SharePoint exports them."""
    rng = random.Random(seed)
    people = [(f"Officer {n}", f"officer.{n}@example.police.uk") for n in range(3_000)]
    start = now - timedelta(days=730)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADER)
        for n in range(1, rows + 1):
            created = start + timedelta(seconds=rng.randrange(0, 600 * 86_400))
            status = rng.choice(STATUSES)
            decided = created + timedelta(days=rng.randrange(1, 90), hours=rng.randrange(9))
            responded = status != "Submitted" and rng.random() < 0.8
            name, email = rng.choice(people)
            title = sentence(rng, rng.choice((4, 8, 12, 30 if rng.random() < 0.01 else 10)))
            writer.writerow([
                str(n), title,
                sentence(rng, 30) + "\n" + sentence(rng, 20) + ", and more.",
                sentence(rng, 25), sentence(rng, 15),
                rng.choice(CATEGORIES), rng.choice(PORTFOLIOS),
                "Summer of Ideas" if rng.random() < 0.1 else "", status,
                str(rng.randrange(1, n)) if "duplicate" in status and n > 1 else "",
                f"{decided + timedelta(days=180):%d/%m/%Y}" if status == "Deferred" else "",
                uk(created) if rng.random() < 0.9 else created.isoformat(timespec="minutes"),
                name, email.upper() if rng.random() < 0.05 else email,
                uk(decided) if responded else "",
                f"{decided:%d/%m/%Y}" if status != "Submitted" and rng.random() < 0.7 else "",
                rng.choice(("", "Operations", "Crime", "Prefer not to say")),
                rng.choice(("", "Response policing", "Investigation", "Custody")),
                rng.choice(("", "Leeds", "Bradford", "Wakefield")),
                rng.choice(("", "Constable", "Sergeant", "Police staff, junior grades")),
                rng.choice(("", "Police officer", "Police staff", "Prefer not to say")),
            ])


def organisation_file(folder: Path) -> Path:
    """The demo organisation with 300 of the list's contributors among its people."""
    from support.organisation import DEMO_FILE

    text = DEMO_FILE.read_text(encoding="utf-8")
    people = "".join(
        f'\n[[people]]\nobject_id = "00000000-0000-0000-0002-{n:012d}"\n'
        f'name = "Officer {n}"\nemail = "officer.{n}@example.police.uk"\n'
        for n in range(0, 3_000, 10))
    path = folder / "organisation.toml"
    path.write_text(text + people, encoding="utf-8")
    return path


def iip(database_url: str, *argv: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    """`iip ARGV` in a process of its own, with `env` added to the environment: (seconds,
    what it printed)."""
    env = {**os.environ, **(env or {}), "IIP_DATABASE_URL": database_url,
           "IIP_LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", *argv], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"iip {' '.join(argv)} failed ({done.returncode}): "
                           f"{done.stderr[-2000:]}")
    return took, done.stdout


async def baseline(database_url: str, export: Path, now: datetime) -> float:
    """The import's own rows, inserted bare: scratch tables, no index, executemany."""
    from sqlalchemy import Column, MetaData, Table, insert

    from bot.domain.legacy import ColumnMap, ImportedIdea, check_rows
    from storage import tables as t
    from storage.engine import make_engine
    from storage.legacy import _columns

    with export.open(encoding="utf-8-sig", newline="") as lines:
        checked = check_rows(lines, ColumnMap(), now)
    ideas = [ImportedIdea(source=row, reference=f"IIP-{row.year}-{n:06d}",
                          contributor_object_id="imported:x", category_key="c",
                          portfolio_key="p", campaign_key=None, duplicate_of=None)
             for n, row in enumerate(checked.ideas)]
    scratch = MetaData()
    bare_ideas = Table("scratch_ideas", scratch,
                       *(Column(c.name, c.type) for c in t.ideas.c if c.name != "id"))
    bare_history = Table("scratch_history", scratch, *(Column(c.name, c.type)
                                                       for c in t.idea_history.c
                                                       if c.name != "id"))
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(scratch.create_all)
        started = time.perf_counter()
        async with engine.begin() as connection:
            for first in range(0, len(ideas), 1_000):
                chunk = ideas[first:first + 1_000]
                await connection.execute(insert(bare_ideas), [_columns(i) for i in chunk])
                await connection.execute(insert(bare_history), [
                    {"idea_id": first + k, "at": entry.at, "actor": entry.actor,
                     "action": entry.action,
                     "from_status": entry.from_status.value if entry.from_status else None,
                     "to_status": entry.to_status.value, "detail": entry.detail}
                    for k, idea in enumerate(chunk) for entry in idea.history])
        took = time.perf_counter() - started
        async with engine.begin() as connection:
            await connection.run_sync(scratch.drop_all)
        return took
    finally:
        await engine.dispose()


async def ideas_held(database_url: str) -> int:
    from sqlalchemy import func, select

    from storage import tables as t
    from storage.engine import make_engine

    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(select(func.count()).select_from(t.ideas)) or 0
    finally:
        await engine.dispose()


async def bench_one(kind: str, export: Path, organisation: Path,
                    now: datetime) -> dict[str, Any]:
    """The figures on a fresh database of `kind`; why not, when it could not be measured."""
    try:
        async with fresh_database(kind, "iip_bench_import") as database_url:
            await asyncio.to_thread(iip, database_url, "org", "load", str(organisation))
            print(f"{kind}: importing...", file=sys.stderr, flush=True)
            imported_s, out = await asyncio.to_thread(iip, database_url, "import",
                                                      "sharepoint", str(export))
            # The largest of the processes so far: the import's (kilobytes on Linux).
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            again_s, again = await asyncio.to_thread(iip, database_url, "import",
                                                     "sharepoint", str(export))
            held = await ideas_held(database_url)
            base = await baseline(database_url, export, now)
    except DatabaseUnavailable as why:
        return {"database": kind, "skipped": f"PostgreSQL is unreachable ({why})"}
    except Exception as error:
        import traceback

        traceback.print_exc()
        return {"database": kind, "error": f"{type(error).__name__}: {error}"}
    summary = [line for line in out.splitlines() if " imported" in line][:1]
    return {"database": kind, "import_s": imported_s, "again_s": again_s, "baseline_s": base,
            "peak_mb": peak_mb, "held": held, "summary": summary,
            "again": again.splitlines()[-1:]}


def report(results: list[dict[str, Any]], rows: int, written_s: float) -> int:
    honest = True
    print(f"\n{rows:,} rows written in {written_s:.1f} s")
    print(f"  {'database':<12}{'import s':>10}{'again s':>9}{'baseline s':>12}"
          f"{'x baseline':>12}{'peak MB':>9}  verdict")
    for r in results:
        if "skipped" in r or "error" in r:
            print(f"  {r['database']}: {r.get('skipped') or r.get('error')}")
            honest = False
            continue
        verdict = ("PASS" if r["import_s"] < TARGET_S else "FAIL") + f" (< {TARGET_S:.0f} s)"
        print(f"  {r['database']:<12}{r['import_s']:>10.1f}{r['again_s']:>9.1f}"
              f"{r['baseline_s']:>12.1f}{r['import_s'] / r['baseline_s']:>12.1f}"
              f"{r['peak_mb']:>9.0f}  {verdict}")
        print(f"    {' '.join(r['summary'])} / {' '.join(r['again'])}")
        if r["held"] != rows:
            honest = False
            print(f"  NOT HONEST: {r['held']:,} ideas held for {rows:,} rows")
    return 0 if honest else 1


async def bench(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    with tempfile.TemporaryDirectory(prefix="iip-bench-import-") as name:
        folder = Path(name)
        export = folder / "list.csv"
        started = time.perf_counter()
        write_export(export, args.rows, now - timedelta(days=1), args.seed)
        written_s = time.perf_counter() - started
        print(f"{export.stat().st_size / 2**20:.0f} MB written", file=sys.stderr, flush=True)
        organisation = organisation_file(folder)
        results = [await bench_one(kind, export, organisation, now) for kind in kinds]
    print(json.dumps(results, default=str), file=sys.stderr)
    return report(results, args.rows, written_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    return asyncio.run(bench(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
