"""`iip initiatives import` of a register of known initiatives, on SQLite and PostgreSQL.

    .venv/bin/python tests/bench/initiatives_import.py                   # both databases
    .venv/bin/python tests/bench/initiatives_import.py --database sqlite --rows 500 --model

A register is written as Excel's "CSV UTF-8" writes one (a byte-order mark, Windows line
endings, quoted fields with commas): `--rows` initiatives in both stages, in the demo
organisation's portfolios (by name), some with a contact and a link. For each database, fresh,
migrated and with the demo organisation loaded, each a command in a process of its own, as a
person runs it:

- `import`: the whole register added and indexed for similar-idea searches (characters only,
  or with `--model` the sentence model too, loaded by the command);
- `again`: the same file imported a second time (nothing changes, nothing is indexed again);
- `edited`: a tenth of the rows changed, imported again (those updated and indexed again);
- `start`: `iip initiatives list`, the command's start-up and a read, for scale.

Each is given in seconds and in CPU seconds (steadier on a shared machine). Times are printed,
not judged: a register is a few hundred entries, imported now and then. The exit status is 1
only when the run was not honest: an error, or counts other than those written.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
from harness import (  # noqa: E402
    ROOT,
    DatabaseUnavailable,
    database_options,
    fresh_database,
    put_project_on_path,
)

put_project_on_path()
PORTFOLIOS = ["Local Policing", "Crime and Justice", "Digital, Data and Technology",
              "People and Wellbeing", ""]
THINGS = ["body-worn video", "ANPR alerts", "digital pocket notebooks", "custody tablets",
          "fleet telematics", "wellbeing hub", "drone support", "PNC checks on the MDT",
          "online crime reporting", "training records", "estates booking", "victim updates"]


def write_register(path: Path, rows: int, seed: int, *, edited: bool = False) -> None:
    chance = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["ID", "Title", "Description", "Stage", "Portfolio", "Contact", "Link"])
        for n in range(rows):
            thing = chance.choice(THINGS)
            changed = " (phase two)" if edited and n % 10 == 0 else ""
            writer.writerow([
                f"REG-{n:05d}", f"{thing.capitalize()} for team {n}{changed}",
                f"The {thing} work for team {n}: what it gives officers and staff, "
                f"where it stands, and who to ask, in a few sentences{changed}.",
                chance.choice(["In progress", "Under way", "Live", "Exists"]),
                chance.choice(PORTFOLIOS), chance.choice(["", f"Project lead {n}"]),
                chance.choice(["", f"https://intranet.example.police.uk/projects/{n}"])])


def iip(database_url: str, model: bool, *argv: str) -> tuple[float, float, str]:
    """`iip ARGV` in a process of its own: (seconds, CPU seconds, what it printed). The CPU
    time is the steadier figure on a shared machine."""
    env = {**os.environ, "IIP_DATABASE_URL": database_url, "IIP_LOG_LEVEL": "WARNING",
           "IIP_SIMILAR_MODEL": "on" if model else "off"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", *argv], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise RuntimeError(f"iip {' '.join(argv)} failed ({done.returncode}): "
                           f"{done.stderr[-2000:]}")
    return took, cpu, done.stdout


async def bench_one(kind: str, register: Path, edited: Path, rows: int, model: bool,
                    admin_url: str) -> dict[str, object]:
    async with fresh_database(kind, "iip_bench_initiatives", admin_url=admin_url) as url:
        iip(url, False, "db", "upgrade")
        iip(url, False, "org", "load", str(ROOT / "bot" / "demo" / "organisation.toml"))
        result: dict[str, object] = {"database": kind, "rows": rows, "model": model}
        _took, started, _out = iip(url, model, "initiatives", "list")
        result["start"] = f"{started:.1f} CPU s"
        for name, path, said in (
                ("import", register, f"{rows:,} initiative(s) added, 0 updated, 0 unchanged"),
                ("again", register, f"0 initiative(s) added, 0 updated, {rows:,} unchanged"),
                ("edited", edited, f"0 initiative(s) added, {-(-rows // 10):,} updated")):
            took, cpu, out = iip(url, model, "initiatives", "import", str(path))
            if said not in out:
                raise RuntimeError(f"{name}: expected {said!r}, got {out[:300]!r}")
            result[name] = f"{took:.1f} s ({cpu:.1f} CPU s)"
        return result


async def bench(args: argparse.Namespace) -> int:
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    with tempfile.TemporaryDirectory(prefix="iip-bench-initiatives-") as name:
        register, edited = Path(name) / "register.csv", Path(name) / "edited.csv"
        write_register(register, args.rows, args.seed)
        write_register(edited, args.rows, args.seed, edited=True)
        failed = False
        for kind in kinds:
            try:
                result = await bench_one(kind, register, edited, args.rows, args.model,
                                         args.postgres_url)
            except DatabaseUnavailable as why:
                print(f"{kind}: skipped, {why}")
                continue
            except RuntimeError as error:
                print(f"{kind}: FAILED {error}")
                failed = True
                continue
            print("  ".join(f"{key}={value}" for key, value in result.items())
                  + "  (each a whole command; start: `iip initiatives list`, for scale)")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    database_options(parser)
    parser.add_argument("--rows", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model", action="store_true",
                        help="index with the sentence model too (it is loaded by each import)")
    return asyncio.run(bench(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
