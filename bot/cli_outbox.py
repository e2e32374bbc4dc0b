"""`iip outbox run|status|retry|drop`: deliver the outbox without serving (its metrics on a
port of its own if asked), see what it holds and which destinations are paused, send dead
messages again, and give up a destination gone for good."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli_arguments import uk_moment
from bot.cli_campaigns import cli_actor
from bot.cli_confirm import confirmed
from bot.cli_database import with_current_schema, with_engine
from bot.config import Settings
from bot.domain.campaign_schedule import uk_moment_text
from bot.domain.outbox import MessageKind

if TYPE_CHECKING:
    from bot.delivery.worker import DeliveryWorker
    from bot.domain.breakers import GivenUp, PausedDestination
    from storage.outbox import OutboxStatus


def add_commands(commands: Any) -> None:
    """Add `outbox run|status|retry|drop` to the `iip` parser's subcommands."""
    outbox = commands.add_parser("outbox", help="messages owed to people")
    actions = outbox.add_subparsers(metavar="ACTION")
    run = actions.add_parser("run", help="deliver the outbox without serving")
    run.add_argument("--once", action="store_true", help="deliver what is due now, then stop")
    run.add_argument("--metrics-port", type=_port, metavar="PORT",
                     help="serve GET /metrics on IIP_HOST:PORT while delivering, as the bot "
                          "does (IIP_METRICS_TOKEN too); default: none")
    run.set_defaults(run=_run)
    actions.add_parser("status", help="counts, the oldest pending message's age, and the "
                                      "destinations paused").set_defaults(run=_status)
    retry = actions.add_parser("retry", help="send dead messages again")
    retry.add_argument("--dead", action="store_true", required=True,
                       help="requeue dead messages (never those to people who blocked the app)")
    retry.add_argument("--kind", choices=[kind.value for kind in MessageKind],
                       help="only messages of this kind")
    retry.add_argument("--since", type=uk_moment("since"), metavar="WHEN",
                       help="only messages queued at or after WHEN: a day (2026-12-01, from "
                            "midnight UK time) or an ISO moment (2026-12-01T08:30, UK time "
                            "unless it has an offset)")
    retry.add_argument("--batch", metavar="KEY",
                       help="only messages of this batch (a campaign's is campaign:ID)")
    retry.set_defaults(run=_retry)
    drop = actions.add_parser("drop", help="give up a team channel or group chat gone for "
                                           "good: its unsent messages die, its pause ends")
    drop.add_argument("--conversation", required=True, type=_conversation, metavar="ID",
                      help="the destination's Teams conversation id (as `iip outbox status` "
                           "lists it)")
    drop.add_argument("--yes", action="store_true", help="do not ask to confirm (for scripts)")
    drop.set_defaults(run=_drop)


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port: give a number from 1 to "
                                         "65535")
    return port


def _conversation(value: str) -> str:
    if not value.strip() or len(value) > 400 or not value.isprintable():
        raise argparse.ArgumentTypeError("give the conversation id as `iip outbox status` "
                                         "lists it")
    return value.strip()



def _run(settings: Settings, args: argparse.Namespace) -> int:
    import aiohttp
    from aiohttp import web
    from prometheus_client import CollectorRegistry

    from bot.app import build_worker
    from bot.metrics import PortalMetrics
    from bot.services.clock import SystemClock
    from storage.migrate import upgrade

    async def deliver(engine: AsyncEngine) -> None:
        await upgrade(engine)
        clock = SystemClock()
        metrics = None if args.metrics_port is None else PortalMetrics(CollectorRegistry())
        async with aiohttp.ClientSession() as session:
            worker = build_worker(engine, settings, clock, session, metrics=metrics)
            if metrics is None:
                await _deliver(worker, args.once)
                return
            from bot.app import metrics_app

            runner = web.AppRunner(metrics_app(engine, settings, clock, metrics),
                                           access_log=None)
            await runner.setup()
            try:
                await web.TCPSite(runner, settings.host, args.metrics_port).start()
                print(f"Metrics at http://{settings.host}:{args.metrics_port}/metrics",
                      file=sys.stderr)
                await _deliver(worker, args.once)
            finally:
                await runner.cleanup()

    try:
        asyncio.run(with_engine(settings, deliver))
    except OSError as error:  # the metrics port is taken, say
        print(f"iip: the outbox was not delivered: {error}", file=sys.stderr)
        return 1
    return 0


async def _deliver(worker: DeliveryWorker, once: bool) -> None:
    """What is due now (`once`), or until SIGINT or SIGTERM."""
    if once:
        await worker.run_until_empty()
        return
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print("Delivering the outbox. Press Ctrl-C to stop.", file=sys.stderr)
    await worker.run(stop)


def _status(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.app import build_breakers
    from bot.services.clock import SystemClock
    from storage.outbox import SqlOutboxQueue

    async def read(engine: AsyncEngine) -> tuple[OutboxStatus, list[PausedDestination]]:
        clock = SystemClock()
        return (await SqlOutboxQueue(engine).status(clock.now()),
                await build_breakers(engine, settings, clock).paused())

    status, paused = asyncio.run(with_current_schema(settings, read))
    oldest = status.oldest_pending_seconds
    print(f"pending    {status.pending:>8,}")
    print(f"in flight  {status.sending:>8,}")
    print(f"sent       {status.sent:>8,}")
    print(f"failing    {status.failing:>8,}  (pending again after an error)")
    print(f"dead       {status.dead:>8,}")
    print(f"cancelled  {status.cancelled:>8,}  (called off with their batch)")
    print(f"oldest pending: {'none' if oldest is None else f'{oldest:,.0f} s'}")
    _say_paused(paused)
    return 0


def _say_paused(paused: list[PausedDestination]) -> None:
    """The paused destinations, one paragraph each, in UK time."""
    if not paused:
        print("paused destinations: none")
        return
    print(f"paused destinations: {len(paused)}")
    for destination in paused:
        breaker = destination.breaker
        print(f"  {destination.name}")
        print(f"    conversation  {breaker.conversation_id}")
        print(f"    since         {_uk(breaker.opened_at)}  ({breaker.reason})")
        print(f"    failures      {breaker.failures:,}")
        print(f"    next probe    {_uk(breaker.probe_at)}")
        print(f"    messages held {destination.held:,}")


def _uk(moment: datetime) -> str:
    return f"{uk_moment_text(moment)} UK time"


def _retry(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.clock import SystemClock
    from storage.outbox import DeadFilter, SqlOutboxQueue

    wanted = DeadFilter(kind=MessageKind(args.kind) if args.kind else None, since=args.since,
                        batch=args.batch)

    async def requeue(engine: AsyncEngine):
        return await SqlOutboxQueue(engine).requeue_dead(SystemClock().now(), wanted)

    done = asyncio.run(with_current_schema(settings, requeue))
    print(f"Requeued {done.requeued:,} dead message(s).")
    if done.unreachable:
        print(f"Skipped {done.unreachable:,}: their recipients blocked or removed the app (or "
              "their chat is gone), so sending again would not reach them.")
    return 0


def _drop(settings: Settings, args: argparse.Namespace) -> int:
    conversation: str = args.conversation
    if not args.yes and not confirmed("drop", "dropping", (
            f"This gives up every message not yet sent to {conversation}: each is marked dead "
            "with the reason, and its pause ends. Messages queued for it later are tried "
            "afresh.")):
        return 2

    async def drop(engine: AsyncEngine) -> GivenUp:
        from bot.app import build_breakers
        from bot.services.clock import SystemClock
        from storage.migrate import upgrade

        await upgrade(engine)
        return await build_breakers(engine, settings, SystemClock()).drop(conversation,
                                                                          cli_actor())

    dropped = asyncio.run(with_engine(settings, drop))
    if not dropped.messages and not dropped.was_paused:
        print(f"Nothing was waiting for {conversation}, and it was not paused; nothing "
              "changed.")
        return 0
    print(f"Dropped {conversation}: {dropped.messages:,} message(s) given up"
          f"{', and its pause ended' if dropped.was_paused else ''}.")
    return 0
