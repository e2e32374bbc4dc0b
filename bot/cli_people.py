"""`iip person export|erase`: a subject access request and an erasure, for the force's data
protection officer. Bad input is a kind message and exit 2, with nothing changed."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli_campaigns import cli_actor
from bot.cli_confirm import confirmed
from bot.cli_database import with_current_schema, with_engine
from bot.config import Settings
from bot.domain.errors import InvalidText
from bot.domain.personal_data import Erased, person_id, pseudonym_of

if TYPE_CHECKING:
    from bot.services.data_protection import DataProtection


def add_commands(commands: Any) -> None:
    """Add `person export` and `person erase` to the `iip` parser's subcommands."""
    person = commands.add_parser("person", help="a person's data: export it, erase it"
                                 ).add_subparsers(metavar="ACTION")
    export = person.add_parser("export", help="everything held about a person, as one JSON "
                                              "document (a subject access request)")
    export.add_argument("--aad-id", required=True, dest="aad_id", type=_object_id,
                        help="the person's Entra object id")
    export.add_argument("--output", type=Path, metavar="FILE",
                        help="write it to FILE, a new file only the owner may read (default: "
                             "standard output)")
    export.set_defaults(run=_export)
    erase = person.add_parser("erase", help="erase a person: their name becomes a pseudonym, "
                                            "what they wrote or were sent a tombstone; ideas, "
                                            "history and report counts stay")
    erase.add_argument("--aad-id", required=True, dest="aad_id", type=_object_id,
                       help="the person's Entra object id")
    erase.add_argument("--yes", action="store_true",
                       help="do not ask to confirm (for scripts)")
    erase.set_defaults(run=_erase)


def _object_id(value: str) -> str:
    try:
        return person_id(value)
    except InvalidText as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None


def _service(engine: AsyncEngine) -> DataProtection:
    from bot.services.clock import SystemClock
    from bot.services.data_protection import DataProtection
    from storage.uow import unit_of_work_factory

    return DataProtection(unit_of_work_factory(engine), SystemClock())


def _export(settings: Settings, args: argparse.Namespace) -> int:
    object_id: str = args.aad_id

    async def read(engine: AsyncEngine) -> dict[str, Any]:
        return await _service(engine).export(object_id)

    document = asyncio.run(with_current_schema(settings, read))
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        # Personal data: a new file, readable by its owner alone, never one overwritten.
        descriptor = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:
        print(f"iip: {args.output} was not written: {error.strerror or error}. Nothing was "
              "written; give a file that does not exist yet.", file=sys.stderr)
        return 2
    print(f"Wrote everything held about {object_id} to {args.output}.")
    return 0


def _erase(settings: Settings, args: argparse.Namespace) -> int:
    object_id: str = args.aad_id
    if not args.yes and not _confirmed(object_id):
        return 2

    async def erase(engine: AsyncEngine) -> Erased:
        from storage.migrate import upgrade

        await upgrade(engine)
        return await _service(engine).erase(object_id, cli_actor())

    erased = asyncio.run(with_engine(settings, erase))
    if erased.nothing:
        print(f"Nothing about {object_id} was left to erase; nothing changed.")
        return 0
    print(f"Erased {object_id}: from now on {erased.pseudonym!r}. Rows changed:")
    for name, count in sorted(erased.changed.items()):
        print(f"  {name:<40}{count:>8,}")
    for name in erased.shared_names:
        print(f"Someone else is also called {name!r}, so it was left where others' words "
              "name it (messages, history, audit): review those by hand.")
    return 0


def _confirmed(object_id: str) -> bool:
    return confirmed("erase", "erasing", (
        f"This erases {object_id} everywhere the portal holds them: their name becomes "
        f"{pseudonym_of(object_id)!r}; their e-mail, profile answers, comments, feedback and "
        "the messages sent to them are erased; their drafts and conversation state are "
        "deleted. Their ideas and history stay. It cannot be undone."))
