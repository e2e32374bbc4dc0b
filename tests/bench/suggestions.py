"""The submission's problem turn with similar ideas shown, against the same turn without them.

    .venv/bin/python tests/bench/suggestions.py                       # SQLite and PostgreSQL
    .venv/bin/python tests/bench/suggestions.py --database sqlite --ideas 20000 --turns 300
    .venv/bin/python tests/bench/suggestions.py --model on            # the sentence model too

The database (a fresh SQLite file, or a fresh PostgreSQL database) is seeded in bulk with
`--ideas` ideas (seeding.py), each then given a policing title and problem made of the
submission load's phrases and a place, and shared with colleagues; the similar-ideas index
learns them all first (unmeasured). Then, in this process, `--turns` people each answer the
problem of an idea they are writing (their title given, on their draft): one IntakeFlow with
the suggestions (the search, who the writer is to each idea found, the card) and one without,
turn about, so that a noisy neighbour hurts both alike. Printed: p50, p95 and p99 of each,
the difference, and how many turns brought a card of similar ideas in time (`--wait`, the
production's by default; a long one measures the search itself). Characters alone rank
unless `--model on` (the index then encodes every idea first: minutes on a CPU). The figures
are printed, not asserted; the exit status is 1 only when the run was not honest (an error, or
no turn brought any suggestion).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent)]
from harness import put_project_on_path, run_to_the_end  # noqa: E402
from seeding import NOW, FixedClock, analyze, on_each_database, seed_ideas  # noqa: E402

put_project_on_path()
from submissions import PLACES, PROBLEMS, TITLES  # noqa: E402

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def text_of(number: int, rng: random.Random) -> tuple[str, str]:
    """A seeded idea's title and problem: the load's phrases, at a place."""
    place = rng.choice([p for p in PLACES if p]) if rng.random() < 0.8 else ""
    title = f"{rng.choice(TITLES)}{f' at {place}' if place else ''} ({number})"
    return title, " ".join(rng.sample(PROBLEMS, 2))


async def share_and_retitle(engine: Any, ideas: int, seed: int) -> None:
    """Every seeded idea shared, with a title and problem people would write."""
    from sqlalchemy import bindparam, update

    from storage import tables as t

    rng = random.Random(seed)
    rows = [{"key": n, "new_title": title, "new_problem": problem}
            for n in range(1, ideas + 1) for title, problem in [text_of(n, rng)]]
    statement = (update(t.ideas).where(t.ideas.c.id == bindparam("key"))
                 .values(title=bindparam("new_title"), problem=bindparam("new_problem"),
                         visibility="shared"))
    async with engine.begin() as connection:
        for start in range(0, len(rows), 2000):
            await connection.execute(statement, rows[start:start + 2000])


async def measure(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    from bot.app import build_services
    from bot.domain.identity import Caller
    from bot.domain.intake import Draft, Step
    from bot.domain.requests import within_intake
    from bot.matching.index import MatchIndex
    from bot.presenters.intake import IntakeFlow
    from bot.presenters.suggesting import Suggestions
    from storage.engine import make_engine

    now = datetime.fromisoformat(NOW).replace(tzinfo=UTC)
    engine = make_engine(database_url)
    await seed_ideas(engine, args.ideas, 12, args.seed, now)
    await share_and_retitle(engine, args.ideas, args.seed)
    await analyze(engine)
    ranker = MatchIndex(use_model=args.model == "on")
    await ranker.start()
    services = build_services(engine, FixedClock(now), ranker=ranker)
    started = time.perf_counter()
    await services.similar.warm_up()
    indexed = time.perf_counter() - started
    flows = {"with": IntakeFlow(services.ideas, Suggestions(
                 services.similar, services.supporters, wait=args.wait)),
             "without": IntakeFlow(services.ideas)}
    times: dict[str, list[float]] = {"with": [], "without": []}
    shown = 0
    rng = random.Random(args.seed + 1)
    for turn in range(args.turns):
        for name in (("with", "without") if turn % 2 else ("without", "with")):
            caller = Caller(f"20000000-0000-0000-0000-{turn:06d}{len(name):06d}",
                            "Bench Writer", TENANT)
            await services.ideas.new_draft(caller.object_id, Draft(
                title=f"{rng.choice(TITLES)} for {rng.choice(PLACES) or 'everyone'}",
                step=Step.PROBLEM, revision=1))
            problem = " ".join(rng.sample(PROBLEMS, 2))
            begun = time.perf_counter()
            outcome = await flows[name].handle(caller, within_intake(problem))
            times[name].append(time.perf_counter() - begun)
            shown += name == "with" and len(outcome.cards) == 2
    await engine.dispose()
    return {"ideas": args.ideas, "model": args.model, "wait_s": args.wait,
            "indexed_s": round(indexed, 1),
            "turns": args.turns, "with_suggestions": shown,
            **{name: figures(values) for name, values in times.items()}}


def figures(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100)
    return {"p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(cuts[94] * 1000, 1), "p99_ms": round(cuts[98] * 1000, 1)}


async def main() -> int:
    from harness import database_options

    from bot.presenters.suggesting import SEARCH_WAIT

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    database_options(parser)
    parser.add_argument("--ideas", type=int, default=20_000)
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--model", choices=("on", "off"), default="off")
    parser.add_argument("--wait", type=float, default=SEARCH_WAIT,
                        help="seconds a turn waits for the search (production: %(default)s; "
                             "a long wait measures the search itself)")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    honest = True
    for result in await on_each_database(args, "iip-bench-suggestions",
                                         lambda url: measure(url, args)):
        if "with" not in result:
            print(f"{result['database']}: {result}")
            honest = honest and "skipped" in result
            continue
        extra = {key: round(result["with"][key] - result["without"][key], 1)
                 for key in result["with"]}
        print(f"{result['database']}: {result['ideas']:,} shared ideas, model {result['model']}"
              f" (indexed in {result['indexed_s']} s); {result['turns']} problem turns each, "
              f"waiting up to {result['wait_s']} s; {result['with_suggestions']} brought "
              "similar ideas")
        for name in ("without", "with"):
            print(f"  {name:<8} p50 {result[name]['p50_ms']:>7} ms   p95 "
                  f"{result[name]['p95_ms']:>7} ms   p99 {result[name]['p99_ms']:>7} ms")
        print(f"  added    p50 {extra['p50_ms']:>7} ms   p95 {extra['p95_ms']:>7} ms   "
              f"p99 {extra['p99_ms']:>7} ms")
        honest = honest and result["with_suggestions"] > 0
    return 0 if honest else 1


if __name__ == "__main__":
    sys.exit(run_to_the_end(main()))
