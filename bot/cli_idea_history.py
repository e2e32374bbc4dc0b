"""`iip idea history`: an idea's whole audit trail, for freedom of information requests and
complaints; an unknown reference is exit 2."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli_database import with_current_schema
from bot.config import Settings
from bot.domain.errors import InvalidText, NotFound
from bot.domain.trail import TRAIL_FIELDS, Trail

FORMATS = ("csv", "json")


def add_history(actions: Any) -> None:
    history = actions.add_parser("history", help="the idea's full audit trail, oldest first")
    history.add_argument("reference", help="the idea's reference, like IIP-2026-0042")
    history.add_argument("--format", choices=FORMATS, default="csv")
    history.set_defaults(run=_history)


def _history(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.clock import SystemClock
    from bot.services.data_protection import DataProtection
    from storage.uow import unit_of_work_factory

    async def read(engine: AsyncEngine) -> Trail:
        return await DataProtection(unit_of_work_factory(engine), SystemClock()).trail(
            args.reference)

    try:
        trail = asyncio.run(with_current_schema(settings, read))
    except (InvalidText, NotFound) as problem:
        print(f"iip: {problem}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(trail_json(trail), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(trail_csv(trail))
    return 0


def trail_json(trail: Trail) -> dict[str, Any]:
    return {"reference": trail.reference, "title": trail.title,
            "entries": [entry.as_json() for entry in trail.entries]}


def trail_csv(trail: Trail) -> str:
    """One row per entry under a header of TRAIL_FIELDS."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TRAIL_FIELDS)
    writer.writerows(entry.as_row() for entry in trail.entries)
    return out.getvalue()
