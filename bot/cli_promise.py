"""`iip report sla` and `iip sla check`: the two-month promise from the command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.cli_database import with_current_schema, with_engine
from bot.config import Settings
from bot.domain.errors import InvalidText
from bot.domain.ideas import LONDON
from bot.domain.moments import parse_moment, quoted, within_years

FORMATS = ("text", "json")


def add_commands(commands: Any) -> None:
    """Add `report sla`, `report summary` and `sla check` to the `iip` parser's
    subcommands."""
    from bot.cli_summary import add_summary

    report = commands.add_parser("report", help="reports").add_subparsers(metavar="REPORT")
    sla = report.add_parser("sla", help="the two-month promise for the ideas due in a month")
    sla.add_argument("--month", required=True, help="the month the ideas fell due, YYYY-MM")
    sla.add_argument("--as-of", dest="as_of", help="judge them as at this day (YYYY-MM-DD, "
                     "the end of it, UK time) or moment (ISO 8601); default now")
    sla.add_argument("--portfolio", help="one portfolio's ideas only (its key)")
    sla.add_argument("--format", choices=FORMATS, default="text")
    sla.set_defaults(run=_report_sla)
    add_summary(report)
    from bot.cli_board_pack import add_monthly

    add_monthly(report)

    check = commands.add_parser("sla", help="the two-month promise").add_subparsers(
        metavar="ACTION").add_parser(
        "check", help="compare each idea's promise columns with its history and the outbox")
    check.add_argument("--repair", action="store_true",
                       help="make the columns agree where they differ (audited)")
    check.set_defaults(run=_sla_check)


def as_of_moment(text: str | None, now: datetime) -> datetime:
    """`--as-of`: a day means its end (UK time), a moment without a zone is UTC."""
    if text is None:
        return now
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        pass
    else:
        if within_years(day):
            return datetime.combine(day + timedelta(days=1), time(), LONDON).astimezone(UTC) \
                - timedelta(microseconds=1)
    try:
        return parse_moment(text, field="as_of")
    except InvalidText:
        raise InvalidText("as_of", f"{quoted(text)} is not a day or a moment: give one like "
                                   "2026-12-31 or 2026-12-31T17:00.") from None


def _report_sla(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.clock import SystemClock
    from bot.services.reports import Reports, parse_month
    from storage.uow import unit_of_work_factory

    try:
        parse_month(args.month)
        as_at = as_of_moment(args.as_of, SystemClock().now())
    except InvalidText as problem:
        print(f"iip: {problem}", file=sys.stderr)
        return 2

    async def read(engine: Any):
        return await Reports(unit_of_work_factory(engine)).sla_month(args.month, as_at,
                                                                     args.portfolio)

    report = asyncio.run(with_current_schema(settings, read))
    if args.format == "json":
        print(json.dumps(report.as_json(), indent=2))
    else:
        print(sla_text(report))
    return 0


def sla_text(report: Any) -> str:
    """The report as a table for a terminal."""
    local = report.as_at.astimezone(LONDON)
    when = f"{local.day} {local:%B %Y %H:%M}"
    first = date.fromisoformat(f"{report.month}-01")
    lines = [f"Two-month promise: ideas due in {first:%B %Y}, as at {when} (UK time)"
             + (f", portfolio {report.portfolio}" if report.portfolio else ""), ""]
    header = (f"{'':<24}{'due':>6}{'kept':>6}{'unreachable':>13}{'breached':>10}{'open':>6}"
              f"{'compliance':>12}{'median days':>13}")
    lines.append(header)
    rows = [("all portfolios" if report.portfolio is None else report.portfolio,
             report.total)]
    if report.portfolio is None:
        rows += sorted(report.by_portfolio.items())
    for name, counts in rows:
        compliance = counts.compliance
        median = counts.median_days_to_first_response
        lines.append(
            f"{name[:23]:<24}{counts.due:>6,}{counts.kept:>6,}{counts.kept_unreachable:>13,}"
            f"{counts.breached:>10,}{counts.open:>6,}"
            f"{'-' if compliance is None else f'{compliance:.1%}':>12}"
            f"{'-' if median is None else f'{median:g}':>13}")
    if not report.total.due:
        lines += ["", "No idea fell due in that month."]
    return "\n".join(lines)


def _sla_check(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.clock import SystemClock
    from bot.services.promises import PromiseCheck
    from storage.migrate import upgrade
    from storage.uow import unit_of_work_factory

    async def check(engine: Any):
        if args.repair:
            await upgrade(engine)
        return await PromiseCheck(unit_of_work_factory(engine), SystemClock()).run(
            repair=args.repair)

    checked = asyncio.run((with_engine if args.repair else with_current_schema)(
        settings, check))
    for idea in checked.differences:
        print(f"{idea.reference}: {_differs(idea)}")
    verb = "repaired" if checked.repaired else "differ"
    print(f"Checked {checked.ideas:,} idea(s): {len(checked.differences):,} {verb}.")
    return 1 if checked.differences and not checked.repaired else 0


def _differs(idea: Any) -> str:
    def said(response: Any) -> str:
        if response is None:
            return "none"
        moment = response.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return moment if response.reachable else f"{moment} (unreachable)"

    was, derived = idea.recorded, idea.promise
    parts = []
    if was.due != derived.due:
        parts.append(f"due {derived.due.isoformat()}, recorded "
                     f"{was.due.isoformat() if was.due else 'none'}")
    if was.first_response != derived.first_response:
        parts.append(f"first response {said(derived.first_response)}, recorded "
                     f"{said(was.first_response)}")
    return "; ".join(parts)
