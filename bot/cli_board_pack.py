"""`iip report monthly`: the board pack of a month, written to a folder."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.cli_database import with_current_schema
from bot.config import Settings
from bot.domain.errors import InvalidText


def add_monthly(reports: Any) -> None:
    """Add `monthly` to the `iip report` subcommands."""
    monthly = reports.add_parser("monthly", help="the monthly board pack: an HTML page, the "
                                 "month's ideas as CSV and the figures as JSON")
    monthly.add_argument("--month", required=True, help="the month, YYYY-MM")
    monthly.add_argument("--out", required=True, type=Path, metavar="DIR",
                         help="the folder to write the pack in (made if missing)")
    monthly.add_argument("--portfolio", action="append", metavar="KEY",
                         help="one portfolio's pack (its key); repeat for several")
    monthly.set_defaults(run=_report_monthly)


def _report_monthly(settings: Settings, args: argparse.Namespace) -> int:
    from bot.pack.page import write_pack
    from bot.services.board_packs import BoardPacks
    from bot.services.clock import SystemClock
    from bot.services.reports import parse_month
    from storage.uow import unit_of_work_factory

    try:
        first, _ = parse_month(args.month)
    except InvalidText as problem:
        print(f"iip: {problem}", file=sys.stderr)
        return 2

    async def read(engine: Any):
        return await BoardPacks(unit_of_work_factory(engine), SystemClock()).monthly(
            first, args.portfolio)

    try:
        pack = asyncio.run(with_current_schema(settings, read))
    except InvalidText as problem:
        print(f"iip: {problem}", file=sys.stderr)
        return 2
    for path in write_pack(pack, args.out):
        print(path)
    return 0
