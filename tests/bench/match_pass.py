"""The similar-ideas pass on a database of 100,000 ideas: what it costs when there is nothing to
do (as nearly always), and what keeping one pass's worth of matches costs.

    .venv/bin/python tests/bench/match_pass.py                      # SQLite and PostgreSQL
    .venv/bin/python tests/bench/match_pass.py --database sqlite --ideas 20000 --repeat 3

The database is seeded as tests/bench/jobs.py seeds it (`--ideas` ideas over 24 months, in
every status). Every undecided idea's matches are then marked found, as they would be in use;
the decided ones, imported or decided long ago, never are.

Measured, `--repeat` times each:

- `idle pass`: a pass with nothing to do: one indexed read of the ideas owed a search;
- `pass of N`: a pass over the N newest undecided ideas (PASS_LIMIT), made owed again before
  each repetition (unmeasured): claiming each, keeping three matches, auditing and redrawing
  its cards. The search itself is the engine's, measured by tests/bench/similar.py: here it
  answers at once with the same three ideas, so that only the pass's own work is timed.

Each figure is printed as median and max, with its ratio to a baseline measured in the same run
(an indexed `SELECT count(*)` of the ideas in one status); PASS or FAIL against its target is
printed, not asserted. The exit status is 1 only when the run was not honest: an error, an idle
pass that kept something, or a pass that did not keep its N.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Awaitable, Collection
from datetime import datetime
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
TARGETS_S = {"idle pass": 0.05, "pass of": 2.0}
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


class AtOnce:
    """A search that answers at once with the same three ideas (ids 1 to 3)."""

    async def find(self, text: str, *, audience: Any, limit: int = 3,
                   exclude: Collection[tuple[Any, int]] = ()) -> list[Any]:
        from bot.domain.similar import Match, MatchKind

        return [Match(MatchKind.IDEA, n, f"IIP-2024-{n:04d}", "A similar idea", "Approved",
                      None, 0.9 - n / 10, likely_duplicate=n == 1) for n in (1, 2, 3)]


async def seeded_and_measured(database_url: str, args: argparse.Namespace,
                              now: datetime) -> dict[str, Any]:
    from sqlalchemy import func, select, update

    from bot.domain.duplicates import PASS_LIMIT, SHOWN_WHILE
    from bot.services.match_pass import MatchPass
    from cards.decisions import DecisionCards
    from storage import tables as t
    from storage.engine import make_engine
    from storage.uow import unit_of_work_factory

    undecided = sorted(s.value for s in SHOWN_WHILE)
    engine = make_engine(database_url)
    try:
        await seed_ideas(engine, args.ideas, args.portfolios, args.seed, now)
        async with engine.begin() as connection:
            await connection.execute(update(t.ideas).where(t.ideas.c.status.in_(undecided))
                                     .values(matched_at=now))
        await analyze(engine)
        print("seeded; measuring...", file=sys.stderr, flush=True)
        cards = DecisionCards(today=lambda: now.date())
        matcher = MatchPass(unit_of_work_factory(engine), FixedClock(now), AtOnce(),
                            cards.idea_card, TENANT)
        async with engine.connect() as connection:
            newest = list((await connection.execute(
                select(t.ideas.c.id).where(t.ideas.c.status.in_(undecided))
                .order_by(t.ideas.c.submitted_at.desc(), t.ideas.c.id.desc())
                .limit(PASS_LIMIT))).scalars())
            ideas = await connection.scalar(select(func.count()).select_from(t.ideas))
            owed = await connection.scalar(select(func.count()).select_from(t.ideas).where(
                t.ideas.c.status.in_(undecided)))

        async def owed_again() -> None:
            async with engine.begin() as connection:
                await connection.execute(update(t.ideas).where(t.ideas.c.id.in_(newest))
                                         .values(matched_at=None))

        def baseline() -> Awaitable[int]:
            return approved_count(engine)

        figures: dict[str, list[float]] = {}
        await baseline()
        await matcher.run()
        figures["baseline count(*)"], _ = await timed(args.repeat * 3, baseline)
        figures["idle pass"], idle = await timed(args.repeat, matcher.run)
        await owed_again()
        figures[f"pass of {len(newest)}"], kept = await timed(args.repeat, matcher.run,
                                                              owed_again)
        return {"ideas": ideas, "undecided": owed, "figures": figures, "idle_kept": len(idle),
                "kept": len(kept), "wanted": len(newest)}
    finally:
        await engine.dispose()


def report(results: list[dict[str, Any]]) -> int:
    honest = True
    print()
    for r in results:
        if "skipped" in r or "error" in r:
            print(f"{r['database']}: {r.get('skipped') or r.get('error')}")
            honest = False
            continue
        print(f"{r['database']}: {r['ideas']:,} ideas, {r['undecided']:,} undecided")
        figures = r["figures"]
        base = statistics.median(figures["baseline count(*)"])
        print(f"  {'figure':<24}{'median ms':>10}{'max ms':>9}{'x baseline':>12}  verdict")
        for name, times in figures.items():
            middle, worst = statistics.median(times), max(times)
            target = next((s for prefix, s in TARGETS_S.items() if name.startswith(prefix)),
                          None)
            verdict = "" if target is None else (
                ("PASS" if worst < target else "FAIL") + f" (< {target * 1000:.0f} ms)")
            print(f"  {name:<24}{middle * 1000:>10.1f}{worst * 1000:>9.1f}"
                  f"{middle / base:>12.1f}  {verdict}")
        if r["idle_kept"]:
            honest = False
            print(f"  NOT HONEST: the idle pass kept {r['idle_kept']}")
        if r["kept"] != r["wanted"]:
            honest = False
            print(f"  NOT HONEST: the pass kept {r['kept']} of {r['wanted']}")
    return 0 if honest else 1


async def bench(args: argparse.Namespace) -> int:
    from bot.cli_jobs import moment

    now = moment(args.now)
    return report(await on_each_database(
        args, "iip-bench-matches", lambda url: seeded_and_measured(url, args, now)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    seeding_arguments(parser, "the measured passes' moment (ISO 8601)")
    return run_to_the_end(bench(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
