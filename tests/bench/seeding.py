"""Ideas seeded in bulk for the benchmarks that read many of them (jobs.py, reports.py): an
organisation of portfolios with SPOCs, deputies, the PMO and a sponsor, and `ideas` ideas
submitted evenly over the 24 months before a moment, in every status (the older ones mostly
decided, the newer ones mostly waiting), each with its two-month promise and first response
(kept, late, unreachable, none), deferred ideas with revisit days, and their history:
allocations, approvals, deliveries, declines, deferrals, questions (some answered) and
withdrawals. Inserted through storage/tables.py, a few thousand rows a statement. And what
those benchmarks share: their arguments, a fresh database of each kind to seed and measure,
and wall times.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from harness import DatabaseUnavailable, database_options, fresh_database

PMO = [f"00000000-0000-0000-0000-{n:012d}" for n in range(1, 4)]
SPONSOR = "00000000-0000-0000-0000-000000000099"
MONTHS = 24
NOW = "2027-01-20T09:30"  # a Wednesday morning, after the PMO's digest time


def spoc(n: int) -> str:
    return f"00000000-0000-0000-0001-{n:012d}"


def deputy(n: int) -> str:
    return f"00000000-0000-0000-0002-{n:012d}"


def organisation_data(portfolios: int) -> dict[str, Any]:
    people = [{"object_id": oid, "name": f"PMO {n}"} for n, oid in enumerate(PMO, 1)]
    people += [{"object_id": SPONSOR, "name": "Sponsor"}]
    people += [{"object_id": spoc(n), "name": f"SPOC {n}"} for n in range(portfolios)]
    people += [{"object_id": deputy(n), "name": f"Deputy {n}"} for n in range(portfolios)]
    return {
        "pmo": {"members": PMO, "contact": "iip.pmo@example.police.uk"},
        "settings": {"executive_sponsor": SPONSOR},
        "people": people,
        "portfolios": [{"key": f"p{n:02d}", "name": f"Portfolio {n}", "spocs": [spoc(n)],
                        "deputies": [deputy(n)]} for n in range(portfolios)],
        "categories": [{"key": "process", "name": "Process improvement"}],
    }


DECIDED = [("approved", 18), ("declined", 55), ("deferred", 8), ("withdrawn", 2),
           ("delivered", 12), ("escalated", 1), ("business_assessment", 1)]
RECENT = [("business_assessment", 60), ("submitted", 8), ("escalated", 6), ("approved", 8),
          ("declined", 14), ("deferred", 3), ("withdrawn", 1)]


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def idea_rows(ideas: int, portfolios: int, now: datetime,
              rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ideas and their history: submitted evenly over the months before `now`; those of
    the last three months mostly waiting, the older ones mostly decided."""
    from bot.domain.ideas import update_due

    span = timedelta(days=MONTHS * 30.4)
    rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for number in range(1, ideas + 1):
        submitted = now - span + span * (number / (ideas + 1))
        age = now - submitted
        statuses = RECENT if age < timedelta(days=90) else DECIDED
        status = rng.choices([s for s, _ in statuses], [w for _, w in statuses])[0]
        if age < timedelta(days=6) and rng.random() < 0.6:
            status = "submitted"
        due = update_due(submitted)
        reference = f"IIP-{submitted.year}-{number:06d}"
        contributor = f"10000000-0000-0000-0000-{number % 5000:012d}"
        first_response = None
        unreachable = False
        decided_at = None
        if status not in ("submitted", "business_assessment", "escalated") or rng.random() < 0.1:
            # Answered: mostly in time, some late, a few to someone who could not be reached.
            late = rng.random() < 0.12
            days = rng.uniform(61, 90) if late else rng.uniform(2, 58)
            decided_at = min(submitted + timedelta(days=days), now - timedelta(hours=1))
            first_response = decided_at
            unreachable = rng.random() < 0.03
        portfolio = number % portfolios
        rows.append({
            "id": number, "reference": reference, "contributor_object_id": contributor,
            "contributor_name": f"Contributor {number % 5000}", "title": f"Idea {number}",
            "problem": "What is wrong today " * 5, "proposal": "What to do instead " * 5,
            "benefit": "What it saves " * 3, "category_key": "process",
            "portfolio_key": f"p{portfolio:02d}", "named_publicly": number % 3 == 0,
            "status": status, "decline_reason": "not_viable" if status == "declined" else None,
            "version": 1 if status == "submitted" else 3, "submitted_at": submitted,
            "updated_at": decided_at or submitted, "submission_key": f"bench-{number}",
            "department": "prefer_not", "function": "prefer_not", "location": "prefer_not",
            "grade": "prefer_not", "role_type": "prefer_not",
            "revisit_on": (now + timedelta(days=rng.randint(-20, 180))).date()
            if status == "deferred" else None,
            "sla_due_on": due, "first_response_at": first_response,
            "first_response_unreachable": unreachable,
        })

        def event(action: str, at: datetime, before: str | None, after: str,
                  actor: str = PMO[0], idea: int = number) -> None:
            history.append({"idea_id": idea, "at": at, "actor": actor, "action": action,
                            "from_status": before, "to_status": after})

        event("submitted", submitted, None, "submitted", contributor)
        if status == "submitted":
            continue
        allocated = submitted + timedelta(days=min(3, age.days / 2))
        event("allocate", allocated, "submitted", "business_assessment")
        if status in ("business_assessment", "escalated") and rng.random() < 0.15:
            asked = submitted + timedelta(days=rng.uniform(4, max(5, age.days - 1)))
            event("ask", asked, "business_assessment", "business_assessment", spoc(portfolio))
            if rng.random() < 0.5:
                event("answered", asked + timedelta(days=rng.uniform(0.1, 20)),
                      "business_assessment", "business_assessment", contributor)
        if status in ("approved", "delivered") and decided_at:
            event("approve", decided_at, "business_assessment", "approved", spoc(portfolio))
            if status == "delivered":
                event("deliver", decided_at + timedelta(days=30), "approved", "delivered")
        elif status in ("declined", "deferred") and decided_at:
            move = "decline" if status == "declined" else "defer"
            event(move, decided_at, "business_assessment", status, spoc(portfolio))
        elif status == "withdrawn":
            event("withdrawn", submitted + timedelta(days=min(10, age.days / 2)),
                  "business_assessment", "withdrawn", contributor)
        elif status == "escalated":  # its history says so too, for reports rebuilding it
            event("escalate", decided_at or allocated + (now - allocated) / 2,
                  "business_assessment", "escalated", spoc(portfolio))
    return rows, history


async def seed_ideas(engine: Any, ideas: int, portfolios: int, seed: int,
                     now: datetime) -> None:
    """Migrate `engine`'s database, load the organisation, insert the ideas and their
    history (the same for the same `seed`)."""
    from sqlalchemy import insert

    from bot.domain.organisation import parse_organisation
    from bot.services.organisation import OrganisationService
    from storage import tables as t
    from storage.migrate import upgrade
    from storage.uow import unit_of_work_factory

    await upgrade(engine)
    earlier = now - timedelta(days=MONTHS * 31)
    await OrganisationService(unit_of_work_factory(engine), FixedClock(earlier)).replace(
        parse_organisation(organisation_data(portfolios)), "bench")
    rows, history = idea_rows(ideas, portfolios, now, random.Random(seed))
    async with engine.begin() as connection:
        for table, batch in ((t.ideas, rows), (t.idea_history, history)):
            for start in range(0, len(batch), 2000):
                await connection.execute(insert(table), batch[start:start + 2000])
        await connection.execute(insert(t.reference_counters), [
            {"year": year, "last_number": ideas} for year in range(2024, 2028)])
        if engine.dialect.name == "postgresql":
            await connection.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('ideas', 'id'), (SELECT max(id) FROM ideas))")


async def analyze(engine: Any) -> None:
    """The statistics the planner would have in use (PostgreSQL's autovacuum keeps them)."""
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.exec_driver_sql("ANALYZE")
        await connection.commit()


async def approved_count(engine: Any) -> int:
    """The baseline a benchmark measures beside its figures: an indexed count(*) of the ideas
    in one status."""
    from sqlalchemy import func, select

    from storage import tables as t

    async with engine.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(t.ideas)
                                       .where(t.ideas.c.status == "approved")) or 0


def seeding_arguments(parser: argparse.ArgumentParser, now_help: str) -> None:
    """The arguments of a benchmark on seeded ideas: which databases (and PostgreSQL's admin
    URL), how many ideas and
    portfolios, the measured moment, how many repetitions, the random seed."""
    database_options(parser)
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--portfolios", type=int, default=12)
    parser.add_argument("--now", default=NOW, help=now_help)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)


async def on_each_database(args: argparse.Namespace, prefix: str,
                           work: Callable[[str], Awaitable[dict[str, Any]]]
                           ) -> list[dict[str, Any]]:
    """`work` on a fresh database of each kind `--database` names (a SQLite file in a
    temporary folder, a PostgreSQL database dropped after): its results, or why there are
    none (PostgreSQL unreachable, an error), each with its "database"; all printed as JSON on
    stderr."""
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = []
    with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as folder:
        for kind in kinds:
            print(f"{kind}: seeding {args.ideas:,} ideas...", file=sys.stderr, flush=True)
            results.append({"database": kind, **await _on_one(
                kind, Path(folder), prefix, args.postgres_url, work)})
    print(json.dumps(results, default=str), file=sys.stderr)
    return results


async def _on_one(kind: str, folder: Path, prefix: str, admin_url: str,
                  work: Callable[[str], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    try:
        async with fresh_database(kind, prefix.replace("-", "_"), folder=folder,
                                  admin_url=admin_url) as database_url:
            return await work(database_url)
    except DatabaseUnavailable as unavailable:
        return {"skipped": str(unavailable)}
    except Exception as error:
        import traceback

        traceback.print_exc()
        return {"error": f"{type(error).__name__}: {error}"}


async def timed(repeat: int, work: Callable[[], Awaitable[Any]],
                between: Callable[[], Awaitable[Any]] | None = None) -> tuple[list[float], Any]:
    """`work` `repeat` times: the wall times, and what it returned last."""
    times: list[float] = []
    result = None
    for n in range(repeat):
        if between is not None and n:
            await between()
        started = time.perf_counter()
        result = await work()
        times.append(time.perf_counter() - started)
    return times, result
