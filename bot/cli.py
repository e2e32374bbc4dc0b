"""The `iip` command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot.cli_database import SchemaBehind, with_engine
from bot.config import Settings, SettingsError
from bot.domain.errors import OrganisationError

if TYPE_CHECKING:
    from bot.domain.handover import OpenIdeasLeft

SHUTDOWN_GRACE_SECONDS = 30


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"iip: {error}", file=sys.stderr)
        return 2
    from bot.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format, secrets=settings.secrets)
    try:
        return args.run(settings, args) or 0
    except SchemaBehind as behind:
        print(f"iip: {behind}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iip", description="The Improvement and Innovation Portal bot for Microsoft Teams."
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the bot (upgrades the database first)")
    serve.set_defaults(run=_serve)

    dev = commands.add_parser("dev", help="run the bot and the Teams Playground together")
    dev.add_argument("--playground-port", type=int, default=56150)
    dev.set_defaults(run=_dev)

    db = commands.add_parser("db", help="database schema").add_subparsers(metavar="ACTION")
    db.add_parser("upgrade", help="apply every pending migration").set_defaults(run=_db_upgrade)
    db.add_parser("current", help="show the schema revision").set_defaults(run=_db_current)

    org = commands.add_parser("org", help="the organisation").add_subparsers(metavar="ACTION")
    load = org.add_parser("load", help="load people, PMO, portfolios and categories from TOML")
    load.add_argument("file", type=Path)
    load.add_argument("--reassign-to", metavar="PORTFOLIO",
                      help="move the open ideas of a portfolio the file retires, or leaves "
                           "without any SPOC or deputy who followed it, to this portfolio")
    load.set_defaults(run=_org_load)

    from bot.cli_campaigns import add_commands as add_campaign_commands
    from bot.cli_ideas import add_commands as add_idea_commands
    from bot.cli_import import add_commands as add_import_commands
    from bot.cli_initiatives import add_commands as add_initiative_commands
    from bot.cli_jobs import add_commands as add_job_commands
    from bot.cli_outbox import add_commands as add_outbox_commands
    from bot.cli_people import add_commands as add_people_commands
    from bot.cli_promise import add_commands as add_promise_commands
    from bot.cli_retention import add_commands as add_retention_commands
    from bot.cli_similar import add_commands as add_similar_commands

    for add_commands in (add_outbox_commands, add_promise_commands, add_job_commands,
                         add_campaign_commands, add_import_commands, add_idea_commands,
                         add_initiative_commands,
                         add_similar_commands, add_people_commands, add_retention_commands):
        add_commands(commands)

    cards = commands.add_parser("cards", help="Adaptive Cards").add_subparsers(metavar="ACTION")
    gallery = cards.add_parser("gallery", help="write every card, with sample data, as JSON")
    gallery.add_argument("folder", type=Path)
    gallery.set_defaults(run=_cards_gallery)

    manifest = commands.add_parser("manifest", help="the Teams app package")
    package = manifest.add_subparsers(metavar="ACTION").add_parser(
        "build", help="write the app package (manifest.json and icons) to upload to Teams"
    )
    package.add_argument("out", type=Path, metavar="OUT.zip")
    package.add_argument("--app-id", required=True,
                         help="the Teams app id: a GUID chosen once and kept for every version")
    package.add_argument("--bot-id", help="the bot's Entra app id (default: MICROSOFT_APP_ID)")
    package.add_argument("--version", help="the app version, like 1.0.0 (the default); raise it "
                                           "for every upload after the first")
    package.add_argument("--developer-name", help="the organisation shown as the publisher")
    package.add_argument("--website-url", help="https page about the portal")
    package.add_argument("--privacy-url", help="https privacy notice")
    package.add_argument("--terms-url", help="https terms of use")
    package.set_defaults(run=_manifest_build)
    return parser


def _serve(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.app import create_app, settle_heap

    try:
        settings.check_can_serve()
    except SettingsError as error:
        print(f"iip: {error}", file=sys.stderr)
        return 2
    print(f"The bot is listening on http://{settings.host}:{settings.port}/api/messages",
          file=sys.stderr)
    app = create_app(settings)
    app.on_startup.append(settle_heap)  # after the app's own start-up
    web.run_app(app, host=settings.host, port=settings.port,
                shutdown_timeout=SHUTDOWN_GRACE_SECONDS, access_log=None, print=None)
    return 0


def _dev(settings: Settings, args: argparse.Namespace) -> int:
    from bot import playground
    from bot.playground import PlaygroundError

    try:
        # Every process it starts: the bot, and the Playground that chats as the demo's PMO.
        settings.check_can_serve(unauthenticated={"the Teams Playground": playground.HOST})
        asyncio.run(_run_with_playground(settings, args.playground_port))
    except (SettingsError, PlaygroundError, OSError) as error:
        print(f"iip: {error}", file=sys.stderr)
        return 2
    return 0


async def _run_with_playground(settings: Settings, playground_port: int) -> None:
    """Serve the bot and the Playground until Ctrl-C, then stop both cleanly."""
    from bot.app import create_app
    from bot.playground import Playground

    runner = web.AppRunner(create_app(settings), access_log=None,
                           shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
    await runner.setup()
    playground: Playground | None = None
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
        endpoint = f"http://{settings.host}:{settings.port}/api/messages"
        playground = Playground(Path.cwd(), endpoint, playground_port)
        await playground.start()
        print(f"\nThe bot is running at {endpoint}\n"
              f"Open {playground.url} to chat with it. Press Ctrl-C to stop.\n",
              file=sys.stderr, flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        ended = asyncio.create_task(playground.wait())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({ended, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if ended.done():
            print("iip: the Playground stopped; stopping the bot.", file=sys.stderr)
        stopping.cancel()
    finally:
        # The bot stops first: the Playground is also its connector, so the turns in progress
        # and the outbox's last sends still reach the chat instead of failing against a
        # closed port.
        await runner.cleanup()
        if playground is not None:
            await playground.stop()
        print("Stopped.", file=sys.stderr)


def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    asyncio.run(with_engine(settings, upgrade))
    print("The database schema is up to date.")
    return 0


def _db_current(settings: Settings, _args: argparse.Namespace) -> int:
    from storage.migrate import current_revision, head_revision

    revision = asyncio.run(with_engine(settings, current_revision))
    head = head_revision()
    state = "up to date" if revision == head else f"behind (newest is {head})"
    print(f"{revision or 'empty'}: {state}")
    return 0


def _org_load(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build_services
    from bot.domain.audit import SYSTEM
    from bot.domain.handover import OpenIdeasLeft
    from bot.services.clock import SystemClock
    from bot.services.organisation import read_organisation_file
    from storage.migrate import upgrade

    try:
        organisation = read_organisation_file(args.file)
    except OrganisationError as error:
        print(f"iip: {args.file} was not loaded; nothing changed:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1

    async def load(engine):
        await upgrade(engine)
        services = build_services(engine, SystemClock())
        return await services.organisation.replace(organisation, actor=f"{SYSTEM}:iip org load",
                                                   reassign_to=args.reassign_to)

    try:
        changes = asyncio.run(with_engine(settings, load))
    except OrganisationError as error:
        print(f"iip: {args.file} was not loaded; nothing changed:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    except OpenIdeasLeft as refusal:
        _say_stranded(args.file, refusal)
        return 1
    if not changes:
        print(f"{args.file}: already loaded, nothing changed.")
    else:
        print(f"{args.file}: loaded, {len(changes)} change(s):")
        for change in changes:
            print(f"  - {change}")
    return 0


def _say_stranded(file: Path, refusal: OpenIdeasLeft) -> None:
    """Why a load was refused: each portfolio it would strand, with its open ideas."""
    print(f"iip: {file} was not loaded; nothing changed: {refusal}", file=sys.stderr)
    for found in refusal.stranded:
        portfolio = found.portfolio
        print(f"  {portfolio.name} ({portfolio.key}): {portfolio.why}", file=sys.stderr)
        for idea in found.ideas:
            print(f"    - {idea.reference}  {idea.title}  ({idea.status_label})",
                  file=sys.stderr)
    print("Load it again with --reassign-to PORTFOLIO (a portfolio key of the new file) to "
          "move them there.", file=sys.stderr)


def _cards_gallery(settings: Settings, args: argparse.Namespace) -> int:
    """Every card as sent: marked when IIP_CLASSIFICATION is set."""
    from bot.channel.marking import CardMarking
    from cards.gallery import gallery

    marking = CardMarking(settings.classification)
    args.folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, message in gallery():
        path = args.folder / f"{name}.json"
        path.write_text(json.dumps(marking.card(message.card), indent=2, ensure_ascii=False)
                        + "\n",
                        encoding="utf-8")
        count += 1
    print(f"Wrote {count} cards to {args.folder}")
    return 0


def _manifest_build(settings: Settings, args: argparse.Namespace) -> int:
    from dataclasses import replace

    from manifest.package import (
        DEFAULT_VERSION,
        Developer,
        PackageError,
        build_manifest,
        check_guid,
        write_package,
    )

    bot_id = args.bot_id if args.bot_id is not None else settings.app_id
    options = {"name": "developer_name", "website_url": "website_url",
               "privacy_url": "privacy_url", "terms_url": "terms_url"}
    given = {field: getattr(args, option) for field, option in options.items()}
    developer = replace(Developer(), **{k: v for k, v in given.items() if v is not None})
    try:
        check_guid(args.app_id, "The Teams app id")
        if not bot_id.strip():
            raise PackageError("The bot id is missing: pass --bot-id or set MICROSOFT_APP_ID to "
                               "the bot's Entra app id.")
        manifest = build_manifest(args.app_id, bot_id, args.version or DEFAULT_VERSION, developer)
    except PackageError as error:
        print(f"iip: {error} Nothing was written.", file=sys.stderr)
        return 2
    try:
        path = write_package(args.out, manifest)
    except OSError as error:
        print(f"iip: {args.out} could not be written: {error}", file=sys.stderr)
        return 1
    if developer.placeholders:
        missing = ", ".join("--" + options[field].replace("_", "-")
                            for field in developer.placeholders)
        print(f"iip: note: placeholder developer details were used; pass {missing} "
              "for a real deployment.", file=sys.stderr)
    print(f"Wrote {path}: Teams app {manifest['id']} version {manifest['version']} for bot "
          f"{manifest['bots'][0]['botId']}.")
    return 0
