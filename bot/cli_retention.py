"""`iip retention run [--dry-run]`: purge what the portal keeps no longer, now (the scheduler
runs it once a day), or count what a run would purge."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli_database import with_current_schema, with_engine
from bot.config import Settings
from bot.domain.audit import SYSTEM
from bot.domain.retention import RetentionCounts

_WORDS = {"drafts": "drafts", "conversation_state": "conversation states",
          "sent_payloads": "sent messages emptied of their card",
          "outbox_rows": "outbox rows deleted", "feedback": "feedback answers",
          "job_marks": "scheduler's marks"}


def add_commands(commands: Any) -> None:
    """Add `retention run` to the `iip` parser's subcommands."""
    retention = commands.add_parser(
        "retention", help="purge what is kept no longer").add_subparsers(metavar="ACTION")
    run = retention.add_parser("run", help="purge now, by the IIP_RETAIN_* settings")
    run.add_argument("--dry-run", action="store_true",
                     help="count what would be purged, changing nothing")
    run.set_defaults(run=_run)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build_retention
    from bot.services.clock import SystemClock
    from storage.migrate import upgrade

    async def purge(engine: AsyncEngine) -> RetentionCounts:
        if not args.dry_run:
            await upgrade(engine)
        return await build_retention(engine, settings, SystemClock()).run(
            dry_run=args.dry_run, actor=f"{SYSTEM}:iip retention run")

    # A dry run only reads: on a database behind the code it says what to run instead.
    counts = asyncio.run((with_current_schema if args.dry_run else with_engine)(settings, purge))
    print("A run would purge:" if args.dry_run else "Purged:")
    for field, count in counts.as_dict().items():
        print(f"  {count:>9,}  {_WORDS[field]}")
    return 0
