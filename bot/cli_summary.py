"""`iip report summary`: the figures as at any day or moment, for people (text), for programs
(JSON, the issue's keys exactly) or for a spreadsheet (CSV, one row per figure)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from typing import Any

from bot.cli_database import with_current_schema
from bot.cli_promise import as_of_moment
from bot.config import Settings
from bot.domain.errors import InvalidText
from bot.domain.ideas import LONDON
from bot.domain.summary import Summary, status_key_label

FORMATS = ("text", "json", "csv")


def add_summary(reports: Any) -> None:
    """Add `summary` to the `iip report` subcommands."""
    summary = reports.add_parser("summary", help="every idea as it stood at a day or moment")
    summary.add_argument("--as-of", dest="as_of", required=True,
                         help="the day (YYYY-MM-DD, the end of it, UK time) or moment "
                              "(ISO 8601)")
    summary.add_argument("--portfolio", help="one portfolio's ideas only (its key)")
    summary.add_argument("--format", choices=FORMATS, default="text")
    summary.set_defaults(run=_report_summary)


def _report_summary(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.clock import SystemClock
    from bot.services.reports import Reports
    from storage.uow import unit_of_work_factory

    try:
        as_of = as_of_moment(args.as_of, SystemClock().now())
    except InvalidText as problem:
        print(f"iip: {problem}", file=sys.stderr)
        return 2

    async def read(engine: Any) -> Summary:
        return await Reports(unit_of_work_factory(engine)).summary(as_of, args.portfolio)

    try:
        summary = asyncio.run(with_current_schema(settings, read))
    except InvalidText as problem:
        print(f"iip: {problem}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(summary.as_json(), indent=2))
    elif args.format == "csv":
        print(summary_csv(summary), end="")
    else:
        print(summary_text(summary))
    return 0


def summary_csv(summary: Summary) -> str:
    """One row per figure, `figure,key,value` (a figure without keys has an empty key)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "key", "value"])
    for figure, value in summary.as_json().items():
        if isinstance(value, dict):
            for key, each in value.items():  # type: ignore[union-attr]
                writer.writerow([figure, key, "" if each is None else each])
        else:
            writer.writerow([figure, "", "" if value is None else value])
    return out.getvalue()


def summary_text(summary: Summary) -> str:
    """The figures as a person reads them in a terminal."""
    local = summary.as_of.astimezone(LONDON)
    figures = summary.as_json()
    lines = [f"Ideas as at {local.day} {local:%B %Y %H:%M} (UK time), "
             + (f"portfolio {summary.portfolio}" if summary.portfolio else "all portfolios"),
             "", _row("Ideas submitted", summary.total)]
    by_status: dict[str, int] = figures["by_status"]  # type: ignore[assignment]
    lines += [_row(f"  {status_key_label(key)}", n) for key, n in by_status.items()]
    median = summary.median_days_to_decision
    lines += [_row("Taken forward (approved, escalated, delivered)", summary.taken_forward),
              _row("Median days from submission to a decision",
                   "-" if median is None else f"{median:g}"),
              _row("Supporters (colleagues backing an idea)", summary.supporters),
              _row("  Ideas with supporters", summary.ideas_supported),
              "", "Two-month promise (ideas due by then)"]
    sla = summary.sla
    compliance = sla.compliance
    lines += [_row("  Due", sla.due), _row("  Kept", sla.kept),
              _row("  Breached", sla.breached),
              _row("  Not recorded (imported, decided, no response date)", sla.not_recorded),
              _row("  Compliance (kept / (kept + breached))",
                   "-" if compliance is None else f"{compliance:.1%}")]
    for title, counts in (("By portfolio", summary.by_portfolio),
                          ("By category", summary.by_category),
                          ("By campaign", summary.by_campaign)):
        lines += ["", title]
        lines += [_row(f"  {key}", n) for key, n in sorted(counts.items())] or ["  none"]
    return "\n".join(lines)


def _row(name: str, value: int | str) -> str:
    shown = f"{value:,}" if isinstance(value, int) else value
    return f"{name:<56}{shown:>10}"
