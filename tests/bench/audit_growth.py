"""How fast the audit log grows: rows and bytes per idea and per decision, on PostgreSQL.

    .venv/bin/python tests/bench/audit_growth.py               # 200 ideas
    .venv/bin/python tests/bench/audit_growth.py --ideas 500

The audit log is the force's record for FOI requests and complaints, and retention never
purges it; this says what it costs to keep. On a fresh database with the demo organisation,
`--ideas` ideas are submitted through the real services, each then decided as most are: the
PMO allocates it, its SPOC sends an update, then approves, and it is delivered (every fifth
is declined at triage instead). The audit rows each step adds are counted, and the table's
size on disk (heap, TOAST and indexes, after VACUUM) is divided by its rows. It prints rows
per idea, per decision, bytes per row, and what a year costs at a given number of ideas.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

from harness import POSTGRES_ADMIN_URL, fresh_database, put_project_on_path  # noqa: E402

put_project_on_path()

from sqlalchemy import func, select, text  # noqa: E402
from support.decisions import load_demo_organisation, submit_idea  # noqa: E402
from support.promises import move  # noqa: E402

from bot.app import build_services  # noqa: E402
from bot.domain.lifecycle import Move  # noqa: E402
from bot.services.clock import SystemClock  # noqa: E402
from storage import tables  # noqa: E402
from storage.engine import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

# The life most ideas have; every fifth is declined at triage instead.
LIFE = (Move.ALLOCATE, Move.UPDATE, Move.APPROVE, Move.DELIVER)


async def measure(url: str, ideas: int, per_year: int) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
        services = build_services(engine, SystemClock())
        await load_demo_organisation(services)
        submitting = deciding = decisions = 0
        for n in range(ideas):
            before = await _rows(engine)
            idea = await submit_idea(services, f"Idea number {n} about the custody suite")
            submitted = await _rows(engine)
            for step in ((Move.DECLINE_AT_TRIAGE,) if n % 5 == 4 else LIFE):
                idea = await move(services, idea, step)
                decisions += 1
            submitting += submitted - before
            deciding += await _rows(engine) - submitted
        async with engine.connect() as connection:
            actions = Counter(dict((await connection.execute(
                select(tables.audit_log.c.action, func.count())
                .group_by(tables.audit_log.c.action))).all()))
        total = await _rows(engine)
        size = await _bytes(engine)
    finally:
        await engine.dispose()
    rows = submitting + deciding
    per_row = size / max(1, total)
    print(f"{ideas} ideas, {decisions} decisions: {rows:,} audit rows, "
          f"{rows / ideas:.1f} an idea ({submitting / ideas:.1f} its submission, "
          f"{deciding / decisions:.2f} a decision)")
    print(f"  by action: {dict(actions.most_common())}")
    print(f"  {per_row:,.0f} bytes a row on disk (heap, TOAST and indexes)")
    print(f"  a year of {per_year:,} ideas: {per_year * rows / ideas:,.0f} rows, "
          f"{per_year * rows / ideas * per_row / 1e6:,.1f} MB")


async def _rows(engine) -> int:
    async with engine.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(tables.audit_log)) or 0


async def _bytes(engine) -> int:
    async with engine.connect() as connection:
        await connection.commit()
        raw = await connection.get_raw_connection()
        await raw.driver_connection.execute("VACUUM ANALYZE audit_log")  # type: ignore[union-attr]
        return await connection.scalar(text("SELECT pg_total_relation_size('audit_log')")) or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=200)
    parser.add_argument("--per-year", type=int, default=2000,
                        help="ideas a year, for the year's cost (default 2,000)")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL,
                        help="an admin URL; a fresh database is made next to it and dropped")
    args = parser.parse_args()

    async def run() -> None:
        async with fresh_database("postgresql", "iip_audit", admin_url=args.postgres_url) as url:
            await measure(url, args.ideas, args.per_year)

    asyncio.run(run())


if __name__ == "__main__":
    main()
