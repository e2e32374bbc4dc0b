"""What a subject access export and an erasure cost on a busy portal.

    .venv/bin/python tests/bench/erasure.py                         # SQLite and PostgreSQL
    .venv/bin/python tests/bench/erasure.py --database postgresql --outbox 500000

The database is seeded as seeding.py seeds it (100,000 ideas and their history by default),
with an outbox of `--outbox` sent messages, each a card of about 1 KB naming its idea's
contributor; the person (one of the seeded contributors, with about 20 ideas) is named in
their cards. Then the person's export is made (`--repeat` times, the median reported) and the
person erased, once: erasure searches every text that may name them, so its cost grows with
the outbox, which retention is to bound.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from harness import put_project_on_path
from seeding import on_each_database, seed_ideas, seeding_arguments

put_project_on_path()

PERSON = "10000000-0000-0000-0000-000000000042"
NAME = "Quentin Zebedee-Marlowe"


def outbox_rows(count: int, ideas: int, now: datetime) -> list[dict[str, Any]]:
    """Sent messages about the seeded ideas, each naming its contributor (the person by name
    in theirs), a message in 5,000 to the person."""
    rows = []
    for n in range(count):
        number = n % ideas + 1
        contributor = f"10000000-0000-0000-0000-{number % 5000:012d}"
        name = NAME if contributor == PERSON else f"Colleague {number % 5000}"
        text = f"IIP-2026-{number:06d} from {name}: " + "a suggestion about paperwork " * 20
        rows.append({
            "kind": "status", "dedupe_key": f"m{n}", "conversation_id": f"a:{n % 3000}",
            "object_id": PERSON if n % 5000 == 0 else None,
            "summary": text[:120], "fallback_text": text,
            "card": {"type": "AdaptiveCard", "version": "1.5",
                     "body": [{"type": "TextBlock", "text": text, "wrap": True}]},
            "state": "sent", "not_before": now, "created_at": now, "due_at": now,
            "sent_at": now, "attempts": 1})
    return rows


async def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    from seeding import analyze
    from sqlalchemy import insert, update

    from bot.services.clock import SystemClock
    from bot.services.data_protection import DataProtection
    from storage import tables
    from storage.engine import make_engine
    from storage.uow import unit_of_work_factory

    now = datetime.fromisoformat(args.now).replace(tzinfo=UTC)
    engine = make_engine(url)
    try:
        await seed_ideas(engine, args.ideas, args.portfolios, args.seed, now)
        rows = outbox_rows(args.outbox, args.ideas, now)
        async with engine.begin() as connection:
            await connection.execute(update(tables.ideas).where(
                tables.ideas.c.contributor_object_id == PERSON).values(contributor_name=NAME))
            for start in range(0, len(rows), 2000):
                await connection.execute(insert(tables.outbox), rows[start:start + 2000])
        await analyze(engine)
        service = DataProtection(unit_of_work_factory(engine), SystemClock())
        exports = []
        document: dict[str, Any] = {}
        for _ in range(args.repeat):
            started = time.perf_counter()
            document = await service.export(PERSON)
            exports.append(time.perf_counter() - started)
        started = time.perf_counter()
        erased = await service.erase(PERSON, "bench")
        erasing = time.perf_counter() - started
        return {"export_ms": round(1000 * statistics.median(exports)),
                "erase_ms": round(1000 * erasing), "ideas_of_person": len(document["ideas"]),
                "mentions_found": len(document["mentions"]),
                "messages_to_person": len(document["messages"]),
                "rows_changed": sum(erased.changed.values())}
    finally:
        await engine.dispose()


async def main(args: argparse.Namespace) -> int:
    results = await on_each_database(args, "iip-bench-erasure",
                                     lambda url: measure(url, args))
    print(f"{args.ideas:,} ideas, {args.outbox:,} sent messages of about 1 KB\n")
    print(f"{'database':<12}{'export ms':>10}{'erase ms':>10}{'ideas':>7}{'mentions':>10}"
          f"{'to them':>9}{'rows changed':>14}")
    failed = False
    for result in results:
        if "export_ms" not in result:
            print(f"{result['database']:<12}{result}")
            failed = True
            continue
        print(f"{result['database']:<12}{result['export_ms']:>10,}{result['erase_ms']:>10,}"
              f"{result['ideas_of_person']:>7}{result['mentions_found']:>10,}"
              f"{result['messages_to_person']:>9}{result['rows_changed']:>14,}")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    seeding_arguments(parser, "the moment the ideas were seeded up to (UTC)")
    parser.add_argument("--outbox", type=int, default=200_000)
    raise SystemExit(asyncio.run(main(parser.parse_args())))
