"""`iip idea publish|hide|redact`: the PMO decides from the command line who may find an idea
by searching, as from their idea card.

Each change is made as `cli:<login name>` and audited; bad input is a kind message and exit
2, with nothing changed."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli_campaigns import cli_actor
from bot.cli_database import with_engine
from bot.cli_idea_history import add_history
from bot.config import Settings
from bot.domain.errors import DomainError
from bot.domain.ideas import find_reference
from bot.domain.similar import Visibility
from bot.domain.visibility import NAMES, describe

if TYPE_CHECKING:
    from bot.services.visibility import Changed

REFUSED = 2


def add_commands(commands: Any) -> None:
    """Add `idea publish`, `idea hide`, `idea redact` and `idea history` to the `iip` parser's
    subcommands."""
    idea = commands.add_parser("idea", help="one idea: who may find it by searching, and its "
                               "audit trail").add_subparsers(metavar="ACTION")
    add_history(idea)
    for action, words in (
            ("publish", "let colleagues find the idea by searching (its reference, title, "
                        "status and outcome; never its contributor's name)"),
            ("hide", "take the idea out of colleagues' searches")):
        command = idea.add_parser(action, help=words)
        command.add_argument("reference", type=_reference, metavar="IIP-YYYY-NNNN")
        command.set_defaults(run=_change, action=action)
    redact = idea.add_parser("redact", help="the title colleagues see in place of the idea's "
                                            "own")
    redact.add_argument("reference", type=_reference, metavar="IIP-YYYY-NNNN")
    redact.add_argument("--title", required=True,
                        help='the public title; "" shows the idea\'s own title again')
    redact.set_defaults(run=_change, action="redact")


def _reference(value: str) -> str:
    reference = find_reference(value) if len(value) < 100 else None
    if reference is None:
        raise argparse.ArgumentTypeError(f"{value[:40]!r} is not an idea reference; write it "
                                         "like IIP-2026-0042")
    return reference


def _change(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build_services
    from bot.services.clock import SystemClock
    from bot.services.visibility import KEEP
    from storage.migrate import upgrade

    visibility = {"publish": Visibility.SHARED, "hide": Visibility.HIDDEN}.get(args.action)
    title = args.title if args.action == "redact" else KEEP

    async def run(engine: AsyncEngine) -> Changed:
        await upgrade(engine)
        return await build_services(engine, SystemClock()).findability.change(
            args.reference, actor=cli_actor(), visibility=visibility, public_title=title)

    try:
        changed = asyncio.run(with_engine(settings, run))
    except DomainError as refusal:
        print(f"iip: {refusal} Nothing changed.", file=sys.stderr)
        return REFUSED
    if changed.after == changed.before:
        print(f"{changed.reference} was already so; nothing changed.")
    else:
        print(f"{changed.reference}: now {NAMES[changed.after.visibility].lower()} (was "
              f"{NAMES[changed.before.visibility].lower()}).")
    print(f"  {describe(changed.after, changed.title)}")
    return 0
