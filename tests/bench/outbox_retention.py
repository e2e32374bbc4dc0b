"""What a worker's claim costs with a year of sent messages in the outbox, and after the
retention run that bounds it.

    .venv/bin/python tests/bench/outbox_retention.py                     # both databases
    .venv/bin/python tests/bench/outbox_retention.py --database postgresql --sent 1000000

Each database is seeded, with bulk inserts through storage/tables.py, with what a claim must
choose from: 6,000 due messages over 3,000 chats, 100 held by another worker, 20 put back for
a retry. The baseline is the claim on that outbox alone (no sent rows), measured in the same
run on the same database. Then `--sent` sent messages are added, each with a card of about a
kilobyte, sent 401 to 450 days ago (an outbox never purged), and the claim is measured again;
then the retention run (bot.services.retention, the default periods) empties and deletes them
in its bounded batches, and the claim is measured a third time, and a fourth after what
autovacuum would do next (VACUUM ANALYZE on PostgreSQL, whose deleted rows stay in the table
until then). Each claim's median over `--rounds` is reported, as a ratio to the baseline,
with the retention run's time and its batches' mean length (the longest any one transaction
holds its locks, near enough).

The target: a claim with the sent rows within 2x of the baseline (the outbox's indexes keep
sent rows out of a claim's way), and once vacuumed after retention within 1.2x.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta

from harness import DatabaseUnavailable, fresh_database, put_project_on_path

put_project_on_path()

BATCH = 100
CHATS = 3000
CARD = {"type": "AdaptiveCard", "version": "1.5",
        "body": [{"type": "TextBlock", "text": "x" * 900, "wrap": True}]}
TARGET_FULL, TARGET_AFTER = 2.0, 1.2


def waiting_rows(due: int, now: datetime) -> list[dict]:
    def row(n: int, state: str, **extra: object) -> dict:
        return {"kind": "status", "dedupe_key": f"due{n}", "conversation_id": f"a:{n % CHATS}",
                "summary": "s", "fallback_text": "f", "card": {}, "state": state,
                "not_before": now - timedelta(minutes=1), "created_at": now,
                "due_at": now - timedelta(minutes=1), "attempts": 0, "lease_owner": None,
                "leased_until": None, **extra}

    rows = [row(n, "sending", lease_owner="other-worker", leased_until=now + timedelta(minutes=2))
            for n in range(100)]
    rows += [row(100 + n, "pending", attempts=1, not_before=now + timedelta(minutes=5))
             for n in range(20)]
    return rows + [row(120 + n, "pending") for n in range(due)]


def sent_rows(start: int, count: int, total: int, now: datetime) -> list[dict]:
    rows = []
    for n in range(start, start + count):
        at = now - timedelta(days=401) - timedelta(days=49) * n / max(1, total)
        rows.append({"kind": "notice", "dedupe_key": f"sent{n}",
                     "conversation_id": f"a:{n % CHATS}", "summary": "a sent message",
                     "fallback_text": "a sent message", "card": CARD, "state": "sent",
                     "not_before": at, "created_at": at, "due_at": at, "sent_at": at,
                     "attempts": 1, "sent_conversation_id": f"a:{n % CHATS}",
                     "activity_id": f"activity-{n}"})
    return rows


async def claim_ms(engine, now: datetime, rounds: int) -> float:
    """The median milliseconds of a claim of BATCH, each put back after."""
    from sqlalchemy import update

    from bot.domain.outbox import DeliveryState
    from storage import tables
    from storage.engine import connect
    from storage.outbox import SqlOutboxQueue

    queue, times = SqlOutboxQueue(engine), []
    for _ in range(rounds):
        started = time.perf_counter()
        claimed = await queue.claim("this-worker", now, BATCH, timedelta(minutes=2))
        times.append(time.perf_counter() - started)
        assert len(claimed) == BATCH, len(claimed)
        async with connect(engine, begin=True) as connection:
            await connection.execute(
                update(tables.outbox).where(tables.outbox.c.lease_owner == "this-worker")
                .values(state=DeliveryState.PENDING.value, lease_owner=None,
                        leased_until=None))
    return 1000 * statistics.median(times)


async def measure(url: str, args: argparse.Namespace) -> dict[str, float]:
    from sqlalchemy import insert, text

    from bot.domain.retention import RetentionPolicy
    from bot.services.retention import Retention
    from storage import tables
    from storage.engine import connect, make_engine
    from storage.migrate import upgrade
    from storage.retention import SqlRetention
    from storage.uow import unit_of_work_factory

    class Clock:
        def now(self) -> datetime:
            return now

    engine = make_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        async with connect(engine, begin=True) as connection:
            await connection.execute(insert(tables.outbox), waiting_rows(args.due, now))
        async with connect(engine, begin=True) as connection:
            await connection.execute(text("ANALYZE"))
        figures = {"empty": await claim_ms(engine, now, args.rounds)}
        chunk = 5000
        for start in range(0, args.sent, chunk):
            async with connect(engine, begin=True) as connection:
                await connection.execute(insert(tables.outbox),
                                         sent_rows(start, min(chunk, args.sent - start),
                                                   args.sent, now))
        async with connect(engine, begin=True) as connection:
            await connection.execute(text("ANALYZE"))
        figures["full"] = await claim_ms(engine, now, args.rounds)
        policy = RetentionPolicy()
        started = time.perf_counter()
        counts = await Retention(SqlRetention(engine), unit_of_work_factory(engine), Clock(),
                                 policy).run()
        figures["retention_s"] = time.perf_counter() - started
        batches = (counts.sent_payloads + counts.outbox_rows) / policy.batch
        figures["batch_ms"] = 1000 * figures["retention_s"] / max(1.0, batches)
        figures["deleted"] = counts.outbox_rows
        async with connect(engine, begin=True) as connection:
            await connection.execute(text("ANALYZE"))
        figures["after"] = await claim_ms(engine, now, args.rounds)
        # What autovacuum would do next (PostgreSQL keeps deleted rows until it does).
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE" if "postgresql" in url
                                          else "ANALYZE"))
        figures["vacuumed"] = await claim_ms(engine, now, args.rounds)
        return figures
    finally:
        await engine.dispose()


async def main(args: argparse.Namespace) -> int:
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    failed = False
    print(f"{args.due:,} due over {CHATS:,} chats, 100 held, 20 waiting for a retry; "
          f"{args.sent:,} sent rows; a claim of {BATCH}, median of {args.rounds}\n")
    print(f"{'database':<12}{'empty ms':>9}{'sent ms':>9}{'ratio':>7}{'after ms':>10}"
          f"{'ratio':>7}{'vacuumed ms':>13}{'ratio':>7}{'retention s':>13}{'batch ms':>10}"
          "  verdict")
    for database in databases:
        try:
            async with fresh_database(database, "iip_bench_retention") as url:
                f = await measure(url, args)
        except DatabaseUnavailable as why:
            print(f"{database:<12}skipped: PostgreSQL is unreachable ({why})")
            failed = True
            continue
        full, after = f["full"] / f["empty"], f["after"] / f["empty"]
        vacuumed = f["vacuumed"] / f["empty"]
        verdict = "PASS" if full < TARGET_FULL and vacuumed < TARGET_AFTER else "FAIL"
        failed |= verdict == "FAIL" or f["deleted"] != args.sent
        print(f"{database:<12}{f['empty']:>9.1f}{f['full']:>9.1f}{full:>6.2f}x"
              f"{f['after']:>10.1f}{after:>6.2f}x{f['vacuumed']:>13.1f}{vacuumed:>6.2f}x"
              f"{f['retention_s']:>13.1f}"
              f"{f['batch_ms']:>10.1f}  {verdict} ({f['deleted']:,.0f} rows deleted)")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--sent", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=6_000)
    parser.add_argument("--rounds", type=int, default=11)
    raise SystemExit(asyncio.run(main(parser.parse_args())))
