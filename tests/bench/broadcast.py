"""A campaign's broadcast to the whole force, with SPOCs deciding ideas while it goes out, and
a broadcast killed half way and resumed.

    .venv/bin/python tests/bench/broadcast.py                        # SQLite and PostgreSQL
    .venv/bin/python tests/bench/broadcast.py --database postgresql
    .venv/bin/python tests/bench/broadcast.py --recipients 2000 --kill-recipients 600 --idle 15

What runs, each in its own process:

- a stand-in Bot Connector that behaves like Teams (tests/bench/standin.py): 50 sends a second
  per tenant and 7 per conversation, 429 with Retry-After past either, 150 ms a call. It
  attributes every send it accepts from what the card says: a campaign's call (by the
  campaign's name) to one recipient's chat, a decision's notice (by the idea's reference) to
  its contributor, or a staff card in a SPOC's or the PMO's chat; anything else is counted as
  unattributed;
- the IIP bot (bot.app.create_app with its outbox worker, as tests/bench/decisions.py runs it)
  on a fresh SQLite file or PostgreSQL database, seeded with bulk inserts: the organisation
  (16 SPOCs with a portfolio each, 3 PMO members), `--ideas` ideas, half awaiting a decision,
  each submitted by one of the recipients, and a stored 1:1 address for each of
  `--recipients` people;
- the load, in this process: `--spocs` SPOCs pressing decision buttons (real Teams
  `adaptiveCard/action` invokes), each pausing `--think` seconds on average between presses.

Three measured phases per database:

1. idle: the SPOCs decide for `--idle` seconds with nothing else queued; the time from each
   press to its contributor's notice being accepted by the stand-in is the baseline;
2. broadcast: a campaign to everyone with a 1:1 address is created and sent (one outbox row
   per recipient, in its batch), the SPOCs deciding until it has all gone out: elapsed time,
   the rate achieved against the ceiling, 429s, recipients reached, duplicates, the bot's
   peak resident memory, and the notices' latency (p99 against the idle baseline);
3. kill and resume: a second campaign to `--kill-recipients` of them; when `--kill-at` of it
   has been delivered the bot is SIGKILLed, then started again on the same database, and
   the broadcast finishes: everyone reached, and duplicates at most the sends in flight.

The targets are printed as PASS or FAIL, never asserted; the exit status is 1 only when a run
was dishonest: a message neither delivered nor dead, a pressed decision whose notice never
came, a send the stand-in could not attribute, a refused invoke, or an error in a bot's log.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from decisions import (
    BOT_ID,
    PMO,
    SEEDED_AT,
    TENANT,
    DayAfterSeeding,
    decisions_recorded,
    load,
    outbox_owed,
    percentile,
    run_server,
    seed,
)
from harness import (
    Child,
    DatabaseUnavailable,
    MemoryWatch,
    Progress,
    database_options,
    fresh_database,
    put_project_on_path,
    run_to_the_end,
)
from outbox import person
from standin import ThrottlingConnector, run_connector

put_project_on_path()

SCRIPT = Path(__file__).resolve()
CALL_NAME = "Broadcast benchmark call {n}"
CALL = re.compile(r"Broadcast benchmark call (\d+)")
PROGRESS = re.compile(r"(Sending: |Sent to )[\d,]+ of ")  # the sender's progress card
REFERENCE = re.compile(r"IIP-\d{4}-\d{5}")
STAFF_CHAT = "a:chat-with-"
SEED_BATCH = 2000

TARGET_CEILING_SHARE = 0.85
TARGET_THROTTLED_SHARE = 0.01
TARGET_RSS_MB = 300.0
TARGET_NOTICE_P99_S = 5.0


# ---------------------------------------------------------------------------------------------
# What the stand-in counts (it runs in its own process).
# ---------------------------------------------------------------------------------------------

def mark(conversation: str, activity: dict[str, Any]) -> str | None:
    """What a send delivers: "campaign:N/<chat>" (campaign N's call), "progress/<chat>" (its
    progress card), "staff/<chat>", "notice/<reference>"."""
    text = json.dumps(activity)
    call = CALL.search(text)
    if call and PROGRESS.match(str(activity.get("summary") or "")):
        return f"progress/{conversation}"
    if call:
        return f"campaign:{call[1]}/{conversation}"
    if conversation.startswith(STAFF_CHAT):
        return f"staff/{conversation}"
    reference = REFERENCE.search(text)
    return f"notice/{reference[0]}" if reference else None


def tally(stand_in: ThrottlingConnector) -> dict[str, Any]:
    """Deliveries by kind ("campaign:1", "notice", "staff"): distinct marks and all."""
    distinct: Counter[str] = Counter()
    sends: Counter[str] = Counter()
    for key, count in stand_in.delivered.items():
        kind = key.split("/", 1)[0]
        distinct[kind] += 1
        sends[kind] += count
    return {"kinds": dict(distinct), "sends_by_kind": dict(sends)}


# ---------------------------------------------------------------------------------------------
# Seeding and queueing.
# ---------------------------------------------------------------------------------------------

def contributor_of(recipients: int):
    """Idea n is submitted by recipient n (modulo their number): every contributor is in the
    broadcast's audience, so a notice may share its chat with a campaign's call."""
    return lambda number: person(number % recipients)[1]


async def store_addresses(database_url: str, recipients: int, connector_url: str) -> None:
    """A stored 1:1 address for each recipient, as the bot records when a person writes."""
    await store_chats(database_url, (person(index) for index in range(recipients)),
                      connector_url)


async def store_chats(database_url: str, chats: Iterable[tuple[str, str, str]],
                      connector_url: str) -> None:
    """A stored 1:1 address for each (conversation id, Entra object id, Teams user id), as
    the bot records when a person writes."""
    from sqlalchemy import insert

    from storage import tables as t
    from storage.engine import make_engine

    engine = make_engine(database_url)
    chats = iter(chats)
    async with engine.begin() as connection:
        while batch := list(itertools.islice(chats, SEED_BATCH)):
            await connection.execute(insert(t.conversation_addresses), [{
                "conversation_id": conversation_id, "kind": "personal",
                "service_url": connector_url, "tenant_id": TENANT, "bot_id": BOT_ID,
                "channel_id": "msteams", "object_id": object_id, "user_id": user_id,
                "first_seen_at": SEEDED_AT, "last_seen_at": SEEDED_AT,
            } for conversation_id, object_id, user_id in batch])
    await engine.dispose()


async def queue_campaign(database_url: str, n: int, members: tuple[str, ...] | None,
                         *, by: str = PMO[0], clock: Any = None,
                         ) -> tuple[int, int, float]:
    """Create campaign `n` and send its call the real way (CampaignService.send, the PMO
    member `by` who sends it following its progress), to everyone with a 1:1 address or to
    `members`, by `clock` (the bots' own; by default the day after the seeding): (campaign
    id, recipients, seconds the send took to queue them)."""
    from bot.app import build_services
    from bot.domain.campaigns import Audience, AudienceKind, CampaignRequest
    from bot.domain.ideas import uk_day
    from storage.engine import make_engine

    clock = clock or DayAfterSeeding()  # the bot's: what is queued is due by its clock
    today = uk_day(clock.now())
    audience = (Audience(AudienceKind.EVERYONE) if members is None
                else Audience(AudienceKind.FILE, "bench.csv", members))
    engine = make_engine(database_url)
    try:
        campaigns = build_services(engine, clock).campaigns
        campaign = await campaigns.create(CampaignRequest(
            name=CALL_NAME.format(n=n), theme="Fewer wasted trips",
            description="The force wants ideas that save officers' time between arrest and "
                        "handover: tell us what slows you down.",
            opens=today, closes=today + timedelta(days=30), audience=audience), by)
        started = time.perf_counter()
        sent = await campaigns.send(campaign.id, by, tenant_id=TENANT, progress_to=by)
        return campaign.id, sent.recipients, time.perf_counter() - started
    finally:
        await engine.dispose()


async def batch_left(database_url: str, campaign_id: int) -> tuple[int, int]:
    """(messages of the campaign still to send, dead ones)."""
    from bot.domain.campaign_sending import batch_of
    from storage.engine import make_engine
    from storage.outbox import SqlOutbox

    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            progress = await SqlOutbox(connection).batch_progress(batch_of(campaign_id))
        return progress.pending + progress.sending + progress.failing, progress.dead
    finally:
        await engine.dispose()


# ---------------------------------------------------------------------------------------------
# The phases.
# ---------------------------------------------------------------------------------------------

@dataclass
class Notices:
    """When each decided idea's button was pressed, and each invoke's round trip."""

    pressed: dict[int, float] = field(default_factory=dict)
    round_trips: list[float] = field(default_factory=list)  # each invoke's, in seconds

    def latencies(self, answered_at: dict[str, float]) -> tuple[list[float], list[str]]:
        """Seconds from each press to its notice's acceptance; the references never noticed."""
        seconds, missing = [], []
        for idea, at in self.pressed.items():
            reference = f"IIP-2026-{idea:05d}"
            sent = answered_at.get(f"notice/{reference}")
            if sent is None:
                missing.append(reference)
            else:
                seconds.append(sent - at)
        return seconds, missing


@dataclass
class Result:
    """One database's figures, its targets met or not, and what makes the run dishonest."""

    database: str
    figures: dict[str, Any] = field(default_factory=dict)
    checks: list[tuple[bool, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class Bench:
    """One database's run: its children, its seeded ideas, its phases."""

    def __init__(self, args: argparse.Namespace, database: str, url: str, workdir: Path,
                 progress: Progress) -> None:
        self.args = args
        self.url = url
        self.workdir = workdir
        self.progress = progress
        self.result = Result(database)
        self.rng = random.Random(args.seed)
        self.connector: Child | None = None
        self.bot: Child | None = None
        self.bots: list[Child] = []
        self.waiting: dict[int, list[tuple[int, int]]] = {}
        self.pressed = 0
        self.serials = 0

    async def start_bot(self, lease: float | None = None) -> Child:
        """A bot on the database, with its outbox worker (and this lease, if given)."""
        number = len(self.bots) + 1
        leased = ["--lease", str(lease)] if lease else []
        self.bot = Child(f"bot-{number}", SCRIPT,
                         ["--role", "server", "--database-url", self.url, *leased],
                         self.workdir / f"bot-{number}.log")
        self.bots.append(self.bot)
        await self.bot.start()
        return self.bot

    async def stop(self) -> None:
        for child in (self.bot, self.connector):
            if child is not None:
                await child.stop()

    def logged_errors(self) -> list[str]:
        return [line for bot in self.bots for line in bot.logged_errors()]

    async def run(self) -> Result:
        args, result = self.args, self.result
        self.connector = Child("connector", SCRIPT, [
            "--role", "connector", "--latency", str(args.latency), "--rate", str(args.rate),
            "--conversation-rate", str(args.conversation_rate),
        ], self.workdir / "connector.log")
        await self.connector.start()
        began = time.perf_counter()
        self.waiting = await seed(self.url, args.ideas, args.spocs, self.connector.url,
                                  self.rng, contributor_of(args.recipients))
        await store_addresses(self.url, args.recipients, self.connector.url)
        result.notes.append(f"seeded {args.ideas:,} ideas and {args.recipients:,} stored "
                            f"addresses in {time.perf_counter() - began:.1f} s")
        await self.start_bot()
        await self.decide(args.warmup_presses, think=0.0)  # warm the bot up
        await self.settle()
        await self.connector.ask("report")
        idle = await self.idle_phase()
        await self.broadcast_phase(idle)
        await self.bot.stop()
        await self.kill_phase()
        recorded = await decisions_recorded(self.url)
        if recorded != self.pressed:
            result.problems.append(f"{recorded} decisions recorded for {self.pressed} presses")
        result.problems += [f"logged: {line[:300]}" for line in self.logged_errors()[:5]]
        return result

    async def decide(self, per_spoc: int, think: float, notices: Notices | None = None,
                     stop: asyncio.Event | None = None) -> None:
        """Every SPOC presses up to `per_spoc` buttons (fewer if they run out of ideas, or
        once `stop` is set), `think` seconds apart on average."""
        assert self.bot is not None and self.connector is not None
        notices = notices if notices is not None else Notices()
        per_spoc = min(per_spoc, *(len(ideas) for ideas in self.waiting.values()))
        times, problems = await load(self.bot.url, self.connector.url, self.waiting,
                                     per_spoc, self.serials, think, self.rng,
                                     pressed=notices.pressed, stop=stop)
        notices.round_trips += [t for move_times in times.values() for t in move_times]
        self.serials += 10**6
        self.pressed += len(notices.pressed)
        self.result.problems += problems

    async def settle(self) -> int:
        """Until the outbox owes nothing (at most --settle seconds); what it still owes."""
        return await outbox_owed(self.url, self.args.settle)

    def most_presses(self, seconds: float) -> int:
        """Presses per SPOC that a phase of `seconds` could not exceed."""
        return int(seconds / max(self.args.think, 0.05) * 3) + 20

    async def notice_latency(self, notices: Notices, label: str) -> list[float]:
        owed = await self.settle()
        assert self.connector is not None
        report = await self.connector.ask("report")
        seconds, missing = notices.latencies(report["answered_at"])
        if missing:
            self.result.problems.append(f"{label}: {len(missing)} notices never sent "
                                        f"({', '.join(missing[:5])}); the outbox owes {owed}")
        self.check_attribution(report, label)
        self.last_report = report
        return seconds

    def check_attribution(self, report: dict[str, Any], label: str) -> None:
        if report["unmarked"]:
            self.result.problems.append(f"{label}: {report['unmarked']} sends the stand-in "
                                        "could not attribute")
        if report["other"]:
            self.result.problems.append(f"{label}: unexpected requests {report['other']}")

    async def idle_phase(self) -> list[float]:
        args = self.args
        self.progress.note(f"  idle: {args.spocs} SPOCs decide for {args.idle:g} s with "
                           "nothing else queued...")
        notices, stop = Notices(), asyncio.Event()
        asyncio.get_running_loop().call_later(args.idle, stop.set)
        await self.decide(self.most_presses(args.idle), args.think, notices, stop)
        seconds = await self.notice_latency(notices, "idle")
        self.result.figures["idle"] = {**summary(seconds),
                                       "invoke": summary(notices.round_trips)}
        return seconds

    async def broadcast_phase(self, idle: list[float]) -> None:
        args, result = self.args, self.result
        assert self.bot is not None and self.connector is not None
        self.progress.note(f"  broadcast: a campaign to everyone with a 1:1 address, "
                           f"{args.spocs} SPOCs deciding meanwhile...")
        notices, stop = Notices(), asyncio.Event()
        async with MemoryWatch(self.bot.pid) as memory:
            campaign, queued, queueing = await queue_campaign(self.url, 1, None)
            started = time.monotonic()
            spocs = asyncio.create_task(self.decide(self.most_presses(10 * queued / args.rate),
                                                    args.think, notices, stop))
            left, dead = await self.watch(campaign, queued, started, "broadcast", memory)
            stop.set()
            await spocs
        seconds = await self.notice_latency(notices, "broadcast")
        report = self.last_report
        times = [at for key, at in report["answered_at"].items()
                 if key.startswith(f"campaign:{campaign}/")]
        elapsed = (max(times) if times else time.monotonic()) - started
        reached = report["kinds"].get(f"campaign:{campaign}", 0)
        sends = sum(report["sends_by_kind"].values())
        duplicates = report["sends_by_kind"].get(f"campaign:{campaign}", 0) - reached
        calls = report["calls"]
        rate = reached / elapsed if elapsed else 0.0
        throttled = report["throttled"] / calls if calls else 0.0
        idle_p99 = percentile(idle, 0.99) / 1000 if idle else float("nan")
        busy_p99 = percentile(seconds, 0.99) / 1000 if seconds else float("nan")
        result.figures["broadcast"] = {
            "queued": queued, "queueing_s": queueing, "elapsed_s": elapsed,
            "reached": reached, "rate": rate, "all_sends": sends,
            "all_rate": sends / elapsed if elapsed else 0.0,
            "calls": calls, "throttled": report["throttled"], "duplicates": duplicates,
            "dead": dead, "peak_rss_mb": memory.peak_rss / 2**20,
            "hwm_mb": (memory.high_water_mark() or 0) / 2**20,
            "notices": {**summary(seconds), "invoke": summary(notices.round_trips)},
            "sends_by_kind": report["sends_by_kind"],
        }
        result.notes.append(f"queued {queued:,} campaign messages through "
                            f"{QUEUED_THROUGH} in {queueing:.2f} s")
        share = rate / args.rate
        all_share = sends / elapsed / args.rate if elapsed else 0.0
        # The ceiling is the tenant's: the SPOCs' notices and staff cards share it with the
        # broadcast, so the target is judged on every send, the broadcast's share printed.
        result.checks += [
            (reached == queued and all_share >= TARGET_CEILING_SHARE,
             f"{reached:,}/{queued:,} reached in {elapsed:.1f} s; the tenant's sends "
             f"{sends / elapsed:.2f}/s = {all_share:.1%} of the {args.rate:g}/s ceiling, the "
             f"broadcast's own {rate:.2f}/s = {share:.1%} (target: all reached, >= "
             f"{TARGET_CEILING_SHARE:.0%})"),
            (throttled < TARGET_THROTTLED_SHARE,
             f"{report['throttled']} of {calls:,} calls answered 429 = {throttled:.2%} "
             f"(target < {TARGET_THROTTLED_SHARE:.0%})"),
            (duplicates == 0, f"{duplicates} duplicate calls (target 0)"),
            (memory.peak_rss / 2**20 < TARGET_RSS_MB,
             f"bot peak RSS {memory.peak_rss / 2**20:.1f} MB (target < {TARGET_RSS_MB:g} MB)"),
            (busy_p99 < TARGET_NOTICE_P99_S,
             f"notice p99 {busy_p99:.2f} s from press to sent over {len(seconds)} decisions "
             f"during the broadcast (target < {TARGET_NOTICE_P99_S:g} s); idle "
             f"{idle_p99:.2f} s over {len(idle)}: {busy_p99 / idle_p99:.1f}x"),
        ]
        if left or reached + dead != queued:
            result.problems.append(f"broadcast: {queued - reached - dead} messages neither "
                                   f"delivered nor dead ({left} still owed)")

    async def watch(self, campaign: int, total: int, started: float, label: str,
                    memory: MemoryWatch | None = None, until: int | None = None,
                    already: int = 0) -> tuple[int, int]:
        """Show progress until the campaign is all sent (or `until` of it is delivered, or
        the deadline passes); (messages still owed, dead ones). `already`: deliveries the
        stand-in has reported (and forgotten) before."""
        assert self.connector is not None
        deadline = started + 3 * total / self.args.rate + 120
        while True:
            await asyncio.sleep(0.5)
            stats = await self.connector.ask("stats")
            done = already + stats["kinds"].get(f"campaign:{campaign}", 0)
            now = time.monotonic()
            rss = f"  RSS {memory.last_rss / 2**20:.0f} MB" if memory else ""
            self.progress.show(f"  {label}: {done:,} deliveries of {total:,}  "
                               f"{done / max(now - started, 1e-9):5.1f}/s  429s "
                               f"{stats['throttled']}  notices "
                               f"{stats['kinds'].get('notice', 0)}{rss}  {now - started:4.0f} s")
            if until is not None and done >= until:
                return total - done, 0
            if done >= total or now > deadline:
                left, dead = await batch_left(self.url, campaign)
                if not left or now > deadline:
                    self.progress.show(f"  {label}: {done:,} deliveries of {total:,} in "
                                       f"{now - started:.0f} s", final=True)
                    return left, dead

    async def kill_phase(self) -> None:
        from bot.config import Settings

        args, result = self.args, self.result
        assert self.connector is not None
        count = min(args.kill_recipients, args.recipients)
        members = tuple(person(n)[1] for n in range(count))
        self.progress.note(f"  kill and resume: a campaign to {count:,} people, the bot "
                           f"SIGKILLed at {args.kill_at:.0%} and started again...")
        bot = await self.start_bot(args.kill_lease)
        window = Settings(database_url=self.url).outbox_in_flight  # as the bot has it
        campaign, queued, _queueing = await queue_campaign(self.url, 2, members)
        started = time.monotonic()
        await self.watch(campaign, queued, started, "kill run", until=int(queued * args.kill_at))
        at_connector = (await self.connector.ask("stats"))["in_flight"]
        os.kill(bot.pid, signal.SIGKILL)  # this child only, by its own pid
        killed_at = time.monotonic()
        assert bot.process is not None
        await bot.process.wait()
        # The sends the killed bot had in flight are answered (and counted) before the
        # restart: Teams delivers what reached it, whoever waits for the answer.
        for _ in range(50):
            if not (await self.connector.ask("stats"))["in_flight"]:
                break
            await asyncio.sleep(0.1)
        before = (await self.connector.ask("report"))["counts"]
        prefix = f"campaign:{campaign}/"
        sent_before = sum(1 for key in before if key.startswith(prefix))
        await self.start_bot(args.kill_lease)
        restarted = time.monotonic() - killed_at
        left, dead = await self.watch(campaign, queued, started, "kill run",
                                      already=sent_before)
        await self.settle()
        after_report = await self.connector.ask("report")
        self.check_attribution(after_report, "kill run")
        after = after_report["counts"]
        ours = Counter({k: n for k, n in before.items() if k.startswith(prefix)})
        ours.update({k: n for k, n in after.items() if k.startswith(prefix)})
        duplicates = sum(n - 1 for n in ours.values())
        repeated_unsent = [k for k, n in after.items()
                           if k.startswith(prefix) and n > 1 and k not in before]
        elapsed = max(after_report["answered_at"].values(), default=killed_at) - started
        result.figures["kill"] = {
            "queued": queued, "reached": len(ours), "delivered_before_kill": sent_before,
            "in_flight_at_connector": at_connector, "window": window,
            "duplicates": duplicates, "restart_s": restarted, "elapsed_s": elapsed,
            "lease_s": args.kill_lease, "dead": dead,
        }
        result.checks += [
            (len(ours) == queued,
             f"kill and resume: {len(ours):,}/{queued:,} reached in {elapsed:.1f} s, the bot "
             f"back {restarted:.1f} s after the SIGKILL, what it held sent again once its "
             f"{args.kill_lease:g} s lease ran out (target: all)"),
            (duplicates <= window,
             f"kill and resume: {duplicates} duplicates; the window is {window} sends in "
             f"flight (IIP_OUTBOX_IN_FLIGHT), {at_connector} were at the connector at the "
             f"kill (target: duplicates <= window)"),
        ]
        if repeated_unsent:
            result.problems.append(f"kill run: sent twice after the restart without a send "
                                   f"before the kill: {repeated_unsent[:5]}")
        if left or len(ours) + dead != queued:
            result.problems.append(f"kill run: {queued - len(ours) - dead} messages neither "
                                   f"delivered nor dead")


QUEUED_THROUGH = "CampaignService.send"


def summary(seconds: list[float]) -> dict[str, Any]:
    if not seconds:
        return {"n": 0}
    return {"n": len(seconds), "p50_s": percentile(seconds, 0.50) / 1000,
            "p95_s": percentile(seconds, 0.95) / 1000, "p99_s": percentile(seconds, 0.99) / 1000,
            "max_s": max(seconds)}


# ---------------------------------------------------------------------------------------------
# The report.
# ---------------------------------------------------------------------------------------------

def report(args: argparse.Namespace, results: list[Result]) -> int:
    honest = True
    print()
    print(f"Broadcast: {args.recipients:,} people with stored 1:1 addresses, {args.spocs} SPOCs "
          f"pressing decisions ({args.think:g} s apart on average). Stand-in connector: "
          f"{args.rate:g} sends/s per tenant, {args.conversation_rate:g}/s per conversation, "
          f"429 + Retry-After past them, {args.latency * 1000:g} ms a call. "
          f"{os.cpu_count()} CPU(s); load average {os.getloadavg()[0]:.2f}.")
    for result in results:
        print()
        print(f"{result.database}:")
        for note in result.notes:
            print(f"        {note}")
        figures = result.figures
        for phase in ("idle", "broadcast"):
            latency = figures.get(phase, {}).get("notices") if phase == "broadcast" \
                else figures.get(phase)
            if latency and latency.get("n"):
                invoke = latency["invoke"]
                print(f"        notices {phase}: {latency['n']} decisions, press to sent p50 "
                      f"{latency['p50_s']:.2f} s, p95 {latency['p95_s']:.2f} s, p99 "
                      f"{latency['p99_s']:.2f} s, max {latency['max_s']:.2f} s (the invoke's "
                      f"round trip alone: p50 {invoke['p50_s']:.2f} s, p99 "
                      f"{invoke['p99_s']:.2f} s)")
        if "broadcast" in figures:
            print(f"        sends during the broadcast by kind: "
                  f"{figures['broadcast']['sends_by_kind']}")
        for passed, text in result.checks:
            print(f"  {'PASS' if passed else 'FAIL'}  {text}")
        for problem in result.problems:
            honest = False
            print(f"  PROBLEM  {problem}")
    print()
    print(json.dumps([{"database": r.database, **r.figures} for r in results]),
          file=sys.stderr)
    if honest:
        print("Every message was delivered once as counted (or is dead in the outbox), every "
              "decision's notice was sent, every send was attributed, and the bots logged no "
              "errors.")
        return 0
    print("The run had problems (above): its figures are not to be quoted.")
    return 1


async def bench_one(args: argparse.Namespace, database: str, workdir: Path,
                    progress: Progress) -> Result:
    try:
        async with fresh_database(database, "iip_broadcast_bench", folder=workdir,
                                  admin_url=args.postgres_url) as url:
            bench = Bench(args, database, url, workdir, progress)
            try:
                return await bench.run()
            finally:
                await bench.stop()
    except DatabaseUnavailable as error:
        failed = Result(database)
        failed.problems.append(f"PostgreSQL is unreachable at {args.postgres_url}: {error}")
        return failed


async def bench(args: argparse.Namespace) -> int:
    progress = Progress(every=args.progress_every)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = []
    for database in databases:
        progress.note(f"{database}: seeding {args.ideas:,} ideas and {args.recipients:,} "
                      "people...")
        workdir = Path(tempfile.mkdtemp(prefix=f"iip-broadcast-{database}-"))
        try:
            results.append(await bench_one(args, database, workdir, progress))
        finally:
            if args.keep:
                progress.note(f"  logs kept in {workdir}")
            else:
                shutil.rmtree(workdir, ignore_errors=True)
    return report(args, results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    database_options(parser)
    parser.add_argument("--recipients", type=int, default=12_000,
                        help="people with a stored 1:1 address: the broadcast's audience")
    parser.add_argument("--spocs", type=int, default=16)
    parser.add_argument("--ideas", type=int, default=4_000,
                        help="ideas seeded, half of them awaiting a decision")
    parser.add_argument("--think", type=float, default=10.0,
                        help="mean seconds a SPOC takes between presses (default 10)")
    parser.add_argument("--idle", type=float, default=30.0,
                        help="seconds the SPOCs decide with no broadcast: the baseline")
    parser.add_argument("--kill-recipients", type=int, default=1_500,
                        help="the killed and resumed campaign's audience (default 1500)")
    parser.add_argument("--kill-at", type=float, default=0.5,
                        help="the share of that campaign delivered when the bot is killed")
    parser.add_argument("--kill-lease", type=float, default=20.0,
                        help="the outbox lease of the killed bot and its successor (as "
                             "IIP_OUTBOX_LEASE_SECONDS): "
                             "how soon the messages it held may be sent again (default 20)")
    parser.add_argument("--warmup-presses", type=int, default=2)
    parser.add_argument("--settle", type=float, default=30.0,
                        help="at most this many seconds for the outbox to catch up after a "
                             "phase")
    parser.add_argument("--latency", type=float, default=0.150)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--conversation-rate", type=float, default=7.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--progress-every", type=float, default=5.0)
    parser.add_argument("--keep", action="store_true", help="keep the bots' logs")
    parser.add_argument("--role", choices=("server", "connector"), help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--lease", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "server":
        leased = {"outbox_lease_seconds": args.lease} if args.lease else {}
        asyncio.run(run_server(args.database_url, None, True, **leased))
        return 0
    if args.role == "connector":
        asyncio.run(run_connector(args.latency, max(1, round(args.rate)),
                                  max(1, round(args.conversation_rate)), mark, tally))
        return 0
    if not 0 < args.kill_at < 1 or args.recipients < 1 or args.ideas < 2 * args.spocs:
        parser.error("--kill-at must be between 0 and 1, --recipients at least 1, and "
                     "--ideas at least twice --spocs")
    return run_to_the_end(bench(args))


if __name__ == "__main__":
    sys.exit(main())
