"""`iip initiatives`: the PMO's register of known initiatives from the command line: importing
a register kept elsewhere (checked whole first), and listing it."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.cli_database import with_services
from bot.config import Settings

if TYPE_CHECKING:
    from bot.domain.initiatives import Initiative, Register
    from bot.services.initiatives import InitiativeService, RegisterImport
    from bot.services.ports import TextRanker

INVALID = 2
T = TypeVar("T")


def add_commands(commands: Any) -> None:
    """Add `initiatives import` and `initiatives list` to the `iip` parser's subcommands."""
    actions = commands.add_parser(
        "initiatives", help="the register of known initiatives: work under way and "
                            "capabilities that exist, shown to people writing a similar idea"
    ).add_subparsers(metavar="ACTION")
    importing = actions.add_parser(
        "import", help="a register from a CSV file (headers Title, Description, Stage, "
                       "Portfolio, Contact, Link, ID); a row whose ID was imported before "
                       "updates it; nothing is imported if a row is invalid")
    importing.add_argument("file", type=Path, metavar="FILE.csv")
    importing.add_argument("--skip-invalid", action="store_true",
                           help="import the valid rows, and list the others with the reasons")
    importing.add_argument("--dry-run", action="store_true",
                           help="check and say what would be imported, changing nothing")
    importing.set_defaults(run=_import)
    listing = actions.add_parser("list", help="every initiative, the active ones first")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(run=_list)


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_import import read_export
    from bot.domain.audit import SYSTEM
    from bot.domain.errors import InvalidText
    from bot.domain.initiatives import MAX_FILE_BYTES, check_register
    from bot.matching.index import MatchIndex

    # With the sentence model on (IIP_SIMILAR_MODEL), each entry is kept with its vector, as
    # the bot keeps a submission's; a dry run keeps nothing, so needs no model.
    ranker = MatchIndex(use_model=settings.similar_model and not args.dry_run)

    async def work(service: InitiativeService) -> int:
        portfolios = await service.portfolio_names()
        try:
            register = read_export(args.file, MAX_FILE_BYTES,
                                   lambda lines: check_register(lines, portfolios))
        except InvalidText as problem:
            print(f"iip: nothing was imported: {problem}", file=sys.stderr)
            return INVALID
        if register.problems and (not args.skip_invalid or not register.readable):
            _refused(args.file, register)
            return INVALID
        if register.problems:
            print(f"{register.rejected:,} invalid row(s) left out:")
            for problem in register.problems:
                print(f"  - {problem}")
        await ranker.start()
        try:
            report = await service.import_rows(
                register.rows, source=args.file.name,
                actor=f"{SYSTEM}:iip initiatives import", dry_run=args.dry_run)
        finally:
            ranker.close()
        _say(args.file, report, args.dry_run)
        return 0

    return _with_service(settings, work, changes=not args.dry_run, ranker=ranker)


def _refused(source: Path, register: Register) -> None:
    if not register.readable:
        print(f"iip: {source}: nothing was imported; the file cannot be read as a register:",
              file=sys.stderr)
    else:
        rows = register.rejected
        print(f"iip: {source}: nothing was imported; {len(register.problems):,} problem(s) in "
              f"{rows:,} row(s):", file=sys.stderr)
    for problem in register.problems:
        print(f"  - {problem}", file=sys.stderr)
    if register.readable:
        print("Put them right and import the file again, or give --skip-invalid to import "
              "the valid rows.", file=sys.stderr)


def _say(source: Path, report: RegisterImport, dry_run: bool) -> None:
    would = "would be " if dry_run else ""
    print(f"{source}: {len(report.added):,} initiative(s) {would}added, "
          f"{len(report.updated):,} {would}updated, {report.unchanged:,} unchanged"
          + (" (dry run: nothing changed)." if dry_run else "."))
    if not dry_run:  # a dry run's references are given again by the real import
        for initiative in report.added:
            print(f"  added {initiative.reference}: {initiative.title}")
    for initiative in report.updated:
        print(f"  {would or ''}updated {initiative.reference}: {initiative.title}")
    if report.retired:
        print(f"  retired, and left retired (restore them in Teams to match them again): "
              f"{', '.join(report.retired)}")


def _list(settings: Settings, args: argparse.Namespace) -> int:
    async def work(service: InitiativeService) -> int:
        initiatives = await service.everything()
        names = await service.portfolio_names()
        if args.format == "json":
            print(json.dumps([_as_json(i, names) for i in initiatives], indent=2))
        elif not initiatives:
            print("The register of known initiatives is empty.")
        for initiative in initiatives if args.format == "text" else ():
            portfolio = names.get(initiative.portfolio_key or "", initiative.portfolio_key)
            state = "" if initiative.active else " (retired)"
            print(f"{initiative.reference}  {initiative.stage.label:<14}  "
                  f"{portfolio or '-'}  {initiative.title}{state}")
        return 0

    return _with_service(settings, work, changes=False)


def _as_json(initiative: Initiative, names: Mapping[str, str]) -> dict[str, object]:
    return {"reference": initiative.reference, "title": initiative.title,
            "description": initiative.description, "stage": initiative.stage.value,
            "portfolio": initiative.portfolio_key,
            "portfolio_name": names.get(initiative.portfolio_key or ""),
            "contact": initiative.contact, "link": initiative.link,
            "active": initiative.active, "source_key": initiative.source_key,
            "updated_at": initiative.updated_at.isoformat(),
            "updated_by": initiative.updated_by}


def _with_service(settings: Settings, work: Callable[[InitiativeService], Awaitable[T]], *,
                  changes: bool, ranker: TextRanker | None = None) -> T:
    return with_services(settings, lambda services: work(services.initiatives),
                         changes=changes, ranker=ranker)
