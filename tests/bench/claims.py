"""What it costs a worker to claim its next batch from a large outbox.

    .venv/bin/python tests/bench/claims.py                      # SQLite and PostgreSQL
    .venv/bin/python tests/bench/claims.py --database sqlite --due 20000

The outbox is seeded, with bulk inserts through storage/tables.py, as after a busy day: 50,000
sent messages, 6,000 due (as a decision burst or a campaign leaves them, spread over 3,000
chats), 100 held by another worker and 20 put back for a retry. Then a worker claims 100, the
messages are put back, and again, `--rounds` times; the median is reported.

The baseline, in the same run and on the same rows, is the bare choice a claim cannot do
without: the ids of the first 100 due rows in queue order. The claim adds to it rows whose
lease ran out (which costs a sort of every due row: the two states cannot share one index
order), the checks that keep each chat's order (no chat another worker holds or one waiting
for a retry), the lock that makes claims take turns on PostgreSQL, and the update that marks
the rows as the worker's own. The ratio is reported; the target is that a claim takes under
5% of the time its batch then takes to send at Teams' ceiling (100 at 50 a second: 2 s).
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
SEND_SECONDS = BATCH / 50  # the batch's sending time at the tenant ceiling
TARGET_SHARE = 0.05


def seed_rows(sent: int, due: int, held: int, put_back: int, now: datetime) -> list[dict]:
    def row(n: int, state: str, **extra: object) -> dict:
        return {"kind": "status", "dedupe_key": f"m{n}", "conversation_id": f"a:{n % 3000}",
                "summary": "s", "fallback_text": "f", "card": {}, "state": state,
                "not_before": now - timedelta(minutes=1), "created_at": now,
                "due_at": now - timedelta(minutes=1), "attempts": 0, "lease_owner": None,
                "leased_until": None, **extra}

    rows = [row(n, "sent") for n in range(sent)]
    rows += [row(sent + n, "sending", lease_owner="other-worker",
                 leased_until=now + timedelta(minutes=2)) for n in range(held)]
    rows += [row(sent + held + n, "pending", attempts=1,
                 not_before=now + timedelta(minutes=5)) for n in range(put_back)]
    rows += [row(sent + held + put_back + n, "pending") for n in range(due)]
    return rows


async def measure(url: str, args: argparse.Namespace) -> tuple[float, float]:
    """Median milliseconds of (the bare choice, a claim)."""
    from sqlalchemy import insert, select, update

    from bot.domain.outbox import DeliveryState
    from storage import tables
    from storage.engine import connect, make_engine
    from storage.migrate import upgrade
    from storage.outbox import SqlOutboxQueue

    outbox = tables.outbox
    engine = make_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        rows = seed_rows(args.sent, args.due, 100, 20, now)
        async with connect(engine, begin=True) as connection:
            for start in range(0, len(rows), 2000):
                await connection.execute(insert(outbox), rows[start:start + 2000])
        bare = (select(outbox.c.id)
                .where(outbox.c.state == DeliveryState.PENDING.value,
                       outbox.c.not_before <= now)
                .order_by(outbox.c.not_before, outbox.c.id).limit(BATCH))
        queue = SqlOutboxQueue(engine)
        choosing, claiming = [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            async with connect(engine) as connection:
                chosen = (await connection.execute(bare)).scalars().all()
            choosing.append(time.perf_counter() - started)
            started = time.perf_counter()
            claimed = await queue.claim("this-worker", now, BATCH, timedelta(minutes=2))
            claiming.append(time.perf_counter() - started)
            assert len(chosen) == len(claimed) == BATCH, (len(chosen), len(claimed))
            async with connect(engine, begin=True) as connection:  # put them back
                await connection.execute(
                    update(outbox).where(outbox.c.lease_owner == "this-worker")
                    .values(state=DeliveryState.PENDING.value, lease_owner=None,
                            leased_until=None))
        return 1000 * statistics.median(choosing), 1000 * statistics.median(claiming)
    finally:
        await engine.dispose()


async def main(args: argparse.Namespace) -> int:
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    failed = False
    print(f"{args.sent:,} sent, {args.due:,} due, 100 held by another worker, 20 waiting "
          f"for a retry; a batch of {BATCH}, median of {args.rounds} rounds\n")
    print(f"{'database':<12}{'bare choice ms':>16}{'claim ms':>10}{'ratio':>8}"
          f"{'of sending':>12}  verdict")
    for database in databases:
        try:
            async with fresh_database(database, "iip_bench_claims") as url:
                bare, claim = await measure(url, args)
        except DatabaseUnavailable as why:
            print(f"{database:<12}skipped: PostgreSQL is unreachable ({why})")
            failed = True
            continue
        share = claim / 1000 / SEND_SECONDS
        verdict = "PASS" if share < TARGET_SHARE else "FAIL"
        failed |= verdict == "FAIL"
        print(f"{database:<12}{bare:>16.1f}{claim:>10.1f}{claim / bare:>7.1f}x"
              f"{share:>11.1%}  {verdict} (a claim under {TARGET_SHARE:.0%} of its batch's "
              f"{SEND_SECONDS:.0f} s of sending)")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--sent", type=int, default=50_000)
    parser.add_argument("--due", type=int, default=6_000)
    parser.add_argument("--rounds", type=int, default=21)
    raise SystemExit(asyncio.run(main(parser.parse_args())))
