"""Outbox throughput: the IIP bot's outbox worker against the SDK's documented proactive sends.

    .venv/bin/python tests/bench/outbox.py                          # SQLite, 10,000 rows
    .venv/bin/python tests/bench/outbox.py --database postgresql
    .venv/bin/python tests/bench/outbox.py --rows 2000 --baseline-rows 200

What runs, each in its own process, so that no two share an event loop:

- a stand-in Bot Connector that behaves like Teams under load: it allows 50 sends a second
  per tenant (the benchmark has one tenant) and 7 a second per conversation, in sliding
  one-second windows counted when a call arrives, answers 429 with Retry-After (whole seconds
  until the window has room) past them, and takes `--latency` (150 ms) over every call, with
  any number in flight. Every card carries its row's de-duplication key, so that the stand-in
  counts deliveries per row, and duplicates;
- the project's way: 10,000 campaign messages to 10,000 people, each with a stored 1:1
  conversation address pointing at the stand-in, queued through the real storage
  (SqlUnitOfWork: addresses.remember and outbox.enqueue, 500 people a transaction), then
  delivered by the real worker (bot.app.build_worker, anonymous, production JSON logging)
  until the outbox is empty; this process watches its resident memory and CPU time;
- the baseline: the same card to the same people the SDK's documented way, one
  `CloudAdapter.continue_conversation(reference, callback, "")` per message (the
  16.proactive-messages sample: a ConversationReference per person, built from the stored
  address, sent one after another; `--baseline-concurrency` sends several at once). The SDK
  does not retry a 429: the send raises, and the message is counted as lost.

Elapsed time runs from the moment the sender is told to start until the stand-in answers the
last delivery. The targets are printed as PASS or FAIL, not asserted; the exit status is 1
only when the run was not honest (messages neither delivered nor dead, an error in the
worker's log, a call the stand-in could not attribute), so that its figures cannot be quoted
by mistake.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import (
    POSTGRES_ADMIN_URL,
    Child,
    MemoryWatch,
    Progress,
    postgres_database,
    put_project_on_path,
    ready,
    run_to_the_end,
    say,
    stdin_lines,
)
from standin import run_connector

put_project_on_path()

SCRIPT = Path(__file__).resolve()
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:00000000-0000-0000-0000-0000000b0e7c"
REFERENCE_ID = "bench-reference"  # the card element that carries the row's dedupe key
SEED_BATCH = 500

# The targets this benchmark reports against (printed, not asserted).
TARGET_CEILING_SHARE = 0.85
TARGET_THROTTLED_SHARE = 0.01
TARGET_RSS_MB = 250.0


# ---------------------------------------------------------------------------------------------
# The message: one campaign card, with the row's de-duplication key in it.
# ---------------------------------------------------------------------------------------------

_BASE_CARD: Any = None


def bench_message(key: str):
    """The campaign card every person gets, marked with `key` so deliveries can be counted."""
    global _BASE_CARD
    from bot.domain.messages import CardMessage
    from cards.actions import CardAction
    from cards.base import card_message, heading, paragraph, submit

    if _BASE_CARD is None:
        _BASE_CARD = card_message(
            [heading("Ideas wanted: fewer wasted trips to the custody suite"),
             paragraph("The Improvement and Innovation Portal is looking for ideas that save "
                       "officers' time between arrest and handover. Tell us what slows you "
                       "down and what you would change; every idea is read by the PMO team."),
             paragraph("The campaign closes on 30 November.", subtle=True)],
            summary="Ideas wanted: fewer wasted trips to the custody suite",
            fallback_text="Ideas wanted: fewer wasted trips to the custody suite. Type help "
                          "to see how to send one.",
            actions=[submit("How it works", CardAction.SHOW_HELP)],
        )
    card = dict(_BASE_CARD.card)
    card["body"] = [*card["body"], {"type": "TextBlock", "id": REFERENCE_ID, "text": key,
                                    "isSubtle": True, "size": "Small", "wrap": True}]
    return CardMessage(card=card, summary=_BASE_CARD.summary,
                       fallback_text=_BASE_CARD.fallback_text)


def reference_in(_conversation: str, activity: dict[str, Any]) -> str | None:
    """The dedupe key in an activity's card, as the stand-in receives it."""
    for attachment in activity.get("attachments") or []:
        content = attachment.get("content") if isinstance(attachment, dict) else None
        for element in (content or {}).get("body") or []:
            if isinstance(element, dict) and element.get("id") == REFERENCE_ID:
                return element.get("text")
    return None


def person(index: int) -> tuple[str, str, str]:
    """(conversation id, Entra object id, Teams user id) of bench person `index`."""
    object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"iip-outbox-bench-{index}"))
    return f"a:1bench-personal-{index:06d}", object_id, f"29:1bench-user-{index:06d}"


# ---------------------------------------------------------------------------------------------
# The project's worker (child process).
# ---------------------------------------------------------------------------------------------

async def run_worker(database_url: str, tenant_rate: float, in_flight: int | None,
                     profile: str | None, pacing: dict[str, float] | None = None) -> None:
    """bot.app.build_worker as the app runs it: "go" starts it, "stop" stops it."""
    import aiohttp

    from bot.app import build_worker
    from bot.config import Settings
    from bot.logs import configure_logging
    from bot.services.clock import SystemClock
    from storage.engine import make_engine

    overrides: dict[str, Any] = {"outbox_tenant_rate": tenant_rate}
    if in_flight:
        overrides["outbox_in_flight"] = in_flight
    settings = Settings(database_url=database_url, **overrides)  # anonymous: no tokens
    if pacing:  # a what-if: other parameters for the tenant's pacing windows
        import functools

        import bot.app
        from bot.delivery.pacing import safe_tenant_windows

        bot.app.safe_tenant_windows = functools.partial(safe_tenant_windows, **pacing)
    configure_logging(settings.log_level, settings.log_format)
    engine = make_engine(settings.database_url)
    async with aiohttp.ClientSession() as session:
        worker = build_worker(engine, settings, SystemClock(), session)
        commands = stdin_lines()
        ready(in_flight=settings.outbox_in_flight, tenant_rate=settings.outbox_tenant_rate,
              conversation_rate=settings.outbox_conversation_rate)
        async for command in commands:
            if command == "go":
                break
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        say(started=True)
        async for command in commands:
            if command == "stop":
                break
        stop.set()
        await task
        if profiler is not None and profile:
            profiler.disable()
            profiler.dump_stats(profile)
        say(stopped=True)
    await engine.dispose()


# ---------------------------------------------------------------------------------------------
# The baseline: the SDK's documented proactive send (child process).
# ---------------------------------------------------------------------------------------------

async def run_baseline(database_url: str, rows: int, concurrency: int) -> None:
    """`continue_conversation` per message, from ConversationReferences built from the stored
    addresses (read before the clock starts, as a sample bot keeps them in memory)."""
    from botbuilder.core import CardFactory, MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )
    from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
    from sqlalchemy import select

    from storage.engine import make_engine
    from storage.tables import conversation_addresses as table

    class DefaultConfig:  # as the samples' config.py, with no app id: anonymous
        PORT = 3978
        APP_ID = ""
        APP_PASSWORD = ""
        APP_TYPE = "MultiTenant"
        APP_TENANTID = ""

    engine = make_engine(database_url)
    async with engine.connect() as connection:
        stored = (await connection.execute(
            select(table).where(table.c.kind == "personal")
            .order_by(table.c.conversation_id).limit(rows)
        )).mappings().all()
    await engine.dispose()
    references = [
        ConversationReference(
            channel_id=row["channel_id"], service_url=row["service_url"],
            bot=ChannelAccount(id=row["bot_id"]),
            user=ChannelAccount(id=row["user_id"], aad_object_id=row["object_id"]),
            conversation=ConversationAccount(id=row["conversation_id"],
                                             conversation_type="personal",
                                             tenant_id=row["tenant_id"], is_group=False),
        )
        for row in stored
    ]
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(DefaultConfig()))
    commands = stdin_lines()
    ready(references=len(references))
    async for command in commands:
        if command == "go":
            break

    outcomes: Counter[str] = Counter()
    failures: Counter[str] = Counter()

    async def send(index: int, reference: ConversationReference) -> None:
        message = bench_message(f"baseline:{index:06d}")

        async def callback(turn_context: TurnContext) -> None:
            activity = MessageFactory.attachment(CardFactory.adaptive_card(message.card))
            activity.summary = message.summary
            await turn_context.send_activity(activity)

        try:
            await adapter.continue_conversation(reference, callback, DefaultConfig.APP_ID)
            outcomes["sent"] += 1
        except Exception as error:  # the SDK raises on any non-2xx answer: the message is lost
            status = getattr(getattr(error, "response", None), "status_code", None)
            outcomes[str(status) if status else type(error).__name__] += 1
            if len(failures) < 5:
                failures[f"{type(error).__name__}: {str(error)[:120]}"] += 1

    started = time.perf_counter()
    if concurrency <= 1:
        for index, reference in enumerate(references):
            await send(index, reference)
    else:
        pending = iter(enumerate(references))

        async def sender() -> None:
            for index, reference in pending:
                await send(index, reference)

        await asyncio.gather(*(sender() for _ in range(concurrency)))
    say(done=True, elapsed=time.perf_counter() - started, outcomes=dict(outcomes),
        failures=dict(failures))
    async for _command in commands:
        pass


# ---------------------------------------------------------------------------------------------
# The parent: the database, the children, progress, checks and the report.
# ---------------------------------------------------------------------------------------------

@dataclass
class Phase:
    label: str
    rows: int
    ceiling: float
    elapsed: float = 0.0
    delivered_rows: int = 0
    calls: int = 0
    throttled: int = 0
    throttled_by_conversation: int = 0
    duplicates: int = 0
    dead: int | None = None
    lost: int = 0
    peak_rss: int = 0
    hwm: int | None = None
    cpu_seconds: float = float("nan")
    peak_in_flight: int = 0
    early_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.delivered_rows / self.elapsed if self.elapsed else 0.0

    @property
    def ceiling_share(self) -> float:
        return self.rate / self.ceiling if self.ceiling else float("nan")

    @property
    def throttled_share(self) -> float:
        return self.throttled / self.calls if self.calls else 0.0


def count_deliveries(phase: Phase, report: dict[str, Any], prefix: str) -> None:
    """Fill `phase` from the stand-in's report for the rows whose key starts with `prefix`."""
    counts: dict[str, int] = report["counts"]
    ours = {key: n for key, n in counts.items() if key.startswith(prefix)}
    phase.delivered_rows = len(ours)
    phase.duplicates = sum(n - 1 for n in ours.values() if n > 1)
    phase.calls = report["calls"]
    phase.throttled = report["throttled"]
    phase.throttled_by_conversation = report["throttled_by_conversation"]
    phase.peak_in_flight = report["peak_in_flight"]
    phase.early_ms = report["early_ms"]
    if len(ours) != len(counts):
        phase.problems.append(f"{len(counts) - len(ours)} deliveries of rows of another phase")
    if report["unmarked"]:
        phase.problems.append(f"{report['unmarked']} sends without a row's key in the card")
    if report["other"]:
        phase.problems.append(f"unexpected connector requests: {report['other']}")


def rate_line(label: str, done: int, total: int, started: float, window: deque,
              ceiling: float, stats: dict[str, Any], extra: str = "") -> str:
    now = time.monotonic()
    window.append((now, done))
    while len(window) > 6:
        window.popleft()
    then, before = window[0]
    recent = (done - before) / (now - then) if now > then else 0.0
    overall = done / (now - started) if now > started else 0.0
    calls = stats["calls"] or 1
    return (f"  {label}: {done}/{total} sent  {recent:5.1f}/s now  {overall:5.1f}/s overall "
            f"({overall / ceiling:5.1%} of {ceiling:g}/s)  429s {stats['throttled']} "
            f"({stats['throttled'] / calls:.2%})  in flight {stats['in_flight']}{extra}  "
            f"{now - started:5.0f} s")


async def seed(engine: Any, service_url: str, people: int, rows: int,
               progress: Progress) -> float:
    """Store a 1:1 address for `people` people and queue a campaign card to the first `rows`,
    through the real unit of work, `SEED_BATCH` people a transaction."""
    from bot.domain.addresses import ConversationAddress, ConversationKind
    from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
    from storage.uow import SqlUnitOfWork

    started = time.perf_counter()
    for first in range(0, people, SEED_BATCH):
        now = datetime.now(UTC)
        async with SqlUnitOfWork(engine) as uow:
            for index in range(first, min(people, first + SEED_BATCH)):
                conversation_id, object_id, user_id = person(index)
                await uow.addresses.remember(ConversationAddress(
                    conversation_id=conversation_id, kind=ConversationKind.PERSONAL,
                    service_url=service_url, tenant_id=TENANT, bot_id=BOT_ID,
                    object_id=object_id, user_id=user_id,
                ), now)
                if index < rows:
                    await uow.outbox.enqueue(OutgoingMessage(
                        recipient=Recipient.person(object_id, TENANT),
                        kind=MessageKind.CAMPAIGN,
                        dedupe_key=f"campaign:bench:{index:06d}",
                        message=bench_message(f"campaign:bench:{index:06d}"),
                    ), now)
            await uow.commit()
        progress.show(f"  queueing: {min(people, first + SEED_BATCH)}/{people} people")
    elapsed = time.perf_counter() - started
    progress.show(f"  queued {rows} rows for {people} people with stored addresses in "
                  f"{elapsed:.1f} s", final=True)
    return elapsed


async def project_phase(args: argparse.Namespace, database: str, url: str, engine: Any,
                        connector: Child, workdir: Path, progress: Progress,
                        children: list[Child]) -> Phase:
    from storage.outbox import SqlOutboxQueue

    phase = Phase(f"IIP outbox worker ({database})", args.rows, args.rate)
    extra = ["--in-flight", str(args.in_flight)] if args.in_flight else []
    for flag, value in (("--pacing-margin", args.pacing_margin),
                        ("--pacing-spread", args.pacing_spread)):
        if value is not None:
            extra += [flag, str(value)]
    if args.profile:
        extra += ["--profile", args.profile]
    worker = Child("worker", SCRIPT, ["--role", "worker", "--database-url", url,
                                      "--rate", str(args.worker_rate or args.rate), *extra],
                   workdir / "worker.log")
    children.append(worker)
    info = await worker.start()
    phase.notes.append(f"worker settings: outbox_tenant_rate {info['tenant_rate']:g}, "
                       f"outbox_conversation_rate {info['conversation_rate']:g}, "
                       f"outbox_in_flight {info['in_flight']}")
    queue = SqlOutboxQueue(engine)
    window: deque = deque()
    deadline_seconds = max(120.0, 3 * args.rows / args.rate + 60)
    async with MemoryWatch(worker.pid) as memory:
        cpu_before = memory.cpu_seconds()
        started = time.monotonic()
        await worker.ask("go")
        ended_at = None
        while True:
            await asyncio.sleep(1.0)
            stats = await connector.ask("stats")
            status = await queue.status(datetime.now(UTC))
            progress.show(rate_line(
                phase.label, stats["distinct"], args.rows, started, window, args.rate, stats,
                f"  dead {status.dead}  RSS {memory.last_rss / 2**20:.0f} MB"))
            if status.pending == 0 and status.sending == 0:
                ended_at = stats["last_answered"]
                break
            if time.monotonic() - started > deadline_seconds:
                phase.problems.append(
                    f"gave up after {deadline_seconds:.0f} s: {status.pending} pending, "
                    f"{status.sending} sending")
                break
        phase.elapsed = (ended_at or time.monotonic()) - started
        phase.hwm = memory.high_water_mark()
        phase.cpu_seconds = memory.cpu_seconds() - cpu_before
        await worker.ask("stop", within=120)
        memory.sample()
        phase.peak_rss = memory.peak_rss
    await worker.stop()
    status = await queue.status(datetime.now(UTC))
    report = await connector.ask("report")
    count_deliveries(phase, report, "campaign:bench:")
    phase.dead = status.dead
    phase.lost = args.rows - phase.delivered_rows
    progress.show(f"  {phase.label}: {phase.delivered_rows}/{args.rows} delivered in "
                  f"{phase.elapsed:.1f} s, {phase.rate:.1f}/s", final=True)
    if status.sent != phase.delivered_rows:
        phase.problems.append(f"the outbox says {status.sent} sent, the connector "
                              f"{phase.delivered_rows}")
    if phase.lost != (status.dead or 0):
        phase.problems.append(f"{phase.lost} rows not delivered but only {status.dead} dead")
    phase.problems += [f"logged: {line[:300]}" for line in worker.logged_errors()[:5]]
    return phase


async def baseline_phase(args: argparse.Namespace, url: str, connector: Child, workdir: Path,
                         progress: Progress, children: list[Child]) -> Phase:
    how = ("sequential" if args.baseline_concurrency <= 1
           else f"{args.baseline_concurrency} at once")
    phase = Phase(f"SDK continue_conversation, {how}", args.baseline_rows, args.rate)
    baseline = Child("baseline", SCRIPT, [
        "--role", "baseline", "--database-url", url, "--baseline-rows", str(args.baseline_rows),
        "--baseline-concurrency", str(args.baseline_concurrency),
    ], workdir / "baseline.log")
    children.append(baseline)
    info = await baseline.start()
    if info["references"] != args.baseline_rows:
        phase.problems.append(f"only {info['references']} stored addresses to send to")
    window: deque = deque()
    async with MemoryWatch(baseline.pid) as memory:
        cpu_before = memory.cpu_seconds()
        started = time.monotonic()
        await baseline.tell("go")
        result_task = asyncio.create_task(baseline.read(within=None))
        while not result_task.done():
            await asyncio.wait({result_task}, timeout=1.0)
            stats = await connector.ask("stats")
            progress.show(rate_line(phase.label, stats["distinct"], args.baseline_rows,
                                    started, window, args.rate, stats,
                                    f"  RSS {memory.last_rss / 2**20:.0f} MB"))
        result = result_task.result()
        phase.cpu_seconds = memory.cpu_seconds() - cpu_before
        phase.hwm = memory.high_water_mark()
    phase.peak_rss = memory.peak_rss
    await baseline.stop()
    report = await connector.ask("report")
    count_deliveries(phase, report, "baseline:")
    phase.elapsed = (report["last_answered"] or time.monotonic()) - started
    phase.lost = args.baseline_rows - phase.delivered_rows
    outcomes = dict(result["outcomes"])
    progress.show(f"  {phase.label}: {phase.delivered_rows}/{args.baseline_rows} delivered in "
                  f"{phase.elapsed:.1f} s, {phase.rate:.1f}/s; outcomes {outcomes}", final=True)
    unexpected = {k: n for k, n in outcomes.items() if k not in ("sent", "429")}
    if unexpected:
        phase.problems.append(f"baseline sends failed other than by 429: {unexpected}; "
                              f"{result['failures']}")
    if outcomes.get("sent", 0) != phase.delivered_rows:
        phase.problems.append(f"the SDK says {outcomes.get('sent', 0)} sent, the connector "
                              f"{phase.delivered_rows}")
    phase.problems += [f"logged: {line[:300]}" for line in baseline.logged_errors()[:5]]
    return phase


async def bench(args: argparse.Namespace) -> int:
    from storage.engine import make_engine
    from storage.migrate import upgrade

    progress = Progress(every=args.progress_every)
    workdir = Path(tempfile.mkdtemp(prefix="iip-outbox-bench-"))
    children: list[Child] = []
    cleanups: list[Any] = []
    engine = None
    try:
        if args.database == "sqlite":
            url = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
        else:
            made = await postgres_database(args.postgres_url, prefix="iip_outbox_bench")
            if isinstance(made, str):
                print(f"PostgreSQL is unreachable at {args.postgres_url}: {made}",
                      file=sys.stderr)
                return 2
            url, drop = made
            cleanups.append(drop)

        progress.note(f"Starting the stand-in connector ({args.rate:g}/s per tenant, "
                      f"{args.conversation_rate:g}/s per conversation, "
                      f"{args.latency * 1000:g} ms a call) and a fresh {args.database} "
                      f"database...")
        connector = Child("connector", SCRIPT, [
            "--role", "connector", "--latency", str(args.latency), "--rate", str(args.rate),
            "--conversation-rate", str(args.conversation_rate),
        ], workdir / "connector.log")
        children.append(connector)
        await connector.start()
        engine = make_engine(url)
        await upgrade(engine)
        seeding = await seed(engine, connector.url, max(args.rows, args.baseline_rows),
                             args.rows, progress)

        phases: list[Phase] = []
        if args.rows:
            progress.note(f"The project's way: the outbox worker delivers {args.rows} rows...")
            phases.append(await project_phase(args, args.database, url, engine, connector,
                                              workdir, progress, children))
        if args.baseline_rows:
            progress.note(f"The baseline: {args.baseline_rows} sends through "
                          f"CloudAdapter.continue_conversation...")
            phases.append(await baseline_phase(args, url, connector, workdir, progress,
                                               children))
        return report(args, phases, seeding)
    finally:
        for child in reversed(children):
            await child.stop()
        if engine is not None:
            await engine.dispose()
        for cleanup in cleanups:
            with contextlib.suppress(Exception):
                await cleanup()
        if args.keep:
            print(f"Logs (and the SQLite file) kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def report(args: argparse.Namespace, phases: list[Phase], seeding: float) -> int:
    mb = 2**20
    print()
    print(f"Outbox: {args.rows} rows to {args.rows} people in one tenant ({args.database}), "
          f"queued through SqlUnitOfWork in {seeding:.1f} s. Stand-in connector in its own "
          f"process: {args.rate:g} sends/s per tenant and {args.conversation_rate:g}/s per "
          f"conversation (sliding 1 s windows), 429 + Retry-After past them, "
          f"{args.latency * 1000:g} ms a call. {os.cpu_count()} CPU(s); load average "
          f"{os.getloadavg()[0]:.2f}.")
    for phase in phases:
        for note in phase.notes:
            print(f"  {phase.label}: {note}")
    print()
    header = (f"{'':40} {'delivered':>11} {'elapsed':>8} {'rate/s':>7} "
              f"{f'of {args.rate:g}/s':>7} {'calls':>6} {'429s':>5} {'(share)':>8} "
              f"{'dups':>5} {'dead':>5} {'lost':>5} {'peak RSS':>9} {'CPU ms/msg':>10}")
    print(header)
    print("-" * len(header))
    for phase in phases:
        cpu = (phase.cpu_seconds / phase.delivered_rows * 1000 if phase.delivered_rows
               else float("nan"))
        dead = "-" if phase.dead is None else str(phase.dead)
        print(f"{phase.label:40} {f'{phase.delivered_rows}/{phase.rows}':>11} "
              f"{phase.elapsed:7.1f}s {phase.rate:7.2f} {phase.ceiling_share:7.1%} "
              f"{phase.calls:6d} {phase.throttled:5d} {f'({phase.throttled_share:.2%})':>8} "
              f"{phase.duplicates:5d} {dead:>5} {phase.lost:5d} "
              f"{phase.peak_rss / mb:7.1f}MB {cpu:10.2f}")
    print()
    project = next((p for p in phases if p.label.startswith("IIP")), None)
    baseline = next((p for p in phases if p.label.startswith("SDK")), None)
    if project is not None:
        kernel = f" (kernel high-water mark {project.hwm / mb:.1f} MB)" if project.hwm else ""
        checks = [
            (project.ceiling_share >= TARGET_CEILING_SHARE,
             f"rate {project.rate:.2f}/s = {project.ceiling_share:.1%} of the {args.rate:g}/s "
             f"ceiling (target >= {TARGET_CEILING_SHARE:.0%})"),
            (project.throttled_share < TARGET_THROTTLED_SHARE,
             f"{project.throttled} of {project.calls} calls answered 429 = "
             f"{project.throttled_share:.2%} (target < {TARGET_THROTTLED_SHARE:.0%})"),
            (project.duplicates == 0, f"{project.duplicates} duplicate deliveries (target 0)"),
            (project.peak_rss / mb < TARGET_RSS_MB,
             f"worker peak RSS {project.peak_rss / mb:.1f} MB{kernel} "
             f"(target < {TARGET_RSS_MB:g} MB)"),
        ]
        for passed, text in checks:
            print(f"  {'PASS' if passed else 'FAIL'}  {project.label}: {text}")
        print(f"        {project.label}: {project.dead} dead rows, peak {project.peak_in_flight} "
              f"calls in flight at the connector")
    for phase in phases:
        if phase.early_ms:
            early = phase.early_ms
            print(f"        {phase.label}: the 429s came {early[len(early) // 2]:g} ms "
                  f"(median; {early[0]:g} to {early[-1]:g}) before the window had room; "
                  f"{phase.throttled_by_conversation} of them for a conversation's limit")
    if baseline is not None:
        print(f"        {baseline.label}: {baseline.rate:.2f}/s = "
              f"{baseline.ceiling_share:.1%} of the ceiling, {baseline.throttled} 429s "
              f"({baseline.throttled_share:.2%}), {baseline.lost} messages lost, "
              f"peak RSS {baseline.peak_rss / mb:.1f} MB")
    if project is not None and baseline is not None and baseline.rate:
        print(f"        project / baseline: {project.rate / baseline.rate:.2f}x the delivery "
              f"rate")
    honest = True
    for phase in phases:
        for problem in phase.problems:
            honest = False
            print(f"  PROBLEM  {phase.label}: {problem}")
    print()
    if honest:
        print("Every row was delivered exactly as counted (or is dead in the outbox), every "
              "call carried its row's key, and the worker logged no errors.")
        return 0
    print("The run had problems (above): its figures are not to be quoted.")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10000,
                        help="outbox rows, one per person (default 10000)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="the outbox's database (default sqlite; postgresql makes a fresh "
                             "database next to --postgres-url and drops it)")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL,
                        help="an admin URL for --database postgresql")
    parser.add_argument("--baseline-rows", type=int, default=300,
                        help="messages sent the SDK's way (default 300: about a minute, one "
                             "after another; 0 skips it)")
    parser.add_argument("--baseline-concurrency", type=int, default=1,
                        help="SDK sends at once (default 1: one after another, as the "
                             "proactive-messages sample does)")
    parser.add_argument("--latency", type=float, default=0.150,
                        help="seconds the stand-in takes over every call (default 0.150)")
    parser.add_argument("--rate", type=float, default=50.0,
                        help="sends a second per tenant: the stand-in's limit and the "
                             "worker's outbox_tenant_rate (default 50)")
    parser.add_argument("--conversation-rate", type=float, default=7.0,
                        help="the stand-in's sends a second per conversation (default 7)")
    parser.add_argument("--worker-rate", type=float, default=None,
                        help="the worker's outbox_tenant_rate, if not --rate (for what-ifs)")
    parser.add_argument("--in-flight", type=int, default=None,
                        help="override the worker's outbox_in_flight (default: the setting's)")
    parser.add_argument("--pacing-margin", type=float, default=None,
                        help="what-if: safe_tenant_windows' margin in seconds")
    parser.add_argument("--pacing-spread", type=float, default=None,
                        help="what-if: safe_tenant_windows' spread")
    parser.add_argument("--profile", default=None,
                        help="write a cProfile of the worker process to this file")
    parser.add_argument("--progress-every", type=float, default=5.0,
                        help="seconds between progress lines when stderr is not a terminal "
                             "(on a terminal the line is rewritten every second)")
    parser.add_argument("--keep", action="store_true", help="keep the logs and SQLite file")
    parser.add_argument("--role", choices=("connector", "worker", "baseline"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "connector":
        asyncio.run(run_connector(args.latency, max(1, round(args.rate)),
                                  max(1, round(args.conversation_rate)), reference_in))
        return 0
    if args.role == "worker":
        pacing = {k: v for k, v in (("margin", args.pacing_margin),
                                    ("spread", args.pacing_spread)) if v is not None}
        asyncio.run(run_worker(args.database_url, args.rate, args.in_flight, args.profile,
                               pacing))
        return 0
    if args.role == "baseline":
        asyncio.run(run_baseline(args.database_url, args.baseline_rows,
                                 args.baseline_concurrency))
        return 0
    if args.profile:
        args.profile = str(Path(args.profile).resolve())  # the worker runs in the project root
    if args.rows < 0 or args.baseline_rows < 0 or args.rate <= 0 or args.latency < 0:
        parser.error("--rows and --baseline-rows must be 0 or more, --rate more than 0")
    return run_to_the_end(bench(args))


if __name__ == "__main__":
    sys.exit(main())
