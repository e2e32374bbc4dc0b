"""`iip import sharepoint`: the list the force kept before the bot, checked whole, then imported
all at once (or its valid rows, with --skip-invalid), with a progress bar on a terminal."""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from bot.cli_database import with_current_schema, with_engine
from bot.cli_progress import progress_bar
from bot.config import Settings
from bot.domain.errors import InvalidText
from bot.domain.legacy import (
    MAX_FILE_BYTES,
    MAX_MAP_BYTES,
    Checked,
    ColumnMap,
    check_rows,
    parse_map,
)

INVALID = 2
T = TypeVar("T")


def add_commands(commands: Any) -> None:
    """Add `import sharepoint` to the `iip` parser's subcommands."""
    source = commands.add_parser("import", help="bring in ideas kept before the bot"
                                 ).add_subparsers(metavar="SOURCE")
    sharepoint = source.add_parser(
        "sharepoint", help="ideas from a CSV export of the SharePoint list; the whole file is "
                           "checked first, and nothing is imported if a row is invalid")
    sharepoint.add_argument("file", type=Path, metavar="FILE.csv")
    sharepoint.add_argument("--map", type=Path, metavar="FILE.toml",
                            help="a [columns] table naming the file's header for any column "
                                 "whose header differs, such as \"Created By Email\" = \"Email\"")
    sharepoint.add_argument("--skip-invalid", action="store_true",
                            help="import the valid rows and write the others, with the reasons, "
                                 "to FILE.rejects.csv beside it")
    sharepoint.add_argument("--visibility", choices=("private", "shared"), default="private",
                            help="whether colleagues may find the imported ideas by searching "
                                 "(reference, title, status and outcome, never a name): "
                                 "private (the default: their contributors were never asked) "
                                 "or shared")
    sharepoint.add_argument("--dry-run", action="store_true",
                            help="check and say what would be imported, changing nothing")
    sharepoint.set_defaults(run=_import_sharepoint)


def rejects_path(source: Path) -> Path:
    """Where the rows left out by --skip-invalid are written: beside the file."""
    return source.with_name(f"{source.name}.rejects.csv")


def _import_sharepoint(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.clock import SystemClock

    try:
        columns = _column_map(args.map)
        checked = _checked(args.file, columns, SystemClock())
    except InvalidText as problem:
        print(f"iip: nothing was imported: {problem}", file=sys.stderr)
        return INVALID
    for note in checked.notes:
        print(f"note: {note}")
    if checked.problems and (not args.skip_invalid or not checked.readable):
        print(f"iip: {args.file}: nothing was imported; {_problems(checked)}:",
              file=sys.stderr)
        for problem in checked.problems:
            print(f"  - {problem}", file=sys.stderr)
        if checked.readable:
            print("Put them right and import the file again, or give --skip-invalid to "
                  "import the valid rows and set the others aside.", file=sys.stderr)
        return INVALID
    if checked.rejected:
        _set_aside(args.file, checked, args.dry_run)
    report = _run(settings, args, checked)
    _say(args.file, report, args.dry_run)
    return 0


def _column_map(path: Path | None) -> ColumnMap:
    if path is None:
        return ColumnMap()
    text = _read(path, MAX_MAP_BYTES, "a map file")
    return parse_map(text)


def _read(path: Path, limit: int, what: str) -> str:
    try:
        if path.stat().st_size > limit:
            raise InvalidText("file", f"{path} is over {limit:,} bytes, too large for {what}.")
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidText("file", f"{path} is not UTF-8 text; export it again as CSV "
                                  "UTF-8.") from None
    except OSError as error:
        raise InvalidText("file", f"{path} cannot be read: {error.strerror}.") from None


def _checked(path: Path, columns: ColumnMap, clock: Any) -> Checked:
    """The whole file read and checked."""
    return read_export(path, MAX_FILE_BYTES, lambda lines: check_rows(lines, columns,
                                                                      clock.now()))


def read_export(path: Path, max_bytes: int, read: Callable[[Iterable[str]], T]) -> T:
    """`read` given the lines of a CSV file exported from SharePoint or saved by Excel: the
    byte-order mark either writes removed, Windows line endings and newlines inside quoted
    fields kept as the CSV rules say. InvalidText, kindly, for a file too large, unreadable or
    not UTF-8 (Excel's plain "CSV" is not: "CSV UTF-8" is)."""
    try:
        if path.stat().st_size > max_bytes:
            raise InvalidText("file", f"{path} is over {max_bytes // 2**20} MB; split "
                                      "it and import each part.")
        with path.open(encoding="utf-8-sig", newline="") as lines:
            return read(lines)
    except UnicodeDecodeError:
        raise InvalidText("file", f"{path} is not UTF-8 text; export it again as CSV "
                                  "UTF-8.") from None
    except OSError as error:
        raise InvalidText("file", f"{path} cannot be read: {error.strerror}.") from None


def _problems(checked: Checked) -> str:
    rows = len({problem.row for problem in checked.problems})
    count = len(checked.problems)
    if not checked.readable:
        return "the file cannot be read as the list's export"
    return f"{count:,} problem{'s' * (count != 1)} in {rows:,} row{'s' * (rows != 1)}"


def _set_aside(source: Path, checked: Checked, dry_run: bool) -> None:
    """Write the invalid rows as they were, with their reasons, beside the file."""
    path = rejects_path(source)
    print(f"{len(checked.rejected):,} invalid row(s) left out:")
    for problem in checked.problems:
        print(f"  - {problem}")
    if dry_run:
        print(f"(a real import writes them to {path})")
        return
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Row", *checked.header, "Reason"])
        for rejected in checked.rejected:
            writer.writerow([rejected.row, *rejected.values, " ".join(rejected.reasons)])
    print(f"They are in {path}, with the reasons.")


def _run(settings: Settings, args: argparse.Namespace, checked: Checked) -> Any:
    from bot.domain.audit import SYSTEM
    from bot.domain.similar import Visibility
    from bot.services.clock import SystemClock
    from bot.services.legacy_import import LegacyImport
    from storage.migrate import upgrade
    from storage.uow import unit_of_work_factory

    async def work(engine: Any) -> Any:
        if not args.dry_run:
            await upgrade(engine)
        with progress_bar(len(checked.ideas), "Importing") as advance:
            return await LegacyImport(unit_of_work_factory(engine), SystemClock()).run(
                checked.ideas, source=args.file.name, actor=f"{SYSTEM}:iip import sharepoint",
                dry_run=args.dry_run, progress=advance,
                visibility=Visibility(args.visibility))

    # A dry run changes nothing, the schema included: it needs a database already upgraded.
    return asyncio.run((with_current_schema if args.dry_run else with_engine)(settings, work))


def _say(source: Path, report: Any, dry_run: bool) -> None:
    """What was imported, and what the organisation file may adopt."""
    would = "would be " if dry_run else ""
    if not report.imported:
        print(f"{source}: nothing {would or 'was '}imported: all {report.already:,} row(s) "
              "were imported before; nothing changed.")
        return
    print(f"{source}: {report.imported:,} idea(s) {would or ''}imported"
          + (f", {report.already:,} imported before left as they were" if report.already
             else "") + (" (dry run: nothing changed)." if dry_run else "."))
    for year, (first, last) in sorted(report.references.items()):
        print(f"  {year}: {first} to {last}")
    print(f"  contributors: {report.people_matched:,} idea(s) by people the bot knows by "
          f"e-mail; {report.people_added:,} contributor(s) kept as imported people.")
    for kind, added in (("categories", report.new_categories),
                        ("portfolios", report.new_portfolios)):
        if added:
            print(f"  new {kind}, retired (the organisation file adopts one by naming its "
                  "key):")
            for key, name in sorted(added.items()):
                print(f"    {key} = {name!r}")
    if report.long_titles:
        print(f"  {len(report.long_titles):,} title(s) longer than a new idea's, kept whole: "
              + _some(report.long_titles))
    for reference, given in report.unknown_duplicates:
        print(f"  {reference}: Duplicate Of {given!r} names no item of the list nor a "
              "reference; left empty.")


def _some(references: list[str], shown: int = 20) -> str:
    """The first few of a long list of references, and how many more."""
    rest = len(references) - shown
    return ", ".join(references[:shown]) + (f" and {rest:,} more" if rest > 0 else "")
