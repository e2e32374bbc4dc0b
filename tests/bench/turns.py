"""Turns under load: the IIP bot against a bare botbuilder echo bot, and whole submissions.

    .venv/bin/python tests/bench/turns.py                      # SQLite and PostgreSQL
    .venv/bin/python tests/bench/turns.py --database sqlite --requests 1000
    .venv/bin/python tests/bench/turns.py --load submission    # whole submission conversations
    .venv/bin/python tests/bench/turns.py --load both          # both loads, one after the other
    .venv/bin/python tests/bench/turns.py --baseline /tmp/before   # a change's effect
    .venv/bin/python tests/bench/turns.py --profile /tmp/prof      # where a turn's time goes

The help load (`--load help`, the default). What runs, each in its own process, so that no two
share an event loop:

- the stand-in Bot Connector (tests/support/connector.py) that both bots reply to; it checks
  every reply (the exact help card, the exact welcome card, or the echo) and reports them;
- a bare echo bot built the SDK's documented way (CloudAdapter, `adapter.process`), with no
  client caching: the yardstick;
- the IIP bot itself (bot.app.create_app, anonymous, on loopback, production JSON logging),
  on a fresh SQLite file and/or a fresh PostgreSQL database, migrated, with the demo
  organisation loaded: one process per database;
- the load generator, in this process: `--concurrency` clients sending Teams personal-chat
  messages ("help") from a pool of `--pool` users, each with their own conversation.

Each target is warmed up first (every conversation once, so that first-contact welcomes
happen there, then `--warmup` more), then measured for `--requests` requests (or
`--seconds`), split into `--rounds` rounds that alternate between the targets, so that a
noisy neighbour hurts them all alike. For each target it prints requests/s, p50 and p99
latency, errors, whether every reply reached the connector, the server's CPU time per turn
and its peak resident memory; then PASS or FAIL against the targets. The targets are not
asserted; the exit status is 1 only when the run was not honest (a failed request, a missing
or wrong reply, an error in the bot's log), so that the figures cannot be quoted by mistake.

The submission load (`--load submission`): `--concurrency` people at once (16), each a
distinct user in their own 1:1 conversation, each going through the whole intake
conversation (tests/bench/submissions.py says how, turn by turn: typed answers and card
buttons, the questions about them the first time, the check card, Submit) and then their next
idea, `--ideas-each` ideas before a new person takes their place; no pause between turns
unless `--think` says so. The IIP bots run as above (a fresh database each, its outbox worker
sending the PMO's triage cards meanwhile); the stand-in connector forwards every reply to this
process, which checks each turn's replies before the person's next turn. After
`--submission-warmup` submissions per bot, `--submissions` are measured, in `--rounds`
alternating rounds. It prints completed submissions a second, turns a second, p50 and p99 per
turn overall and per step kind (so that the slowest step shows), errors, the server's CPU time
per turn and its peak resident memory, then PASS or FAIL against the target: the p99 of every
step kind at most 150 ms. The exit status is 1 when anything went wrong: a turn not answered
200, a reply missing, extra or not the expected card, an error in the bot's log, or a database
not holding exactly the ideas whose receipts were seen.

The machine is shared, so absolute figures move with whatever else runs; ratios measured in
the same run (against the bare bot, or against `--baseline`, a copy of the project such as
`git archive HEAD | tar -x -C /tmp/before`, run as extra targets on their own databases) and
the server's CPU time per turn are the figures to compare across runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import (
    POSTGRES_ADMIN_URL,
    ROOT,
    Child,
    MemoryWatch,
    Progress,
    postgres_database,
    put_project_on_path,
    ready,
    run_to_the_end,
    say,
    serve_on_loopback,
    stdin_lines,
    until_stdin_closes,
)

if TYPE_CHECKING:
    from submissions import Crowd, Phase

# The code under test: this tree, or another copy of the project for a --baseline child.
CODE = Path(os.environ.get("IIP_BENCH_CODE") or ROOT).resolve()
put_project_on_path(CODE)

SCRIPT = Path(__file__).resolve()
FIXTURE = ROOT / "tests" / "fixtures" / "teams-activities" / "message.personal.msteams-docs.json"
DEMO_ORGANISATION = ROOT / "bot" / "demo" / "organisation.toml"
TEXT = "help"
ECHO = f"Echo: {TEXT}"
FIRST_NAME = "Bench"

# The targets this benchmark reports against (printed, not asserted).
TARGET_RATIO = 4.0
TARGET_P99_MS = 100.0
TARGET_RSS_MB = 250.0
TARGET_STEP_P99_MS = 150.0  # the submission load: every step kind's p99


# ---------------------------------------------------------------------------------------------
# Child processes (tests/bench/harness.py): the parent starts this same file with --role.
# ---------------------------------------------------------------------------------------------

async def run_connector() -> None:
    """The stand-in connector; on "stats" it reports, and forgets, the replies it received."""
    from support.connector import StandInConnector

    from bot.services.organisation import read_organisation_file
    from cards.help import help_card
    from cards.welcome import welcome_card

    # The exact cards the bot must send, through a JSON round trip as on the wire.
    organisation = read_organisation_file(DEMO_ORGANISATION)
    help_message = help_card(organisation.pmo_contact)
    welcome_message = welcome_card(FIRST_NAME)
    help_json = json.loads(json.dumps(help_message.card))
    welcome_json = json.loads(json.dumps(welcome_message.card))
    replies: dict[str, list[list[str]]] = {}
    other: Counter[str] = Counter()

    def kind_of(body: dict[str, Any], cards: list[dict[str, Any]]) -> str:
        if cards == [help_json] and body.get("summary") == help_message.summary:
            return "help"
        if cards == [welcome_json] and body.get("summary") == welcome_message.summary:
            return "welcome"
        if not cards and body.get("type") == "message" and body.get("text") == ECHO:
            return "echo"
        return "other:" + str(body.get("summary") or body.get("text"))[:60]

    async with StandInConnector() as connector:
        def drain() -> None:
            batch, connector.received = connector.received, []
            for received in batch:
                parts = received.path.strip("/").split("/")
                if received.method != "POST" or len(parts) != 5:
                    other[f"{received.method} {'/'.join(parts[:2])}"] += 1
                    continue
                kind = kind_of(received.body, received.cards)
                if received.status != 200:
                    kind = f"status:{received.status}"
                replies.setdefault(parts[4], []).append([received.conversation_id, kind])

        async def keep_draining() -> None:  # holds a few seconds of replies, never all of them
            while True:
                await asyncio.sleep(0.5)
                drain()

        drainer = asyncio.create_task(keep_draining())
        ready(url=connector.url)
        async for command in stdin_lines():
            if command == "stats":
                drain()
                say(replies=replies, other=other)
                replies, other = {}, Counter()
        drainer.cancel()


async def run_forwarder() -> None:
    """The stand-in connector of the submission load: it passes every request it receives on
    to the parent at once, a JSON line each (written without ever blocking its event loop, so
    that a parent slow to read cannot delay a bot's reply); on "sync" it answers
    {"synced": n} once everything received so far has been passed on."""
    from support.connector import StandInConnector

    async with StandInConnector() as connector:
        ready(url=connector.url)
        loop = asyncio.get_running_loop()
        out, _ = await loop.connect_write_pipe(asyncio.Protocol, sys.stdout)
        forwarded = 0

        def forward() -> None:
            nonlocal forwarded
            batch, connector.received = connector.received, []
            for received in batch:
                out.write(json.dumps({
                    "method": received.method, "path": received.path,
                    "conversation": received.conversation_id, "status": received.status,
                    "body": received.body}).encode() + b"\n")
            forwarded += len(batch)

        async def keep_forwarding() -> None:
            while True:
                with contextlib.suppress(TimeoutError):
                    await connector.wait_for(1, within=3600)
                forward()

        forwarder = asyncio.create_task(keep_forwarding())
        async for command in stdin_lines():
            if command == "sync":
                forward()
                out.write(json.dumps({"synced": forwarded}).encode() + b"\n")
        forwarder.cancel()


def _folder_of(package: Any) -> str:
    """The project folder a package was imported from."""
    return str(Path(package.__file__).resolve().parents[1])


async def run_project(database_url: str, profile: str | None = None,
                      service_url: str | None = None) -> None:
    """The IIP bot as `iip serve` runs it: create_app, production JSON logging, no access log,
    the start-up hooks `iip serve` adds; then the demo organisation, as `iip org load` does.
    `service_url` is where it opens chats with people it has not heard from (so that nothing
    leaves the machine)."""
    from aiohttp import web

    import bot.app
    from bot.app import SERVICES, create_app
    from bot.config import Settings
    from bot.logs import configure_logging
    from bot.services.organisation import read_organisation_file

    # No app id: anonymous, loopback only.
    settings = Settings(database_url=database_url,
                        **({"teams_service_url": service_url} if service_url else {}))
    # Each client is one person at machine speed: lift the per-person turn limit (where this
    # copy of the bot has one; a --baseline copy may not).
    lifted = {"turns_per_minute": 1e9, "turn_burst": 1_000_000_000}
    if hasattr(settings, "model_copy"):  # a pydantic model; a dataclass in older copies
        known = set(type(settings).model_fields)
        settings = settings.model_copy(update={k: v for k, v in lifted.items() if k in known})
    else:
        settings = dataclasses.replace(settings, **{
            k: v for k, v in lifted.items() if k in {f.name for f in dataclasses.fields(settings)}})
    configure_logging(settings.log_level, settings.log_format)
    app = create_app(settings)
    settle_heap = getattr(bot.app, "settle_heap", None)  # absent from older copies (--baseline)
    if settle_heap is not None:
        app.on_startup.append(settle_heap)
    runner = web.AppRunner(app, access_log=None)
    url = await serve_on_loopback(runner)
    await app[SERVICES].organisation.replace(read_organisation_file(DEMO_ORGANISATION),
                                             "system:bench")
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    ready(url=url, code=_folder_of(bot))
    await until_stdin_closes()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    await runner.cleanup()


def bare_echo_app():
    """A bare echo bot exactly as the SDK's samples build it (02.echo-bot, CloudAdapter)."""
    from aiohttp import web
    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.core.integration import aiohttp_error_middleware
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    class DefaultConfig:
        PORT = 3978
        APP_ID = ""
        APP_PASSWORD = ""
        APP_TYPE = "MultiTenant"
        APP_TENANTID = ""

    class EchoBot(ActivityHandler):
        async def on_members_added_activity(self, members_added, turn_context: TurnContext):
            for member in members_added:
                if member.id != turn_context.activity.recipient.id:
                    await turn_context.send_activity("Hello and welcome!")

        async def on_message_activity(self, turn_context: TurnContext):
            return await turn_context.send_activity(
                MessageFactory.text(f"Echo: {turn_context.activity.text}")
            )

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(DefaultConfig()))

    async def on_error(context: TurnContext, error: Exception) -> None:
        print(f"\n [on_turn_error] unhandled error: {error!r}", file=sys.stderr)
        await context.send_activity("The bot encountered an error or bug.")

    adapter.on_turn_error = on_error
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    app = web.Application(middlewares=[aiohttp_error_middleware])
    app.router.add_post("/api/messages", messages)
    return app


async def run_bare() -> None:
    from aiohttp import web

    runner = web.AppRunner(bare_echo_app())  # run_app's defaults
    url = await serve_on_loopback(runner)
    ready(url=url)
    await until_stdin_closes()
    await runner.cleanup()


# ---------------------------------------------------------------------------------------------
# The parent: what both loads share.
# ---------------------------------------------------------------------------------------------

class Activities:
    """Teams personal-chat messages shaped like the fixture, one user and 1:1 conversation per
    person: typed text, or what Teams sends for an Action.Submit."""

    def __init__(self, service_url: str) -> None:
        self.template = json.loads(FIXTURE.read_text(encoding="utf-8"))
        self.template["serviceUrl"] = service_url

    def conversation_id(self, person: int) -> str:
        return f"a:bench-conversation-{person:05d}"

    def message(self, activity_id: str, person: int, text: str) -> dict[str, Any]:
        activity = dict(self.template)
        now = datetime.now(UTC)
        activity["id"] = activity_id
        activity["timestamp"] = now.isoformat().replace("+00:00", "Z")
        activity["localTimestamp"] = now.isoformat()
        activity["text"] = text
        activity["from"] = {
            "id": f"29:bench-user-{person:05d}",
            "name": f"{FIRST_NAME} User {person}",
            "aadObjectId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"iip-bench-{person}")),
        }
        activity["conversation"] = {"conversationType": "personal",
                                    "id": self.conversation_id(person)}
        return activity

    def card_submit(self, activity_id: str, person: int, value: dict[str, Any],
                    reply_to: str) -> dict[str, Any]:
        """An Action.Submit pressed on the card `reply_to`: a message with no text, `value` =
        the button's data merged with the card's inputs."""
        activity = self.message(activity_id, person, "")
        del activity["text"]
        activity["value"] = value
        activity["replyToId"] = reply_to
        return activity

    def body(self, activity_id: str, person: int) -> bytes:
        """The help load's message."""
        return json.dumps(self.message(activity_id, person, TEXT)).encode()


@dataclass(frozen=True)
class Database:
    """A fresh database for one IIP bot, and the copy of the project that bot runs."""

    name: str  # "sqlite" or "postgresql"
    suffix: str  # "" or " baseline"
    code: Path
    url: str

    @property
    def key(self) -> str:
        return f"{self.name}{self.suffix.replace(' ', '-')}"

    @property
    def label(self) -> str:
        return f"IIP bot ({self.name}{self.suffix})"


async def fresh_databases(args: argparse.Namespace, workdir: Path, progress: Progress,
                          cleanups: list[Callable[[], Any]]) -> list[Database] | int:
    """The databases `--database` asks for, for this tree and any `--baseline`; an exit
    status when PostgreSQL was asked for alone and is unreachable."""
    variants: list[tuple[str, Path]] = [("", ROOT)]
    if args.baseline:
        variants.append((" baseline", args.baseline))
    databases: list[Database] = []
    for suffix, code in variants:
        if args.database in ("sqlite", "both"):
            file = workdir / f"bench{suffix.strip()}.sqlite3"
            databases.append(Database("sqlite", suffix, code, f"sqlite+aiosqlite:///{file}"))
        if args.database in ("postgresql", "both"):
            made = await postgres_database(args.postgres_url)
            if isinstance(made, str):
                if args.database == "postgresql":
                    print(f"PostgreSQL is unreachable at {args.postgres_url}: {made}",
                          file=sys.stderr)
                    return 2
                progress.note(f"Skipping PostgreSQL (unreachable: {made})")
            else:
                url, drop = made
                cleanups.append(drop)
                databases.append(Database("postgresql", suffix, code, url))
    return databases


def iip_child(database: Database, args: argparse.Namespace, workdir: Path,
              profile_name: str, *extra: str) -> Child:
    """The IIP bot on `database`, running the code of `database.code`."""
    return Child(f"iip-{database.key}", SCRIPT,
                 ["--role", "project", "--database-url", database.url,
                  *profile_option(args, profile_name), *extra],
                 workdir / f"iip-{database.key}.log",
                 cwd=database.code, env={"IIP_BENCH_CODE": str(database.code)})


def profile_option(args: argparse.Namespace, name: str) -> list[str]:
    if not args.profile:
        return []
    Path(args.profile).mkdir(parents=True, exist_ok=True)
    return ["--profile-to", str(Path(args.profile).resolve() / f"iip-{name}.prof")]


def messages_url(child: Child) -> str:
    return f"{child.url.rstrip('/')}/api/messages"


def percentile(values: list[float], fraction: float) -> float:
    """In milliseconds, of values in seconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index] * 1000


def cpu_seconds(process: Any) -> float:
    """A psutil.Process's CPU time so far, user and system."""
    times = process.cpu_times()
    return times.user + times.system


def brief(line: str) -> str:
    """A line the bot logged at error level, as its event and the exception's last line."""
    try:
        entry = json.loads(line)
    except ValueError:
        return line
    if not isinstance(entry, dict):
        return line
    error = str(entry.get("exception") or entry.get("error") or "").strip()
    return f"{entry.get('event')}: {error.splitlines()[-1] if error else ''}"


async def watch_memory(stack: contextlib.AsyncExitStack,
                       children: dict[str, Child]) -> dict[str, MemoryWatch]:
    """A MemoryWatch for each child, by key, until `stack` closes."""
    return {key: await stack.enter_async_context(MemoryWatch(child.pid))
            for key, child in children.items()}


# ---------------------------------------------------------------------------------------------
# The help load: "help" from many people, against the bare echo bot.
# ---------------------------------------------------------------------------------------------

@dataclass
class Target:
    """One server under the help load, and what it measured."""

    key: str
    label: str
    child: Child
    expected_status: int
    expected_reply: str  # "help" or "echo"
    welcomes: bool  # the first message of each conversation is welcomed first
    database: str = ""
    baseline: bool = False
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    requests: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    cpu_seconds: float = 0.0
    peak_rss: int = 0
    problems: list[str] = field(default_factory=list)
    replies_ok: int = 0
    replies_expected: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, fraction: float) -> float:
        return percentile(self.latencies, fraction)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items()
                   if status != str(self.expected_status))


@dataclass
class Load:
    """What one burst of requests measured."""

    sent: list[tuple[str, int]]  # (activity id, person)
    latencies: list[float]
    statuses: Counter[str]
    elapsed: float


async def send_load(session: Any, url: str, activities: Activities, ids: Callable[[int], str],
                    people: Callable[[int], int], *, count: int | None, seconds: float | None,
                    concurrency: int, progress: Progress, caption: str) -> Load:
    """Send `count` requests (or for `seconds`) from `concurrency` clients at once."""
    sent: list[tuple[str, int]] = []
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    started = time.perf_counter()
    deadline = started + seconds if seconds else None
    next_index = 0

    def take() -> int | None:
        nonlocal next_index
        if count is not None and next_index >= count:
            return None
        if deadline is not None and time.perf_counter() >= deadline:
            return None
        index, next_index = next_index, next_index + 1
        return index

    async def client() -> None:
        while (index := take()) is not None:
            activity_id, person = ids(index), people(index)
            body = activities.body(activity_id, person)
            sent.append((activity_id, person))
            begun = time.perf_counter()
            try:
                async with session.post(url, data=body,
                                        headers={"Content-Type": "application/json"}) as response:
                    await response.read()
                    status = str(response.status)
            except Exception as error:  # a refused or broken request is counted, not raised
                status = type(error).__name__
            latencies.append(time.perf_counter() - begun)
            statuses[status] += 1

    async def report() -> None:
        while True:
            await asyncio.sleep(0.25)
            spent = time.perf_counter() - started
            done = len(latencies)
            goal = f"/{count}" if count is not None else f" in {spent:.0f}/{seconds:.0f} s"
            bad = sum(n for s, n in statuses.items() if not s.startswith("2"))
            progress.show(f"  {caption}: {done}{goal}  {done / spent if spent else 0:.0f} req/s"
                          f"  errors {bad}")

    reporter = asyncio.create_task(report())
    try:
        await asyncio.gather(*(client() for _ in range(concurrency)))
    finally:
        reporter.cancel()
    elapsed = time.perf_counter() - started
    return Load(sent=sent, latencies=latencies, statuses=statuses, elapsed=elapsed)


def check_replies(target: Target, load: Load, stats: dict[str, Any], activities: Activities,
                  *, first_contact: bool) -> tuple[int, list[str]]:
    """How many requests got exactly the replies they should have, and what was wrong."""
    replies: dict[str, list[list[str]]] = stats["replies"]
    expected_kinds = ["welcome", target.expected_reply] if first_contact and target.welcomes \
        else [target.expected_reply]
    ok = 0
    wrong: Counter[str] = Counter()
    for activity_id, person in load.sent:
        got = replies.pop(activity_id, [])
        conversation = activities.conversation_id(person)
        if [kind for _, kind in got] == expected_kinds and all(c == conversation
                                                                for c, _ in got):
            ok += 1
        else:
            wrong[f"expected {expected_kinds}, got {[kind for _, kind in got]}"] += 1
    problems = [f"{n} x {what}" for what, n in wrong.most_common(5)]
    if replies:
        problems.append(f"{len(replies)} replies to activities this phase did not send")
    if stats["other"]:
        problems.append(f"unexpected connector requests: {dict(stats['other'])}")
    return ok, problems


async def help_bench(args: argparse.Namespace) -> int:
    """The help load: 16 clients sending "help", to the bare echo bot and the IIP bot(s)."""
    import aiohttp
    import psutil

    progress = Progress()
    workdir = Path(tempfile.mkdtemp(prefix="iip-bench-"))
    children: list[Child] = []
    cleanups: list[Callable[[], Any]] = []
    try:
        databases = await fresh_databases(args, workdir, progress, cleanups)
        if isinstance(databases, int):
            return databases

        progress.note("Starting the stand-in connector, the bare echo bot and the IIP bot...")
        connector = Child("connector", SCRIPT, ["--role", "connector"],
                          workdir / "connector.log")
        children.append(connector)
        await connector.start()
        activities = Activities(connector.info["url"])

        targets = [Target("bare", "bare echo bot (SDK sample)",
                          Child("bare", SCRIPT, ["--role", "bare"], workdir / "bare.log"),
                          expected_status=201, expected_reply="echo", welcomes=False)]
        for database in databases:
            targets.append(Target(database.key, database.label,
                                  iip_child(database, args, workdir, database.key),
                                  expected_status=200, expected_reply="help", welcomes=True,
                                  database=database.name, baseline=bool(database.suffix)))
        for target in targets:
            children.append(target.child)
        await asyncio.gather(*(t.child.start() for t in targets))
        for target in targets:
            if target.baseline:
                progress.note(f"{target.label} runs the code in {target.child.info['code']}")

        connections = aiohttp.TCPConnector(limit=args.concurrency * len(targets))
        timeout = aiohttp.ClientTimeout(total=60)
        rng = random.Random(args.seed)
        async with (aiohttp.ClientSession(connector=connections, timeout=timeout) as session,
                    contextlib.AsyncExitStack() as stack):
            memory = await watch_memory(stack, {t.key: t.child for t in targets})

            helpers = {"load generator": psutil.Process(),
                       "connector": psutil.Process(connector.pid)}
            helper_cpu = dict.fromkeys(helpers, 0.0)

            async def phase(target: Target, tag: str, *, count: int | None,
                            seconds: float | None, people: Callable[[int], int],
                            first_contact: bool, measured: bool, caption: str) -> None:
                cpu = psutil.Process(target.child.pid).cpu_times()
                helpers_before = {name: p.cpu_times() for name, p in helpers.items()}
                load = await send_load(
                    session, messages_url(target.child), activities,
                    ids=lambda i: f"bench-{target.key}-{tag}-{i:06d}", people=people,
                    count=count, seconds=seconds, concurrency=args.concurrency,
                    progress=progress, caption=caption,
                )
                after = psutil.Process(target.child.pid).cpu_times()
                for name, process in helpers.items():
                    now, then = process.cpu_times(), helpers_before[name]
                    if measured:
                        helper_cpu[name] += (now.user + now.system) - (then.user + then.system)
                stats = await connector.ask("stats")
                ok, problems = check_replies(target, load, stats, activities,
                                             first_contact=first_contact)
                bad = {s: n for s, n in load.statuses.items()
                       if s != str(target.expected_status)}
                if bad:
                    problems.insert(0, f"{caption}: answers other than "
                                       f"{target.expected_status}: {bad}")
                target.problems += [f"{caption}: {p}" for p in problems]
                progress.show(f"  {caption}: {len(load.sent)} requests, "
                              f"{len(load.sent) / load.elapsed:.0f} req/s, "
                              f"{ok}/{len(load.sent)} replies right", final=True)
                if measured:
                    target.latencies += load.latencies
                    target.elapsed += load.elapsed
                    target.requests += len(load.sent)
                    target.statuses += load.statuses
                    target.cpu_seconds += (after.user + after.system) - (cpu.user + cpu.system)
                    target.replies_ok += ok
                    target.replies_expected += len(load.sent)

            for target in targets:
                await phase(target, "first", count=args.pool, seconds=None,
                            people=lambda i: i, first_contact=True, measured=False,
                            caption=f"{target.label}: warm-up, first contact")
                if args.warmup:
                    await phase(target, "warm", count=args.warmup, seconds=None,
                                people=lambda _i: rng.randrange(args.pool),
                                first_contact=False, measured=False,
                                caption=f"{target.label}: warm-up")

            per_round = [args.requests // args.rounds + (n < args.requests % args.rounds)
                         for n in range(args.rounds)]
            seconds = args.seconds / args.rounds if args.seconds else None
            for number in range(1, args.rounds + 1):
                order = targets if number % 2 else list(reversed(targets))
                for target in order:
                    shuffled = list(range(args.pool))
                    rng.shuffle(shuffled)
                    count = None if seconds else per_round[number - 1]
                    await phase(target, f"r{number}", count=count, seconds=seconds,
                                people=lambda i, s=shuffled: s[i % len(s)],
                                first_contact=False, measured=True,
                                caption=f"{target.label}: round {number}/{args.rounds}")
            hwm = {t.key: memory[t.key].high_water_mark() for t in targets}
            measured = sum(t.requests for t in targets)

        for target in targets:
            target.peak_rss = memory[target.key].peak_rss
            target.problems += [f"logged: {brief(line)[:200]}"
                                for line in target.child.logged_errors()[:5]]
        return help_report(args, targets, hwm,
                      {name: spent / measured * 1000 for name, spent in helper_cpu.items()})
    finally:
        await tear_down(children, cleanups, workdir, keep=args.keep)


async def tear_down(children: list[Child], cleanups: list[Callable[[], Any]], workdir: Path,
                    *, keep: bool) -> None:
    """Stop the processes (last started, first stopped), drop the databases, and remove the
    logs unless asked to keep them."""
    for child in reversed(children):
        await child.stop()
    for cleanup in cleanups:
        with contextlib.suppress(Exception):
            await cleanup()
    if keep:
        print(f"Logs kept in {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def cpu_per_turn(target: Target) -> float:
    return target.cpu_seconds / target.requests * 1000 if target.requests else float("nan")


def help_report(args: argparse.Namespace, targets: list[Target], hwm: dict[str, int | None],
                helpers: dict[str, float]) -> int:
    mb = 1024 * 1024
    bare = targets[0]
    print()
    measure = (f"{args.seconds:g} s" if args.seconds else f"{args.requests} requests")
    print(f"Turns: {measure} per target in {args.rounds} alternating round(s), after "
          f"{args.pool} first contacts and {args.warmup} warm-up requests; "
          f"{args.concurrency} concurrent clients; {os.cpu_count()} CPU(s); "
          f"load average {os.getloadavg()[0]:.2f}")
    print()
    header = (f"{'':30} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7} "
              f"{'replies right':>15} {'CPU ms/turn':>11} {'peak RSS':>9} {'x bare':>7}")
    print(header)
    print("-" * len(header))
    for target in targets:
        ratio = target.rate / bare.rate if bare.rate else float("nan")
        print(f"{target.label:30} {target.rate:7.1f} {target.percentile(0.50):7.1f} "
              f"{target.percentile(0.99):7.1f} {target.errors:7d} "
              f"{f'{target.replies_ok}/{target.replies_expected}':>15} "
              f"{cpu_per_turn(target):11.2f} {target.peak_rss / mb:7.1f}MB {ratio:6.2f}x")
    spent = ", ".join(f"{name} {value:.2f}" for name, value in helpers.items())
    print(f"(CPU ms per measured request elsewhere: {spent}; all processes share the CPUs)")
    print()
    for target in targets[1:]:
        if target.baseline:
            continue
        ratio = target.rate / bare.rate if bare.rate else float("nan")
        p99 = target.percentile(0.99)
        rss = target.peak_rss / mb
        kernel = hwm.get(target.key)
        checks = [
            (ratio >= TARGET_RATIO, f"throughput {ratio:.2f}x the bare bot "
                                    f"(target >= {TARGET_RATIO:g}x)"),
            (p99 < TARGET_P99_MS, f"p99 latency {p99:.1f} ms (target < {TARGET_P99_MS:g} ms)"),
            (rss < TARGET_RSS_MB, f"peak RSS {rss:.1f} MB"
                                  + (f" (kernel high-water mark {kernel / mb:.1f} MB)"
                                     if kernel else "")
                                  + f" (target < {TARGET_RSS_MB:g} MB)"),
        ]
        for passed, text in checks:
            print(f"  {'PASS' if passed else 'FAIL'}  {target.label}: {text}")
    for before in (t for t in targets if t.baseline):
        after = next(t for t in targets if t.database == before.database and not t.baseline)
        print(f"  CHANGE  {after.label} against its baseline: "
              f"req/s x{after.rate / before.rate:.2f}, "
              f"CPU per turn x{cpu_per_turn(after) / cpu_per_turn(before):.2f}, "
              f"p50 {before.percentile(0.5):.1f} -> {after.percentile(0.5):.1f} ms, "
              f"p99 {before.percentile(0.99):.1f} -> {after.percentile(0.99):.1f} ms")
    honest = True
    for target in targets:
        for problem in target.problems:
            honest = False
            print(f"  PROBLEM  {target.label}: {problem}")
    print()
    if honest:
        print(f"Every request was answered ({bare.expected_status} from the bare bot, as "
              f"CloudAdapter.process does; 200 from the IIP bot) and every reply reached the "
              f"connector: help cards from the IIP bot (after one welcome per first contact), "
              f"echoes from the bare bot.")
        return 0
    print("The run had problems (above): its figures are not to be quoted.")
    return 1


# ---------------------------------------------------------------------------------------------
# The submission load: people completing whole submission conversations (submissions.py).
# ---------------------------------------------------------------------------------------------

@dataclass
class Desk:
    """One IIP bot under the submission load: its people, and what they measured."""

    database: Database
    child: Child
    crowd: Crowd
    measured: Phase
    references: list[str] = field(default_factory=list)  # every receipt, warm-up included
    cpu_seconds: float = 0.0
    peak_rss: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.database.label

    @property
    def ideas_per_second(self) -> float:
        return len(self.measured.references) / self.measured.elapsed

    @property
    def turns_per_second(self) -> float:
        return self.measured.turns / self.measured.elapsed

    @property
    def cpu_per_turn(self) -> float:
        """Milliseconds of the server's CPU time per measured turn."""
        return self.cpu_seconds / self.measured.turns * 1000 if self.measured.turns else 0.0

    def percentile(self, fraction: float, kind: str | None = None) -> float:
        times = self.measured.times
        return percentile(times.get(kind, []) if kind else
                          [t for kind_times in times.values() for t in kind_times], fraction)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.measured.statuses.items() if status != "200")


async def stored_ideas(database_url: str) -> tuple[list[str], int]:
    """The references of the ideas a database holds, and how many drafts it still holds."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            references = list(await connection.scalars(text("SELECT reference FROM ideas")))
            drafts = await connection.scalar(text("SELECT count(*) FROM idea_drafts"))
    finally:
        await engine.dispose()
    return references, drafts or 0


async def check_stored(desk: Desk) -> None:
    """The database holds exactly the ideas whose receipts the people saw, and no draft."""
    stored, drafts = await stored_ideas(desk.database.url)
    seen = desk.references
    if len(set(seen)) != len(seen):
        desk.problems.append(f"{len(seen) - len(set(seen))} receipts repeat a reference")
    if sorted(stored) != sorted(seen):
        desk.problems.append(f"the database holds {len(stored)} ideas for {len(seen)} receipts "
                             f"({len(set(stored) - set(seen))} not receipted, "
                             f"{len(set(seen) - set(stored))} receipted but missing)")
    if drafts:
        desk.problems.append(f"{drafts} drafts left behind")


async def submission_bench(args: argparse.Namespace) -> int:
    """The submission load: `--concurrency` people at once submitting whole ideas."""
    import aiohttp
    import psutil
    from submissions import Chat, Crowd, Phase, ReplyLog, run_submissions

    from bot.services.organisation import read_organisation_file
    from cards.welcome import welcome_card

    organisation = read_organisation_file(DEMO_ORGANISATION)
    welcome = json.loads(json.dumps(welcome_card(FIRST_NAME).card))
    progress = Progress()
    workdir = Path(tempfile.mkdtemp(prefix="iip-bench-submission-"))
    children: list[Child] = []
    cleanups: list[Callable[[], Any]] = []
    try:
        databases = await fresh_databases(args, workdir, progress, cleanups)
        if isinstance(databases, int):
            return databases
        progress.note("Starting the stand-in connector and the IIP bot for the submission "
                      "load...")
        connector = Child("connector", SCRIPT, ["--role", "forwarder"],
                          workdir / "connector.log")
        children.append(connector)
        await connector.start()
        desks = [Desk(database, iip_child(database, args, workdir,
                                          f"submission-{database.key}",
                                          "--service-url", connector.url),
                      Crowd(args.concurrency, args.ideas_each), Phase())
                 for database in databases]
        children += [desk.child for desk in desks]
        await asyncio.gather(*(desk.child.start() for desk in desks))
        for desk in desks:
            if desk.database.suffix:
                progress.note(f"{desk.label} runs the code in {desk.child.info['code']}")
        activities = Activities(connector.url)

        connections = aiohttp.TCPConnector(limit=args.concurrency * len(desks))
        timeout = aiohttp.ClientTimeout(total=60)
        async with (aiohttp.ClientSession(connector=connections, timeout=timeout) as session,
                    ReplyLog(connector) as replies, contextlib.AsyncExitStack() as stack):
            memory = await watch_memory(stack, {d.database.key: d.child for d in desks})
            helpers = {"load generator": psutil.Process(),
                       "connector": psutil.Process(connector.pid)}
            helper_cpu = dict.fromkeys(helpers, 0.0)

            async def phase(desk: Desk, tag: str, count: int, *, measured: bool,
                            name: str) -> None:
                caption = f"{desk.label}: {name}"
                processes = {"server": psutil.Process(desk.child.pid), **helpers}
                before = {name: cpu_seconds(p) for name, p in processes.items()}
                chat = Chat(session, messages_url(desk.child), activities, replies,
                            f"{desk.database.key}-{tag}", Phase(), welcome, args.think)
                done = await run_submissions(
                    chat, desk.crowd, organisation, count,
                    show=lambda text: progress.show(f"  {caption}: {text}"))
                spent = {name: cpu_seconds(p) - before[name] for name, p in processes.items()}
                done.problems += await replies.settle()
                desk.references += done.references
                desk.problems += [f"{name}: {n} x {problem}" for problem, n
                                  in Counter(done.problems).most_common(5)]
                progress.show(f"  {caption}: {len(done.references)} submissions in "
                              f"{done.turns} turns, {done.turns / done.elapsed:.0f} turns/s, "
                              f"{done.right}/{done.turns} replies right", final=True)
                if measured:
                    desk.measured.add(done)
                    desk.cpu_seconds += spent["server"]
                    for name in helpers:
                        helper_cpu[name] += spent[name]

            for desk in desks:
                await phase(desk, "warm", args.submission_warmup, measured=False,
                            name="warm-up")
            per_round = [args.submissions // args.rounds + (n < args.submissions % args.rounds)
                         for n in range(args.rounds)]
            for number in range(1, args.rounds + 1):
                order = desks if number % 2 else list(reversed(desks))
                for desk in order:
                    await phase(desk, f"r{number}", per_round[number - 1], measured=True,
                                name=f"round {number}/{args.rounds}")
            for desk in desks:
                await check_stored(desk)
            hwm = {key: watch.high_water_mark() for key, watch in memory.items()}
            sends = sum(replies.sends.values())

        measured_turns = sum(desk.measured.turns for desk in desks) or 1
        for desk in desks:
            desk.peak_rss = memory[desk.database.key].peak_rss
            desk.problems += [f"logged: {brief(line)[:200]}"
                              for line in desk.child.logged_errors()[:5]]
        return submission_report(args, desks, hwm, sends, {
            name: spent / measured_turns * 1000 for name, spent in helper_cpu.items()})
    finally:
        await tear_down(children, cleanups, workdir, keep=args.keep)


def submission_report(args: argparse.Namespace, desks: list[Desk],
                      hwm: dict[str, int | None], sends: int,
                      helpers: dict[str, float]) -> int:
    """The figures, the steps, PASS or FAIL; 1 if anything went wrong, else 0."""
    from submissions import KINDS

    mb = 1024 * 1024
    answers = sum(sum(desk.measured.answers.values()) for desk in desks) or 1
    typed = sum(desk.measured.answers["typed"] for desk in desks)
    pause = f"{args.think:g} s before each turn on average" if args.think else "no pause"
    print()
    print(f"Submissions: {args.submissions} per IIP bot in {args.rounds} alternating round(s), "
          f"after {args.submission_warmup} warm-up submissions; {args.concurrency} people at "
          f"once, each submitting {args.ideas_each} idea(s) one after another (the first with "
          f"the questions about them); {typed / answers:.0%} of answers typed, the rest on "
          f"cards; {pause}; {os.cpu_count()} CPU(s); load average {os.getloadavg()[0]:.2f}")
    print()
    header = (f"{'':30} {'ideas/s':>7} {'turns/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'errors':>7} {'replies right':>15} {'CPU ms/turn':>11} {'peak RSS':>9}")
    print(header)
    print("-" * len(header))
    for desk in desks:
        print(f"{desk.label:30} {desk.ideas_per_second:7.2f} {desk.turns_per_second:7.1f} "
              f"{desk.percentile(0.5):7.1f} {desk.percentile(0.99):7.1f} {desk.errors:7d} "
              f"{f'{desk.measured.right}/{desk.measured.turns}':>15} "
              f"{desk.cpu_per_turn:11.2f} {desk.peak_rss / mb:7.1f}MB")
    spent = ", ".join(f"{name} {value:.2f}" for name, value in helpers.items())
    print(f"(CPU ms per measured turn elsewhere: {spent}; all processes share the CPUs; "
          f"the outbox workers sent the PMO {sends} triage cards meanwhile)")
    print()
    print_steps(desks, KINDS)
    print()
    for desk in desks:
        if not desk.database.suffix:
            print(f"  {step_verdict(desk, KINDS, args.concurrency)}")
            kernel = hwm.get(desk.database.key)
            print(f"  INFO  {desk.label}: peak RSS {desk.peak_rss / mb:.1f} MB"
                  + (f" (kernel high-water mark {kernel / mb:.1f} MB)" if kernel else ""))
    for before in (d for d in desks if d.database.suffix):
        after = next(d for d in desks
                     if d.database.name == before.database.name and not d.database.suffix)
        print(f"  CHANGE  {after.label} against its baseline: "
              f"ideas/s x{after.ideas_per_second / before.ideas_per_second:.2f}, "
              f"CPU per turn x{after.cpu_per_turn / before.cpu_per_turn:.2f}, "
              f"p99 {before.percentile(0.99):.1f} -> {after.percentile(0.99):.1f} ms")
    honest = True
    for desk in desks:
        for problem in desk.problems:
            honest = False
            print(f"  PROBLEM  {desk.label}: {problem}")
    print()
    if honest:
        print("Every turn was answered 200 and its replies reached the connector, each the "
              "expected card at the expected step (a welcome first on a person's first "
              "message); each database holds exactly the ideas whose receipts were seen, "
              "and no draft.")
        return 0
    print("The run had problems (above): its figures are not to be quoted.")
    return 1


def step_verdict(desk: Desk, kinds: tuple[str, ...], people: int) -> str:
    """PASS or FAIL against the target: the p99 of every kind of step."""
    p99s = [(kind, desk.percentile(0.99, kind)) for kind in kinds
            if desk.measured.times.get(kind)]
    target = f"p99 of every step kind <= {TARGET_STEP_P99_MS:g} ms at {people} people at once"
    if not p99s:
        return f"FAIL  {desk.label}: nothing measured"
    over = [f"{kind} {p99:.1f} ms" for kind, p99 in p99s if p99 > TARGET_STEP_P99_MS]
    if over:
        return f"FAIL  {desk.label}: {target}; over it: {', '.join(over)}"
    kind, p99 = max(p99s, key=lambda kind_p99: kind_p99[1])
    return f"PASS  {desk.label}: {target}; the slowest, {kind}, {p99:.1f} ms"


def print_steps(desks: list[Desk], kinds: tuple[str, ...]) -> None:
    """p50 and p99 per kind of step and bot, with the turns measured: the slowest step shows."""
    print(f"{'per step: p50 / p99 ms (turns)':30} "
          + " ".join(f"{desk.label:>26}" for desk in desks))
    for kind in kinds:
        cells = [f"{desk.percentile(0.5, kind):7.1f} / {desk.percentile(0.99, kind):6.1f} "
                 f"({len(desk.measured.times[kind]):5d})" if desk.measured.times.get(kind)
                 else "-" for desk in desks]
        print(f"{kind:30} " + " ".join(f"{cell:>26}" for cell in cells))


async def bench(args: argparse.Namespace) -> int:
    """The loads `--load` asks for, one after the other: the worst exit status."""
    status = 0
    if args.load in ("help", "both"):
        status = max(status, await help_bench(args))
    if args.load in ("submission", "both"):
        status = max(status, await submission_bench(args))
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", choices=("help", "submission", "both"), default="help",
                        help="help turns against the bare bot (the default), whole "
                             "submission conversations, or both, one after the other")
    parser.add_argument("--requests", type=int, default=3000,
                        help="measured requests per target (default 3000)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="measure each target for this long instead of --requests")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="clients sending at once, or people submitting at once "
                             "(default 16)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both",
                        help="the IIP bot's database (default both; PostgreSQL is skipped "
                             "with a notice when unreachable, unless asked for alone)")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL,
                        help="an admin URL; a fresh database is created next to it and dropped")
    parser.add_argument("--pool", type=int, default=300,
                        help="distinct users, each with a 1:1 conversation (default 300)")
    parser.add_argument("--warmup", type=int, default=300,
                        help="warm-up requests after every conversation's first (default 300)")
    parser.add_argument("--submissions", type=int, default=320,
                        help="submission load: measured submissions per IIP bot (default 320)")
    parser.add_argument("--submission-warmup", type=int, default=16,
                        help="submission load: warm-up submissions per IIP bot (default 16)")
    parser.add_argument("--ideas-each", type=int, default=2,
                        help="submission load: ideas each person submits before a new person "
                             "takes their place (default 2)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="submission load: mean seconds a person takes before each turn "
                             "(default 0: the next turn at once, the harshest load)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating measured rounds per target (default 3)")
    parser.add_argument("--seed", type=int, default=20261102)
    parser.add_argument("--keep", action="store_true", help="keep the servers' logs")
    parser.add_argument("--baseline", metavar="FOLDER",
                        help="also run the IIP bot from another copy of the project (say, the "
                             "tree before a change) on its own fresh databases, and report "
                             "the change")
    parser.add_argument("--profile", metavar="FOLDER",
                        help="run the IIP bot under cProfile and write FOLDER/iip-<database>.prof "
                             "(iip-submission-<database>.prof for the submission load; slows "
                             "it down: for finding costs, not for figures)")
    parser.add_argument("--profile-to", help=argparse.SUPPRESS)
    parser.add_argument("--role", choices=("connector", "forwarder", "project", "bare"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--service-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "connector":
        asyncio.run(run_connector())
        return 0
    if args.role == "forwarder":
        asyncio.run(run_forwarder())
        return 0
    if args.role == "project":
        asyncio.run(run_project(args.database_url, args.profile_to, args.service_url))
        return 0
    if args.role == "bare":
        asyncio.run(run_bare())
        return 0
    if min(args.requests, args.concurrency, args.pool, args.rounds, args.submissions,
           args.ideas_each) < 1 or args.submission_warmup < 0 or args.think < 0:
        parser.error("--requests, --concurrency, --pool, --rounds, --submissions and "
                     "--ideas-each must be at least 1; --submission-warmup and --think "
                     "at least 0")
    if args.baseline:
        args.baseline = Path(args.baseline).resolve()
        if not (args.baseline / "bot" / "app.py").is_file():
            parser.error(f"--baseline {args.baseline} is not a copy of the project")
    return run_to_the_end(bench(args))


if __name__ == "__main__":
    sys.exit(main())
