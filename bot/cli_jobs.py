"""`iip jobs run-due` and `iip jobs due`: one pass of the scheduler (and of the campaign pass:
scheduled calls, reminders before closing, closing), or what it would send."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli_database import with_engine
from bot.config import Settings
from bot.domain.errors import InvalidText
from bot.domain.moments import parse_moment

if TYPE_CHECKING:
    from bot.services.campaign_pass import PassReport


def add_commands(commands: Any) -> None:
    """Add `jobs run-due` and `jobs due` to the `iip` parser's subcommands."""
    jobs = commands.add_parser("jobs", help="reminders and digests").add_subparsers(
        metavar="ACTION")
    for action, words in (("run-due", "run one pass: queue what is due"),
                          ("due", "say what a pass would send, sending nothing")):
        job = jobs.add_parser(action, help=words)
        job.add_argument("--now", type=moment, help="the pass's time (ISO 8601, such as "
                         "2027-01-20T09:00; UTC unless it has an offset); default now")
        if action == "due":
            job.add_argument("--format", choices=("text", "json"), default="text")
        job.set_defaults(run=_jobs)


def moment(value: str) -> datetime:
    """`--now`: a moment, UTC unless it says otherwise (as `iip report sla --as-of`)."""
    try:
        return parse_moment(value)
    except InvalidText as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None


def _jobs(settings: Settings, args: argparse.Namespace) -> int:
    """`jobs run-due` queues one pass's messages; `jobs due` prints them, sending nothing."""
    from bot.app import build_campaign_pass, build_jobs, build_services
    from bot.services.clock import StoppedClock, SystemClock
    from storage.migrate import upgrade

    sending = not hasattr(args, "format")
    campaigns: list[PassReport] = []

    async def run(engine: AsyncEngine) -> list[Any]:
        await upgrade(engine)
        clock = StoppedClock(args.now) if args.now else SystemClock()
        runner = build_jobs(engine, settings, clock)
        if not sending:
            return await runner.due(args.now)
        owed = await runner.run_due(args.now)
        campaigns.append(await build_campaign_pass(
            engine, settings, clock, build_services(engine, clock).campaigns).run())
        return owed

    owed = asyncio.run(with_engine(settings, run))
    for report in campaigns:  # run-due only: where the scheduler runs from cron
        print(f"Campaigns: {len(report.sent):,} scheduled call(s) sent, "
              f"{len(report.lapsed):,} put back to drafts (they could not go), "
              f"{len(report.closed):,} closed, {len(report.reminded):,} reminded.")
    listed = [{"job": o.job.value, "to": o.to, "ideas": list(o.ideas),
               "threshold": o.threshold} for o in owed]
    if not sending and args.format == "json":
        print(json.dumps(listed, indent=2))
        return 0
    print(f"Queued {len(owed):,} message(s)." if sending else
          f"A pass would send {len(owed):,} message(s).")
    for item in listed:
        print(f"  {item['job']} to {item['to']} ({item['threshold']}): "
              f"{', '.join(item['ideas'])}")
    return 0
