"""Turn throughput: the IIP bot against a bare botbuilder echo bot, on one stand-in connector.

    .venv/bin/python tests/bench/turns.py                      # SQLite and PostgreSQL
    .venv/bin/python tests/bench/turns.py --database sqlite --requests 1000
    .venv/bin/python tests/bench/turns.py --baseline /tmp/before   # a change's effect
    .venv/bin/python tests/bench/turns.py --profile /tmp/prof      # where a turn's time goes

What runs, each in its own process, so that no two share an event loop:

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

The machine is shared, so absolute figures move with whatever else runs; ratios measured in
the same run (against the bare bot, or against `--baseline`, a copy of the project such as
`git archive HEAD | tar -x -C /tmp/before`, run as extra targets on their own databases) and
the server's CPU time per turn are the figures to compare across runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# The code under test: this tree, or another copy of the project for a --baseline child.
CODE = Path(os.environ.get("IIP_BENCH_CODE") or ROOT).resolve()
for _path in (CODE / "tests", CODE):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

SCRIPT = Path(__file__).resolve()
FIXTURE = ROOT / "tests" / "fixtures" / "teams-activities" / "message.personal.msteams-docs.json"
DEMO_ORGANISATION = ROOT / "bot" / "demo" / "organisation.toml"
POSTGRES_ADMIN_URL = os.environ.get(
    "IIP_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
TEXT = "help"
ECHO = f"Echo: {TEXT}"
FIRST_NAME = "Bench"

# The targets this benchmark reports against (printed, not asserted).
TARGET_RATIO = 4.0
TARGET_P99_MS = 100.0
TARGET_RSS_MB = 250.0


# ---------------------------------------------------------------------------------------------
# Child processes. The parent starts this same file with --role; a child prints one JSON line
# when it is ready, and stops when its stdin closes (so it also stops if the parent dies).
# ---------------------------------------------------------------------------------------------

def _ready(**fields: Any) -> None:
    print(json.dumps({"ready": True, "pid": os.getpid(), **fields}), flush=True)


async def _stdin_lines():
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        yield line.strip()


async def _until_stdin_closes() -> None:
    async for _line in _stdin_lines():
        pass


async def _serve_on_loopback(runner) -> str:
    from aiohttp import web

    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return f"http://127.0.0.1:{port}"


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
        _ready(url=connector.url)
        async for command in _stdin_lines():
            if command == "stats":
                drain()
                print(json.dumps({"replies": replies, "other": other}), flush=True)
                replies, other = {}, Counter()
        drainer.cancel()


def _folder_of(package: Any) -> str:
    """The project folder a package was imported from."""
    return str(Path(package.__file__).resolve().parents[1])


async def run_project(database_url: str, profile: str | None = None) -> None:
    """The IIP bot as `iip serve` runs it: create_app, production JSON logging, no access log,
    the start-up hooks `iip serve` adds; then the demo organisation, as `iip org load` does."""
    from aiohttp import web

    import bot.app
    from bot.app import SERVICES, create_app
    from bot.config import Settings
    from bot.logs import configure_logging
    from bot.services.organisation import read_organisation_file

    settings = Settings(database_url=database_url)  # no app id: anonymous, loopback only
    configure_logging(settings.log_level, settings.log_format)
    app = create_app(settings)
    settle_heap = getattr(bot.app, "settle_heap", None)  # absent from older copies (--baseline)
    if settle_heap is not None:
        app.on_startup.append(settle_heap)
    runner = web.AppRunner(app, access_log=None)
    url = await _serve_on_loopback(runner)
    await app[SERVICES].organisation.replace(read_organisation_file(DEMO_ORGANISATION),
                                             "system:bench")
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    _ready(url=url, code=_folder_of(bot))
    await _until_stdin_closes()
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
    url = await _serve_on_loopback(runner)
    _ready(url=url)
    await _until_stdin_closes()
    await runner.cleanup()


# ---------------------------------------------------------------------------------------------
# The parent: databases, children, load, checks and the report.
# ---------------------------------------------------------------------------------------------

class Child:
    """A child process started with --role, talking JSON lines over stdin and stdout."""

    def __init__(self, name: str, args: list[str], log_path: Path,
                 code: Path | None = None) -> None:
        self.name = name
        self.args = args
        self.log_path = log_path
        self.code = code
        self.process: asyncio.subprocess.Process | None = None
        self.info: dict[str, Any] = {}

    async def start(self, within: float = 60.0) -> dict[str, Any]:
        log = self.log_path.open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, str(SCRIPT), *self.args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log,
            cwd=str(self.code or ROOT), limit=64 * 1024 * 1024,
            env={**os.environ, "IIP_BENCH_CODE": str(self.code or ROOT)},
            start_new_session=True,  # Ctrl-C reaches the parent only; it stops the children
        )
        log.close()
        try:
            self.info = await asyncio.wait_for(self.read(), within)
        except (TimeoutError, json.JSONDecodeError):
            await self.stop()
            raise RuntimeError(f"{self.name} did not start; see {self.log_path}:\n"
                               f"{self.log_tail()}") from None
        return self.info

    async def read(self) -> dict[str, Any]:
        assert self.process is not None and self.process.stdout is not None
        line = await self.process.stdout.readline()
        if not line:
            raise json.JSONDecodeError("the child ended", "", 0)
        return json.loads(line)

    async def ask(self, command: str) -> dict[str, Any]:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        await self.process.stdin.drain()
        return await asyncio.wait_for(self.read(), 60)

    @property
    def url(self) -> str:
        return self.info["url"]

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def stop(self) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(Exception):
            process.stdin.close()  # type: ignore[union-attr]
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()  # this child only, by its own pid
            await process.wait()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def logged_errors(self) -> list[str]:
        """Log lines at error level or worse (the IIP bot logs JSON lines)."""
        found = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                if "Traceback" in line or "Error" in line:
                    found.append(line)
                continue
            if isinstance(entry, dict) and entry.get("level") in ("error", "critical"):
                error = str(entry.get("exception") or entry.get("error") or "").strip()
                found.append(f"{entry.get('event')}: {error.splitlines()[-1] if error else ''}")
        return found


@dataclass
class Target:
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
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
        return ordered[index] * 1000

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items()
                   if status != str(self.expected_status))


class Activities:
    """Teams personal-chat messages shaped like the fixture, from a pool of users."""

    def __init__(self, service_url: str, pool: int) -> None:
        self.template = json.loads(FIXTURE.read_text(encoding="utf-8"))
        self.template["serviceUrl"] = service_url
        self.template["text"] = TEXT
        self.pool = pool

    def conversation_id(self, person: int) -> str:
        return f"a:bench-conversation-{person:05d}"

    def body(self, activity_id: str, person: int) -> bytes:
        activity = dict(self.template)
        now = datetime.now(UTC)
        activity["id"] = activity_id
        activity["timestamp"] = now.isoformat().replace("+00:00", "Z")
        activity["localTimestamp"] = now.isoformat()
        activity["from"] = {
            "id": f"29:bench-user-{person:05d}",
            "name": f"{FIRST_NAME} User {person}",
            "aadObjectId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"iip-bench-{person}")),
        }
        activity["conversation"] = {"conversationType": "personal",
                                    "id": self.conversation_id(person)}
        return json.dumps(activity).encode()


class Progress:
    """One line, rewritten in place on a terminal; a line every few seconds otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def show(self, text: str, *, final: bool = False) -> None:
        now = time.monotonic()
        if self.tty:
            sys.stderr.write(f"\r\033[K{text}" + ("\n" if final else ""))
            sys.stderr.flush()
        elif final or now - self.last >= 5:
            print(text, file=sys.stderr, flush=True)
            self.last = now

    def note(self, text: str) -> None:
        if self.tty:
            sys.stderr.write("\r\033[K")
        print(text, file=sys.stderr, flush=True)


@dataclass
class Load:
    """What one burst of requests measured."""

    sent: list[tuple[str, int]]  # (activity id, person)
    latencies: list[float]
    statuses: Counter[str]
    elapsed: float


async def send_load(session, url: str, activities: Activities, ids: Callable[[int], str],
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


class MemoryWatch:
    """Samples each server's resident memory; keeps the peak."""

    def __init__(self, targets: list[Target], interval: float = 0.1) -> None:
        import psutil

        self.processes = {t.key: psutil.Process(t.child.pid) for t in targets}
        self.targets = {t.key: t for t in targets}
        self.interval = interval
        self.task: asyncio.Task | None = None

    def sample(self) -> None:
        for key, process in self.processes.items():
            with contextlib.suppress(Exception):
                rss = process.memory_info().rss
                target = self.targets[key]
                target.peak_rss = max(target.peak_rss, rss)

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    async def __aenter__(self) -> MemoryWatch:
        self.task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self.task:
            self.task.cancel()
        self.sample()

    def high_water_mark(self, key: str) -> int | None:
        """The kernel's own peak RSS (VmHWM), to cross-check the sampling."""
        try:
            status = Path(f"/proc/{self.processes[key].pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return None


async def postgres_database(admin_url: str) -> tuple[str, Callable[[], Any]] | str:
    """A fresh, empty database: (url, drop) or, when PostgreSQL is unreachable, why."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"iip_bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # unreachable or refused: say why
        await admin.dispose()
        return f"{type(error).__name__}: {error}"[:300]

    async def drop() -> None:
        try:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            await admin.dispose()

    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}", drop


def profile_option(args: argparse.Namespace, name: str) -> list[str]:
    if not args.profile:
        return []
    Path(args.profile).mkdir(parents=True, exist_ok=True)
    return ["--profile-to", str(Path(args.profile).resolve() / f"iip-{name}.prof")]


async def bench(args: argparse.Namespace) -> int:
    import aiohttp
    import psutil

    progress = Progress()
    workdir = Path(tempfile.mkdtemp(prefix="iip-bench-"))
    children: list[Child] = []
    cleanups: list[Callable[[], Any]] = []
    try:
        variants: list[tuple[str, Path]] = [("", ROOT)]
        if args.baseline:
            variants.append((" baseline", args.baseline))
        databases: list[tuple[str, str, Path, str]] = []  # (database, suffix, code, url)
        for suffix, code in variants:
            if args.database in ("sqlite", "both"):
                file = workdir / f"bench{suffix.strip()}.sqlite3"
                databases.append(("sqlite", suffix, code, f"sqlite+aiosqlite:///{file}"))
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
                    databases.append(("postgresql", suffix, code, url))

        progress.note("Starting the stand-in connector, the bare echo bot and the IIP bot...")
        connector = Child("connector", ["--role", "connector"], workdir / "connector.log")
        children.append(connector)
        await connector.start()
        activities = Activities(connector.info["url"], args.pool)

        targets = [Target("bare", "bare echo bot (SDK sample)",
                          Child("bare", ["--role", "bare"], workdir / "bare.log"),
                          expected_status=201, expected_reply="echo", welcomes=False)]
        for name, suffix, code, url in databases:
            key = f"{name}{suffix.replace(' ', '-')}"
            child = Child(f"iip-{key}", ["--role", "project", "--database-url", url,
                                         *profile_option(args, key)],
                          workdir / f"iip-{key}.log", code=code)
            targets.append(Target(key, f"IIP bot ({name}{suffix})", child, expected_status=200,
                                  expected_reply="help", welcomes=True, database=name,
                                  baseline=bool(suffix)))
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
                    MemoryWatch(targets) as memory):

            helpers = {"load generator": psutil.Process(),
                       "connector": psutil.Process(connector.pid)}
            helper_cpu = dict.fromkeys(helpers, 0.0)

            async def phase(target: Target, tag: str, *, count: int | None,
                            seconds: float | None, people: Callable[[int], int],
                            first_contact: bool, measured: bool, caption: str) -> None:
                cpu = psutil.Process(target.child.pid).cpu_times()
                helpers_before = {name: p.cpu_times() for name, p in helpers.items()}
                load = await send_load(
                    session, f"{target.child.url}/api/messages", activities,
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
            hwm = {t.key: memory.high_water_mark(t.key) for t in targets}
            measured = sum(t.requests for t in targets)

        for target in targets:
            target.problems += [f"logged: {line[:200]}"
                                for line in target.child.logged_errors()[:5]]
        return report(args, targets, hwm,
                      {name: spent / measured * 1000 for name, spent in helper_cpu.items()})
    finally:
        for child in reversed(children):
            await child.stop()
        for cleanup in cleanups:
            with contextlib.suppress(Exception):
                await cleanup()
        if args.keep:
            print(f"Logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def cpu_per_turn(target: Target) -> float:
    return target.cpu_seconds / target.requests * 1000 if target.requests else float("nan")


def report(args: argparse.Namespace, targets: list[Target], hwm: dict[str, int | None],
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000,
                        help="measured requests per target (default 3000)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="measure each target for this long instead of --requests")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="clients sending at once (default 16)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both",
                        help="the IIP bot's database (default both; PostgreSQL is skipped "
                             "with a notice when unreachable, unless asked for alone)")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL,
                        help="an admin URL; a fresh database is created next to it and dropped")
    parser.add_argument("--pool", type=int, default=300,
                        help="distinct users, each with a 1:1 conversation (default 300)")
    parser.add_argument("--warmup", type=int, default=300,
                        help="warm-up requests after every conversation's first (default 300)")
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
                             "(slows it down: for finding costs, not for figures)")
    parser.add_argument("--profile-to", help=argparse.SUPPRESS)
    parser.add_argument("--role", choices=("connector", "project", "bare"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "connector":
        asyncio.run(run_connector())
        return 0
    if args.role == "project":
        asyncio.run(run_project(args.database_url, args.profile_to))
        return 0
    if args.role == "bare":
        asyncio.run(run_bare())
        return 0
    if args.requests < 1 or args.concurrency < 1 or args.pool < 1 or args.rounds < 1:
        parser.error("--requests, --concurrency, --pool and --rounds must be at least 1")
    if args.baseline:
        args.baseline = Path(args.baseline).resolve()
        if not (args.baseline / "bot" / "app.py").is_file():
            parser.error(f"--baseline {args.baseline} is not a copy of the project")
    try:
        return asyncio.run(bench(args))
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
