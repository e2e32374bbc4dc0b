"""`iip campaign ...`: the PMO's campaigns from the command line: create one (a draft), send
its call now or schedule it, follow it, call it off, resend what failed, list them all.

Each change is made as `cli:<login name>`, audited like a change from Teams; bad input is a
kind message and exit 2, with nothing changed."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.cli_arguments import uk_moment
from bot.cli_database import with_services
from bot.config import Settings
from bot.domain.campaign_schedule import uk_moment_text
from bot.domain.campaign_sending import CampaignOverview, CampaignStatus
from bot.domain.campaigns import (
    MAX_FILE_BYTES,
    AudienceKind,
    CampaignRequest,
    InvalidCampaign,
    parse_audience,
)
from bot.domain.text import visible

if TYPE_CHECKING:
    from bot.services.campaigns import CampaignService

T = TypeVar("T")
# The longest login name an actor keeps (the audit's actor column holds 200 characters).
_LOGIN_LIMIT = 60


def add_commands(commands: Any) -> None:
    """Add `campaign create`, `send`, `cancel`, `status`, `resend-failed`, `list` and
    `schedule` to the `iip` parser's subcommands."""
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
    create.add_argument("--remind", action="store_true",
                        help="remind the audience two days before the campaign closes")
    create.set_defaults(run=_create)
    for action, words in (("send", "send the campaign's call to its audience, once"),
                          ("cancel", "call the campaign off: what is not sent yet never goes"),
                          ("status", "where the campaign's call stands"),
                          ("resend-failed", "try again the calls that failed (never to people "
                                            "who blocked the app)")):
        command = campaign.add_parser(action, help=words)
        command.add_argument("id", type=_campaign_id, help="the campaign's number")
        if action == "status":
            command.add_argument("--format", choices=("text", "json"), default="text")
        command.set_defaults(run=_act, action=action)
    listing = campaign.add_parser("list", help="every campaign, with its numbers")
    listing.set_defaults(run=_list)
    schedule = campaign.add_parser("schedule", help="send the campaign's call at a moment to "
                                                    "come (again to move it)")
    schedule.add_argument("id", type=_campaign_id, help="the campaign's number")
    schedule.add_argument("--at", required=True, type=uk_moment("at"),
                          help='UK time, like "2026-12-08 09:00"')
    schedule.set_defaults(run=_schedule)


def _campaign_id(value: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise argparse.ArgumentTypeError(f"{value[:40]!r} is not a campaign's number")
    return int(value)


def cli_actor() -> str:
    """Who makes a change from the command line: `cli:` and the login name running it."""
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the password file
        login = "unknown"
    shown = "".join(c for c in visible(login) if c.isprintable()).strip()
    return f"cli:{shown[:_LOGIN_LIMIT] or 'unknown'}"


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value[:40]!r} is not a day; write it like 2027-01-04") from None



def _schedule(settings: Settings, args: argparse.Namespace) -> int:
    campaign_id: int = args.id
    try:
        campaign = _with_campaigns(settings, lambda c: c.schedule(campaign_id, args.at,
                                                                  cli_actor()))
    except InvalidCampaign as error:
        return _refused(error, "the campaign was not scheduled")
    at = campaign.scheduled_at or args.at
    print(f"Scheduled the call of {campaign.name!r} for {uk_moment_text(at)} (UK time); the "
          "scheduler sends it then, to its audience as it is at that moment.")
    return 0


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
        image_url=args.image, remind_before_close=args.remind)


def _with_campaigns(settings: Settings, work: Callable[[CampaignService], Awaitable[T]], *,
                    changes: bool = True) -> T:
    """`work` done with the campaign service on the configured database (see
    bot.cli_database.with_services)."""
    return with_services(settings, lambda services: work(services.campaigns), changes=changes)


def _refused(error: InvalidCampaign, what: str) -> int:
    print(f"iip: {what}; nothing changed:", file=sys.stderr)
    for problem in error.problems:
        print(f"  - {problem}", file=sys.stderr)
    return 2


def _create(settings: Settings, args: argparse.Namespace) -> int:
    try:
        request = _request(args)
        campaign = _with_campaigns(
            settings, lambda campaigns: campaigns.create(request, actor=cli_actor()))
    except InvalidCampaign as error:
        return _refused(error, "the campaign was not created")
    members = campaign.audience.members
    size = f" ({len(members):,} people)" if members else ""
    print(f"Created campaign {campaign.name!r} ({campaign.key}) as a draft, from "
          f"{campaign.opens:%d %B %Y} to {campaign.closes:%d %B %Y}, for "
          f"{campaign.audience}{size}.")
    print(campaign.id)
    return 0


def _act(settings: Settings, args: argparse.Namespace) -> int:
    """`send`, `cancel`, `status` or `resend-failed` for campaign `args.id`."""
    campaign_id: int = args.id
    try:
        match args.action:
            case "send":
                tenant = settings.app_tenant_id or None
                sent = _with_campaigns(settings, lambda c: c.send(
                    campaign_id, cli_actor(), tenant_id=tenant))
                print(f"Queued the call of {sent.campaign.name!r} to {sent.recipients:,} "
                      f"recipient(s) (outbox batch {sent.batch}); the outbox sends it at "
                      "Teams' pace. Follow it with `iip campaign status "
                      f"{campaign_id}`.")
            case "cancel":
                status = _with_campaigns(settings, lambda c: c.cancel(campaign_id, cli_actor()))
                print(f"Cancelled campaign {campaign_id}: {status.cancelled:,} message(s) "
                      f"called off, {status.sent:,} already sent.")
            case "resend-failed":
                again = _with_campaigns(settings, lambda c: c.resend_failed(campaign_id,
                                                                            cli_actor()))
                print(f"Queued {again:,} failed call(s) to be sent again (never to people "
                      "who blocked or removed the app).")
            case _:
                status = _with_campaigns(settings, lambda c: c.status(campaign_id),
                                         changes=False)
                _print_status(status, args.format)
    except InvalidCampaign as error:
        return _refused(error, f"campaign {args.action} was refused")
    return 0


def status_json(status: CampaignStatus) -> dict[str, object]:
    """The status as `iip campaign status --format json` prints it."""
    return {"state": status.state.value, "recipients": status.recipients, "sent": status.sent,
            "failed": status.failed, "pending": status.pending,
            "unreachable": [{"recipient": u.recipient, "reason": u.reason}
                            for u in status.unreachable]}


def _print_status(status: CampaignStatus, form: str) -> None:
    if form == "json":
        print(json.dumps(status_json(status), indent=2))
        return
    print(f"{status.state.value}: {status.recipients:,} recipient(s), {status.sent:,} sent, "
          f"{status.failed:,} failed, {status.pending:,} pending"
          + (f", {status.cancelled:,} called off" if status.cancelled else "") + ".")
    if status.unreachable:
        print(f"Unreachable ({len(status.unreachable):,}):")
        for person in status.unreachable:
            print(f"  {person.recipient}: {person.reason}")


def _list(settings: Settings, _args: argparse.Namespace) -> int:
    overview: CampaignOverview = _with_campaigns(settings, lambda c: c.overview(),
                                                 changes=False)
    for summary in overview.campaigns:
        c = summary.campaign
        print(f"{c.id}  {c.key}  {c.state.value}  {c.opens:%Y-%m-%d} to {c.closes:%Y-%m-%d}  "
              f"{c.audience}  reached {summary.reached:,}, "
              f"ideas {summary.ideas_received:,}")
    print(f"{len(overview.campaigns):,} campaign(s); {overview.opted_out:,} "
          "people have stopped campaign calls.")
    return 0
