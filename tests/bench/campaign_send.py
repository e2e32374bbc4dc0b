"""How long sending a campaign to the whole force takes to queue: `CampaignService.send` for
an audience of everyone, 12,000 people with the app, in its one transaction.

    .venv/bin/python tests/bench/campaign_send.py                     # SQLite and PostgreSQL
    .venv/bin/python tests/bench/campaign_send.py --people 20000 --database sqlite

Each round is a fresh campaign on the same database, so the outbox grows by one broadcast a
round as it would over a year of campaigns. It reports the median and slowest send, and the
audience's own read (the distinct people with the app, one query) apart. The baseline in the
same run is the bare insert of as many outbox rows of the same card in one statement: what
queueing cannot do without. The target: queueing takes under 5% of the 240 s that sending
12,000 messages takes at Teams' ceiling of 50 a second.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta

from harness import DatabaseUnavailable, fresh_database, put_project_on_path

put_project_on_path()

TENANT = "tenant-bench"
TARGET_SHARE = 0.05


async def measure(url: str, args: argparse.Namespace) -> dict[str, float]:
    """Median and slowest milliseconds of a send; median of the audience read and of the bare
    insert."""
    from sqlalchemy import insert

    from bot.app import build_services
    from bot.domain.campaigns import Audience, AudienceKind, CampaignRequest
    from bot.domain.ideas import uk_day
    from bot.services.clock import SystemClock
    from cards.campaign_call import call_card
    from storage import tables
    from storage.engine import connect, make_engine
    from storage.migrate import upgrade
    from storage.uow import SqlUnitOfWork

    engine = make_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        addresses = [{
            "conversation_id": f"a:{n}", "kind": "personal",
            "service_url": "https://smba.trafficmanager.net/uk/", "tenant_id": TENANT,
            "bot_id": "28:bot", "channel_id": "msteams",
            "object_id": f"00000000-0000-4000-8000-{n:012d}", "user_id": f"29:{n}",
            "first_seen_at": now, "last_seen_at": now} for n in range(args.people)]
        async with connect(engine, begin=True) as connection:
            for start in range(0, len(addresses), 2000):
                await connection.execute(insert(tables.conversation_addresses),
                                         addresses[start:start + 2000])
        campaigns = build_services(engine, SystemClock()).campaigns
        today = uk_day(now)
        request = CampaignRequest(
            name="Artificial intelligence", theme="Where AI could save officers time",
            description="Which tasks take you longest at a keyboard? " * 40,
            opens=today, closes=today + timedelta(days=30),
            audience=Audience(AudienceKind.EVERYONE),
            questions=("Which system would it work with?", "Who would it help most?"))
        sends, reads, bare = [], [], []
        for round_ in range(args.rounds):
            campaign = await campaigns.create(request, "system:bench")
            started = time.perf_counter()
            sent = await campaigns.send(campaign.id, "system:bench", tenant_id=TENANT)
            sends.append(time.perf_counter() - started)
            assert sent.recipients == args.people, sent.recipients
            started = time.perf_counter()
            async with SqlUnitOfWork(engine) as uow:
                assert len(await uow.addresses.people_with_app()) == args.people
            reads.append(time.perf_counter() - started)
            card = call_card(campaign)
            rows = [{"kind": "campaign", "dedupe_key": f"bare:{round_}:{n}",
                     "object_id": a["object_id"], "tenant_id": TENANT,
                     "summary": card.summary, "fallback_text": card.fallback_text,
                     "card": card.card, "state": "pending", "not_before": now,
                     "created_at": now, "due_at": now, "attempts": 0,
                     "batch": f"bare:{round_}"} for n, a in enumerate(addresses)]
            started = time.perf_counter()
            async with connect(engine, begin=True) as connection:
                await connection.execute(insert(tables.outbox), rows)
            bare.append(time.perf_counter() - started)
        return {"send": 1000 * statistics.median(sends), "slowest": 1000 * max(sends),
                "read": 1000 * statistics.median(reads), "bare": 1000 * statistics.median(bare)}
    finally:
        await engine.dispose()


async def main(args: argparse.Namespace) -> int:
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    sending_seconds = args.people / 50
    failed = False
    print(f"{args.people:,} people with the app; median of {args.rounds} sends, each a new "
          f"campaign to everyone (sending them takes {sending_seconds:.0f} s at 50/s)\n")
    print(f"{'database':<12}{'send ms':>9}{'slowest':>9}{'audience read':>15}"
          f"{'bare insert':>13}{'ratio':>7}{'of sending':>12}  verdict")
    for database in databases:
        try:
            async with fresh_database(database, "iip_bench_campaign") as url:
                figures = await measure(url, args)
        except DatabaseUnavailable as why:
            print(f"{database:<12}skipped: PostgreSQL is unreachable ({why})")
            failed = True
            continue
        share = figures["send"] / 1000 / sending_seconds
        verdict = "PASS" if share < TARGET_SHARE else "FAIL"
        failed |= verdict == "FAIL"
        print(f"{database:<12}{figures['send']:>9.0f}{figures['slowest']:>9.0f}"
              f"{figures['read']:>15.1f}{figures['bare']:>13.0f}"
              f"{figures['send'] / figures['bare']:>6.1f}x{share:>11.1%}  {verdict} "
              f"(queueing under {TARGET_SHARE:.0%} of the sending)")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--people", type=int, default=12_000)
    parser.add_argument("--rounds", type=int, default=5)
    raise SystemExit(asyncio.run(main(parser.parse_args())))
