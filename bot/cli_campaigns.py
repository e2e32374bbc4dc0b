"""`iip campaign create`: a new campaign from the command line, kept as a draft."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli_database import with_engine
from bot.config import Settings
from bot.domain.campaigns import (
    MAX_FILE_BYTES,
    AudienceKind,
    Campaign,
    CampaignRequest,
    InvalidCampaign,
    parse_audience,
)


def add_commands(commands: Any) -> None:
    """Add `campaign create` to the `iip` parser's subcommands."""
    campaign = commands.add_parser("campaign", help="the PMO's calls for ideas").add_subparsers(
        metavar="ACTION")
    create = campaign.add_parser("create", help="create a campaign (a draft: nothing is sent); "
                                                "prints its id last")
    create.add_argument("--name", required=True)
    create.add_argument("--theme", required=True)
    create.add_argument("--description", required=True,
                        help="what the force wants ideas about, and why")
    create.add_argument("--opens", required=True, type=_day, help="opening day, like 2027-01-04")
    create.add_argument("--closes", required=True, type=_day, help="closing day, like 2027-02-26")
    create.add_argument("--audience", required=True,
                        help="everyone | channel:ID | change-agents | portfolio:KEY | "
                             "file:PATH.csv (one Entra object id a line)")
    create.add_argument("--question", action="append", default=[], dest="questions",
                        help="a question of the campaign's own (up to three; repeat the option)")
    create.add_argument("--image", help="an https address of the call's image")
    create.set_defaults(run=_create)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value[:40]!r} is not a day; write it like 2027-01-04") from None


def _request(args: argparse.Namespace) -> CampaignRequest:
    """The request the options make, the audience file read; InvalidCampaign if it cannot be."""
    audience = parse_audience(args.audience)
    if audience.kind is AudienceKind.FILE:
        path = Path(audience.target)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise InvalidCampaign([f"{path} is over {MAX_FILE_BYTES // 1_000_000} MB; an "
                                       "audience file holds one Entra object id a line."])
            with path.open(encoding="utf-8-sig") as lines:
                audience = audience.with_members(line.rstrip("\r\n") for line in lines)
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidCampaign([f"{audience.target} cannot be read: "
                                   f"{getattr(error, 'strerror', None) or error}."]) from None
    return CampaignRequest(
        name=args.name, theme=args.theme, description=args.description, opens=args.opens,
        closes=args.closes, audience=audience, questions=tuple(args.questions),
        image_url=args.image)


def _create(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build_services
    from bot.domain.audit import SYSTEM
    from bot.services.clock import SystemClock
    from storage.migrate import upgrade

    async def create(engine: AsyncEngine, request: CampaignRequest) -> Campaign:
        await upgrade(engine)
        services = build_services(engine, SystemClock())
        return await services.campaigns.create(request, actor=f"{SYSTEM}:iip campaign create")

    try:
        request = _request(args)
        campaign = asyncio.run(with_engine(settings, lambda engine: create(engine, request)))
    except InvalidCampaign as error:
        print("iip: the campaign was not created; nothing changed:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    members = campaign.audience.members
    size = f" ({len(members):,} people)" if members else ""
    print(f"Created campaign {campaign.name!r} ({campaign.key}) as a draft, from "
          f"{campaign.opens:%d %B %Y} to {campaign.closes:%d %B %Y}, for "
          f"{campaign.audience}{size}.")
    print(campaign.id)
    return 0
