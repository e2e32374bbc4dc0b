"""How late a scheduled campaign call is queued: the service's own campaign loop (the pass,
waking for the next call it knows of, at most CAMPAIGN_PASS_SECONDS apart) on the real clock.

    .venv/bin/python tests/bench/campaign_schedule.py                 # SQLite and PostgreSQL
    .venv/bin/python tests/bench/campaign_schedule.py --database sqlite --calls 6

Two kinds of call, each kind measured alone, each call to everyone (`--people` with the
app), moments spread over half a minute:
- scheduled ahead: known to a pass before its moment, so the loop wakes for it;
- scheduled late: each scheduled between 0.2 s and 9.8 s before its moment, as another replica
  or a PMO member just before the moment would, so that only a later pass may see it.
The lateness of a call is from its moment to the commit of the transaction that queued it
(the outbox's worker is woken by that commit). Targets: ahead, under 1 s; late, under the loop's
CAMPAIGN_PASS_SECONDS plus 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
from datetime import UTC, datetime, timedelta

from harness import (
    DatabaseUnavailable,
    database_options,
    fresh_database,
    put_project_on_path,
    run_to_the_end,
)

put_project_on_path()

TENANT = "tenant-bench"


async def measure(url: str, args: argparse.Namespace, kind: str) -> list[float]:
    """Seconds late of each call of `kind` ("ahead" or "late"), alone with the loop."""
    from sqlalchemy import insert

    from bot.app import build_campaign_pass, build_services
    from bot.config import Settings
    from bot.domain.campaign_schedule import CAMPAIGN_PASS_SECONDS
    from bot.domain.campaigns import Audience, AudienceKind, CampaignRequest
    from bot.domain.ideas import uk_day
    from bot.services.campaigns import Broadcast
    from bot.services.clock import SystemClock
    from bot.services.jobs import repeat
    from storage import tables
    from storage.engine import connect, make_engine
    from storage.migrate import upgrade

    engine = make_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        async with connect(engine, begin=True) as connection:
            await connection.execute(insert(tables.conversation_addresses), [{
                "conversation_id": f"a:{n}", "kind": "personal",
                "service_url": "https://smba.trafficmanager.net/uk/", "tenant_id": TENANT,
                "bot_id": "28:bot", "channel_id": "msteams",
                "object_id": f"00000000-0000-4000-8000-{n:012d}", "user_id": f"29:{n}",
                "first_seen_at": now, "last_seen_at": now} for n in range(args.people)])
        clock = SystemClock()
        campaigns = build_services(engine, clock).campaigns
        committed: dict[int, datetime] = {}
        all_sent = asyncio.Event()
        send = campaigns.send

        async def timed_send(*given: object, **named: object) -> Broadcast:
            broadcast = await send(*given, **named)  # type: ignore[arg-type]
            committed[broadcast.campaign.id] = datetime.now(UTC)
            if len(committed) == args.calls:
                all_sent.set()
            return broadcast

        campaigns.send = timed_send  # type: ignore[method-assign]
        request = CampaignRequest(
            name="Night shifts", theme="Shifts", description="Ideas for night shifts.",
            opens=uk_day(now), closes=uk_day(now) + timedelta(days=30),
            audience=Audience(AudienceKind.EVERYONE))
        start = datetime.now(UTC) + timedelta(seconds=3)
        moments: dict[int, datetime] = {}
        late: list[tuple[int, datetime]] = []
        rng = random.Random(args.seed)
        for _ in range(args.calls):
            campaign = await campaigns.create(request, "system:bench")
            moment = start + timedelta(seconds=rng.uniform(0, args.span))
            moments[campaign.id] = moment
            if kind == "ahead":
                await campaigns.schedule(campaign.id, moment, "system:bench")
            else:
                late.append((campaign.id, moment))

        async def schedule_late(campaign_id: int, moment: datetime) -> None:
            lead = rng.uniform(0.2, CAMPAIGN_PASS_SECONDS - 0.2)
            await asyncio.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds() - lead))
            await campaigns.schedule(campaign_id, moment, "system:bench")

        passes = build_campaign_pass(engine, Settings(database_url=url), clock, campaigns)
        stop = asyncio.Event()
        loop = asyncio.create_task(repeat(passes.run, CAMPAIGN_PASS_SECONDS, stop,
                                          failed="bench.pass_failed",
                                          sooner=passes.seconds_to_next))
        await asyncio.gather(*(schedule_late(c, m) for c, m in late))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_sent.wait(), args.span + 2 * CAMPAIGN_PASS_SECONDS + 5)
        stop.set()
        await loop
        return [float("inf") if campaign_id not in committed
                else (committed[campaign_id] - moment).total_seconds()
                for campaign_id, moment in moments.items()]
    finally:
        await engine.dispose()


async def main(args: argparse.Namespace) -> int:
    from bot.domain.campaign_schedule import CAMPAIGN_PASS_SECONDS
    from bot.logs import configure_logging

    configure_logging("WARNING", "console")

    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    targets = {"ahead": 1.0, "late": CAMPAIGN_PASS_SECONDS + 1.0}
    failed = False
    print(f"{args.calls} calls scheduled ahead, then {args.calls} late, each to {args.people:,} "
          f"people, moments over {args.span:.0f} s; the pass at most "
          f"{CAMPAIGN_PASS_SECONDS:.0f} s apart\n")
    print(f"{'database':<12}{'kind':<8}{'median s':>10}{'max s':>8}{'target s':>10}  verdict")
    for database in databases:
        for kind in ("ahead", "late"):
            try:
                async with fresh_database(database, "iip_bench_schedule",
                                          admin_url=args.postgres_url) as url:
                    seconds = await measure(url, args, kind)
            except DatabaseUnavailable as why:
                print(f"{database:<12}skipped: PostgreSQL is unreachable ({why})")
                failed = True
                break
            verdict = "PASS" if max(seconds) < targets[kind] else "FAIL"
            failed |= verdict == "FAIL"
            print(f"{database:<12}{kind:<8}{statistics.median(seconds):>10.3f}"
                  f"{max(seconds):>8.3f}{targets[kind]:>10.1f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    database_options(parser)
    parser.add_argument("--calls", type=int, default=8, help="of each kind")
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--span", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=13)
    raise SystemExit(run_to_the_end(main(parser.parse_args())))
