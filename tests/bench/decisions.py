"""Decisions under load: SPOCs pressing decision buttons at once, on a database of 10,000 ideas.

    .venv/bin/python tests/bench/decisions.py                     # SQLite and PostgreSQL
    .venv/bin/python tests/bench/decisions.py --database postgresql --decisions 800
    .venv/bin/python tests/bench/decisions.py --profile /tmp/decisions-prof   # where time goes

What runs, each in its own process:

- the IIP bot (bot.app.create_app, anonymous on loopback, production JSON logging, its outbox
  worker on), on a fresh SQLite file or a fresh PostgreSQL database: one process per database;
- a stand-in Bot Connector (tests/support/connector.py) that the outbox worker sends the
  contributors' notices and the staff cards' replacements to;
- the load generator, in this process: `--spocs` SPOCs (16), each with a portfolio of their
  own, pressing decision buttons one after another, each on an idea of their portfolio
  awaiting assessment, in one measured phase per `--think` value: with 0, without a pause
  (a closed loop, `--spocs` invokes in flight at all times: the bot's capacity decides the
  latency), and with 0.5, after reading each answer for a random while of that mean (still
  some thirty decisions a second, far beyond a force's SPOCs at work, but people-shaped:
  presses arrive at random, in bursts now and then).

The database is seeded before the bot starts, with bulk inserts through storage/tables.py:
`--ideas` ideas (10,000) spread over the portfolios and statuses, each with its history, the
staff cards and notices the outbox sent for it (so the outbox holds what it would in use), and
every member of staff's 1:1 chat address. The decisions are real Teams `adaptiveCard/action`
invokes (the payload in tests/fixtures, as tests/support/decisions.py builds it): approve,
decline, defer, escalate and send an update, in turn, with the inputs each needs.

It prints, per database and phase, p50, p95 and p99 of the invoke round trip (HTTP request
to response) and p99 per move, the decisions a second, the server's CPU time per decision
(its outbox worker's sends included, and a few seconds for it to catch up), and
PASS or FAIL against the target (p99 under 150 ms at 16 SPOCs). The target is not asserted;
the exit status is 1 only when the run was not honest: an invoke that failed or was
refused, a decision not recorded, an error in the bot's log.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent)]
from harness import (  # noqa: E402
    Child,
    MemoryWatch,
    postgres_database,
    put_project_on_path,
    ready,
    stdin_lines,
)

put_project_on_path()
SCRIPT = Path(__file__).resolve()
TARGET_P99_MS = 150.0
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:aabdbd62-bc97-4afb-83ee-575594577de5"
PMO = [f"00000000-0000-0000-0000-{n:012d}" for n in range(1, 4)]
SEEDED_AT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
STATUSES = [  # the published split of 736 ideas, roughly, for the ideas not under assessment
    ("approved", 131), ("deferred", 56), ("declined", 481), ("withdrawn", 4),
    ("submitted", 20), ("delivered", 30),
]
MOVES = ["approve", "decline", "defer", "escalate", "update"]


class DayAfterSeeding:
    """The bot's clock: the day after the seeding, always, so that revisit dates stay in the
    future (anything queued for the bot to send is queued by this clock too)."""

    def now(self) -> datetime:
        return datetime.now(UTC).replace(year=2026, month=6, day=2)


def spoc(n: int) -> str:
    return f"00000000-0000-0000-0001-{n:012d}"


def organisation_data(spocs: int) -> dict[str, Any]:
    people = [{"object_id": oid, "name": f"PMO {n}"} for n, oid in enumerate(PMO, 1)]
    people += [{"object_id": spoc(n), "name": f"SPOC {n}"} for n in range(spocs)]
    return {
        "pmo": {"members": PMO, "contact": "iip.pmo@example.police.uk",
                "news_channel": "channel-news"},
        "people": people,
        "portfolios": [{"key": f"p{n:02d}", "name": f"Portfolio {n}", "spocs": [spoc(n)]}
                       for n in range(spocs)],
        "categories": [{"key": "process", "name": "Process improvement"}],
    }


# ---------------------------------------------------------------------------------------------
# Seeding: bulk inserts through the storage tables.
# ---------------------------------------------------------------------------------------------

def contributor(number: int) -> str:
    """Who submitted idea `number`: 3,000 people take turns (none has a stored chat)."""
    return f"10000000-0000-0000-0000-{number % 3000:012d}"


async def seed(database_url: str, ideas: int, spocs: int, connector_url: str,
               rng: random.Random, contributor_of: Callable[[int], str] = contributor,
               ) -> dict[int, list[tuple[int, int]]]:
    """Migrate, load the organisation, insert `ideas` ideas (idea n submitted by
    `contributor_of(n)`); for each SPOC the (id, version) of their ideas awaiting
    assessment."""
    from sqlalchemy import insert

    from bot.domain.organisation import parse_organisation
    from bot.services.organisation import OrganisationService
    from storage import tables as t
    from storage.engine import make_engine
    from storage.migrate import upgrade
    from storage.uow import unit_of_work_factory

    class Clock:
        def now(self) -> datetime:
            return SEEDED_AT

    engine = make_engine(database_url)
    await upgrade(engine)
    await OrganisationService(unit_of_work_factory(engine), Clock()).replace(
        parse_organisation(organisation_data(spocs)), "bench")
    weights = [w for _s, w in STATUSES]
    idea_rows, history_rows, outbox_rows = [], [], []
    waiting: dict[int, list[tuple[int, int]]] = {n: [] for n in range(spocs)}
    card = {"type": "AdaptiveCard", "version": "1.5",
            "body": [{"type": "TextBlock", "text": "An idea card as it was sent"}]}
    for number in range(1, ideas + 1):
        owner = number % spocs
        # Half the ideas await assessment (those the SPOCs decide on), the rest are spread.
        status = ("business_assessment" if (number // spocs) % 2 == 0
                  else rng.choices([s for s, _w in STATUSES], weights)[0])
        submitted = SEEDED_AT - timedelta(minutes=ideas - number)
        reference = f"IIP-2026-{number:05d}"
        contributor = contributor_of(number)
        idea_rows.append({
            "id": number, "reference": reference, "contributor_object_id": contributor,
            "contributor_name": f"Contributor {number % 3000}", "title": f"Idea {number}",
            "problem": "What is wrong today " * 10, "proposal": "What to do instead " * 10,
            "benefit": "What it saves " * 5, "category_key": "process",
            "portfolio_key": f"p{owner:02d}", "named_publicly": number % 3 == 0,
            "status": status,
            "decline_reason": "not_viable" if status == "declined" else None,
            "version": 1 if status == "submitted" else 2, "submitted_at": submitted,
            "updated_at": submitted, "submission_key": f"bench-{number}",
            "department": "prefer_not", "function": "prefer_not", "location": "prefer_not",
            "grade": "prefer_not", "role_type": "prefer_not",
        })
        history_rows.append({"idea_id": number, "at": submitted, "actor": contributor,
                             "action": "submitted", "from_status": None,
                             "to_status": "submitted", "notice_key": None})
        recipients = list(PMO)
        if status != "submitted":
            history_rows.append({"idea_id": number, "at": submitted, "actor": PMO[0],
                                 "action": "allocate", "from_status": "submitted",
                                 "to_status": "business_assessment",
                                 "notice_key": f"notice:{reference}:v2"})
            recipients.append(spoc(owner))
            outbox_rows.append(_sent(f"notice:{reference}:v2", contributor, card, submitted))
        outbox_rows += [_sent(f"card:{reference}:{oid}", oid, card, submitted)
                        for oid in recipients]
        if status == "business_assessment":
            waiting[owner].append((number, 2))
    async with engine.begin() as connection:
        for table, batch in ((t.ideas, idea_rows), (t.idea_history, history_rows),
                             (t.outbox, outbox_rows)):
            for start in range(0, len(batch), 2000):
                await connection.execute(insert(table), batch[start:start + 2000])
        await connection.execute(insert(t.reference_counters), [{"year": 2026,
                                                                 "last_number": ideas}])
        await connection.execute(insert(t.conversation_addresses), [{
            "conversation_id": f"a:chat-with-{oid}", "kind": "personal",
            "service_url": connector_url, "tenant_id": TENANT, "bot_id": BOT_ID,
            "channel_id": "msteams", "object_id": oid, "user_id": f"29:{oid}",
            "first_seen_at": SEEDED_AT, "last_seen_at": SEEDED_AT,
        } for oid in [*PMO, *(spoc(n) for n in range(spocs))]])
        if engine.dialect.name == "postgresql":
            await connection.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('ideas', 'id'), (SELECT max(id) FROM ideas))")
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql("ANALYZE")
    await engine.dispose()
    for owned in waiting.values():
        rng.shuffle(owned)
    return waiting


def _sent(key: str, object_id: str, card: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {"kind": "status", "dedupe_key": key, "object_id": object_id, "tenant_id": TENANT,
            "summary": "An idea", "fallback_text": "An idea", "card": card, "state": "sent",
            "not_before": at, "created_at": at, "due_at": at, "attempts": 1, "sent_at": at,
            "sent_conversation_id": f"a:chat-with-{object_id}",
            "activity_id": f"1:{key}"}


async def decisions_recorded(database_url: str) -> int:
    from sqlalchemy import func, select

    from storage import tables as t
    from storage.engine import make_engine

    engine = make_engine(database_url)
    async with engine.connect() as connection:
        count = await connection.scalar(
            select(func.count()).select_from(t.idea_history)
            .where(t.idea_history.c.action.in_(MOVES)))
    await engine.dispose()
    return count or 0


async def outbox_owed(database_url: str, within: float) -> int:
    """Wait until the outbox has nothing left to send, or `within` seconds pass; what it
    still owes then."""
    from sqlalchemy import func, select

    from bot.domain.outbox import DeliveryState
    from storage import tables as t
    from storage.engine import make_engine

    engine = make_engine(database_url)
    waiting = t.outbox.c.state.in_([DeliveryState.PENDING.value, DeliveryState.SENDING.value])
    deadline = time.monotonic() + within
    try:
        while True:
            async with engine.connect() as connection:
                owed = await connection.scalar(
                    select(func.count()).select_from(t.outbox).where(waiting)) or 0
            if not owed or time.monotonic() > deadline:
                return owed
            await asyncio.sleep(0.25)
    finally:
        await engine.dispose()


# ---------------------------------------------------------------------------------------------
# Child processes.
# ---------------------------------------------------------------------------------------------

async def run_server(database_url: str, profile: str | None, worker: bool,
                     **settings_given: Any) -> None:
    """The IIP bot as `iip serve` runs it (production logging), with the bench's clock and
    any other settings given."""
    from support.bot_server import start_bot

    from bot.app import settle_heap
    from bot.config import Settings
    from bot.logs import configure_logging

    settings = Settings(database_url=database_url, outbox_worker=worker, **settings_given)
    configure_logging(settings.log_level, settings.log_format)
    server, runner = await start_bot(settings, connector_url="", organisation=None,
                                     clock=DayAfterSeeding(), migrate=False)
    await server.session.close()
    await settle_heap(server.app)  # as `iip serve` does once the app has started
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    ready(url=server.url)
    async for line in stdin_lines():
        if profiler is not None and line == "profile on":
            profiler.enable()
        elif profiler is not None and line == "profile off":
            profiler.disable()
            profiler.dump_stats(profile)
        print(json.dumps({"ok": line}), flush=True)
    await runner.cleanup()


async def run_connector() -> None:
    from support.connector import StandInConnector

    async with StandInConnector() as connector:
        ready(url=connector.url)
        async for line in stdin_lines():
            if line == "count":
                print(json.dumps({"received": len(connector.received),
                                  "failed": sum(r.status >= 300 for r in connector.received)}),
                      flush=True)


# ---------------------------------------------------------------------------------------------
# The load.
# ---------------------------------------------------------------------------------------------

def invoke_body(object_id: str, idea: int, version: int, move: str, connector_url: str,
                serial: int, **inputs: Any) -> dict[str, Any]:
    """`object_id` presses `move`'s confirm button on their card of `idea`, with a message
    and what else the move needs (and `inputs`, such as an allocation's portfolio)."""
    from support.decisions import ROOT_CAUSES, card_invoke

    fields: dict[str, Any] = {"message": f"Decision {serial}, in plain words."}
    if move == "decline":
        fields["reason"] = "not_viable"
    if move == "defer":
        fields["revisit_on"] = "2027-01-15"
    fields |= inputs
    data = {"action": move, "idea": idea, "version": version,
            **{f"{move}.{k}": v for k, v in fields.items()}}
    if move in ("approve", "decline", "escalate"):
        data |= ROOT_CAUSES
    activity = card_invoke(move, data, object_id, name="A SPOC")
    activity["serviceUrl"] = connector_url
    activity["id"] = f"f:bench-{serial}"
    activity["channelData"]["tenant"]["id"] = TENANT
    activity["recipient"]["id"] = BOT_ID
    return activity


async def pause(seconds: float, stop: asyncio.Event | None) -> None:
    """Sleep for `seconds`, or until `stop` is set."""
    if stop is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def load(url: str, connector_url: str, waiting: dict[int, list[tuple[int, int]]],
               per_spoc: int, serial_start: int, think: float = 0.0,
               rng: random.Random | None = None, *, pressed: dict[int, float] | None = None,
               stop: asyncio.Event | None = None,
               ) -> tuple[dict[str, list[float]], list[str]]:
    """Every SPOC presses `per_spoc` buttons one after another (reading each answer for a
    random time of mean `think` seconds first, if given), or fewer once `stop` is set; the
    round-trip times by move, and anything wrong. `pressed` gets each decided idea's id and
    the moment (time.monotonic) its button was pressed."""
    import aiohttp

    times: dict[str, list[float]] = {move: [] for move in MOVES}
    problems: list[str] = []
    serial = iter(range(serial_start, serial_start + 10**6))

    async def spoc_presses(session: aiohttp.ClientSession, n: int) -> None:
        for press in range(per_spoc):
            if think and rng is not None:
                await pause(rng.expovariate(1 / think), stop)
            if stop is not None and stop.is_set():
                return
            idea, version = waiting[n].pop()
            move = MOVES[(n + press) % len(MOVES)]
            body = json.dumps(invoke_body(spoc(n), idea, version, move, connector_url,
                                          next(serial)))
            started = time.perf_counter()
            if pressed is not None:
                pressed[idea] = time.monotonic()
            async with session.post(f"{url.rstrip('/')}/api/messages", data=body,
                                    headers={"Content-Type": "application/json"}) as response:
                answer = await response.read()
            times[move].append(time.perf_counter() - started)
            if response.status != 200:
                problems.append(f"HTTP {response.status} for {move} on {idea}")
                continue
            refused = refusal(answer)
            if refused:
                problems.append(f"refused {move} on {idea}: {refused}")

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(spoc_presses(session, n) for n in waiting))
    return times, problems


def refusal(answer: bytes) -> str | None:
    """The card an invoke was answered with, when it refuses the press (the idea changed
    meanwhile, a missing input, nothing changed); None when the decision was made."""
    card = json.loads(answer).get("value") or {}
    words = json.dumps(card)
    if "Nothing changed" in words or "out of date" in words or '"Attention"' in words:
        return words[:300]
    return None


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


async def bench_one(kind: str, args: argparse.Namespace,
                    workdir: Path) -> list[dict[str, Any]]:
    """One database: seed it, start the bot, warm up, then one measured phase per pause."""
    rng = random.Random(args.seed)
    drop = None
    if kind == "sqlite":
        database_url = f"sqlite+aiosqlite:///{workdir}/bench.sqlite3"
    else:
        made = await postgres_database()
        if isinstance(made, str):
            return [{"database": kind, "skipped": made}]
        database_url, drop = made
    connector = Child("connector", SCRIPT, ["--role", "connector"],
                      workdir / f"connector-{kind}.log")
    server = None
    try:
        await connector.start()
        started = time.perf_counter()
        waiting = await seed(database_url, args.ideas, args.spocs, connector.url, rng)
        seeded = time.perf_counter() - started
        needed = args.warmup + len(args.think) * (args.decisions // args.spocs)
        if min(len(w) for w in waiting.values()) < needed:
            raise SystemExit(f"too few ideas awaiting assessment for {needed} decisions each")
        profile = str(Path(args.profile) / f"server-{kind}.prof") if args.profile else None
        server_args = ["--role", "server", "--database-url", database_url]
        if profile:
            server_args += ["--profile", profile]
        if not args.worker:
            server_args += ["--no-worker"]
        server = Child(f"server-{kind}", SCRIPT, server_args, workdir / f"server-{kind}.log")
        await server.start()
        warm, problems = await load(server.url, connector.url, waiting, args.warmup, 0)
        pressed = sum(map(len, warm.values()))
        results = []
        for phase, think in enumerate(args.think, start=1):
            result = await measure(server, connector, database_url, waiting, args, think,
                                   rng, serial_start=phase * 10**6,
                                   profile=profile if phase == 1 else None)
            pressed += result["decisions"]
            recorded = await decisions_recorded(database_url)
            if recorded != pressed:
                result["problems"].append(f"{recorded} decisions recorded for {pressed} "
                                          "invokes")
            result["problems"] = problems + result["problems"]
            result["problem_count"] = len(result["problems"])
            problems = []
            results.append({"database": kind, "ideas": args.ideas, "spocs": args.spocs,
                            "seeded_s": seeded, **result})
        return results
    finally:
        if server is not None:
            await server.stop()
        await connector.stop()
        if drop is not None:
            await drop()


async def measure(server: Child, connector: Child, database_url: str,
                  waiting: dict[int, list[tuple[int, int]]], args: argparse.Namespace,
                  think: float, rng: random.Random, serial_start: int,
                  profile: str | None) -> dict[str, Any]:
    """One measured phase: every SPOC presses `--decisions / --spocs` buttons, pausing for
    `think` seconds on average between them; what it took, and anything wrong."""
    async with MemoryWatch(server.pid) as memory:
        cpu_before = memory.cpu_seconds()
        sent_before = (await connector.ask("count"))["received"]
        if profile:
            await server.ask("profile on")
        began = time.perf_counter()
        by_move, problems = await load(server.url, connector.url, waiting,
                                       args.decisions // args.spocs, serial_start, think, rng)
        elapsed = time.perf_counter() - began
        if profile:
            await server.ask("profile off")
        # A while for the outbox to catch up, its CPU counted too. It may not: each decision
        # updates every PMO member's card, and Teams allows 60 sends per 30 s to one chat.
        owed = await outbox_owed(database_url, args.settle)
        cpu = memory.cpu_seconds() - cpu_before
    delivered = await connector.ask("count")
    times = [t for move_times in by_move.values() for t in move_times]
    return {
        "think": think, "decisions": len(times), "p50_ms": percentile(times, 0.50),
        "p95_ms": percentile(times, 0.95), "p99_ms": percentile(times, 0.99),
        "max_ms": max(times) * 1000, "mean_ms": statistics.mean(times) * 1000,
        "per_second": len(times) / elapsed, "cpu_ms_per_decision": cpu / len(times) * 1000,
        "peak_rss_mb": memory.peak_rss / 2**20,
        "sends": delivered["received"] - sent_before, "refused_sends": delivered["failed"],
        "owed": owed,
        "problems": problems, "errors": server.logged_errors()[:5], "profile": profile,
        "p99_ms_by_move": {move: percentile(t, 0.99) for move, t in by_move.items() if t},
    }


def report(results: list[dict[str, Any]]) -> int:
    honest = True
    print()
    print(f"{'database':<11} {'decisions':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8} {'per s':>7} {'CPU ms/dec':>10} {'RSS MB':>7}  verdict")
    for r in results:
        if "skipped" in r:
            print(f"{r['database']:<11} skipped: {r['skipped']}")
            honest = False
            continue
        verdict = "PASS" if r["p99_ms"] < TARGET_P99_MS else "FAIL"
        print(f"{r['database']:<11} {r['decisions']:>9} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
              f"{r['p99_ms']:>8.1f} {r['max_ms']:>8.1f} {r['per_second']:>7.1f} "
              f"{r['cpu_ms_per_decision']:>10.1f} {r['peak_rss_mb']:>7.0f}  {verdict} "
              f"(p99 < {TARGET_P99_MS:.0f} ms at {r['spocs']} SPOCs, {r['ideas']:,} ideas"
              + (f", {r['think']} s between presses)" if r["think"] else ", no pause)"))
        print(f"{'':<11} p99 by move: " + ", ".join(
            f"{move} {ms:.0f} ms" for move, ms in r["p99_ms_by_move"].items()))
        print(f"{'':<11} seeded in {r['seeded_s']:.1f} s; the connector received "
              f"{r['sends']} sends in this phase ({r['refused_sends']} refused in all); "
              f"{r['owed']} still paced in the outbox at its end")
        if r["problem_count"] or r["errors"]:
            honest = False
            print(f"{'':<11} NOT HONEST: {r['problem_count']} problems, e.g. {r['problems']}; "
                  f"errors logged: {r['errors']}")
        if r.get("profile"):
            import pstats

            print(f"{'':<11} profile: {r['profile']}")
            pstats.Stats(r["profile"]).sort_stats("cumulative").print_stats(25)
    return 0 if honest else 1


async def bench(args: argparse.Namespace) -> int:
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = []
    with tempfile.TemporaryDirectory(prefix="iip-bench-decisions-") as folder:
        for kind in kinds:
            print(f"{kind}: seeding {args.ideas:,} ideas, then {args.decisions} decisions "
                  f"from {args.spocs} SPOCs at once...", file=sys.stderr, flush=True)
            results += await bench_one(kind, args, Path(folder))
    print(json.dumps(results, default=str), file=sys.stderr)
    return report(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--ideas", type=int, default=10_000)
    parser.add_argument("--spocs", type=int, default=16)
    parser.add_argument("--decisions", type=int, default=640,
                        help="measured decisions, shared equally among the SPOCs")
    parser.add_argument("--warmup", type=int, default=3, help="decisions per SPOC first")
    parser.add_argument("--settle", type=float, default=3.0,
                        help="at most this many seconds for the outbox worker to catch up "
                             "after a phase")
    parser.add_argument("--no-worker", dest="worker", action="store_false",
                        help="run the bot without its outbox worker")
    parser.add_argument("--think", type=float, nargs="+", default=[0.0, 0.5],
                        help="mean seconds a SPOC reads the answer before pressing again, "
                             "one measured phase per value (0: press again at once, the "
                             "harshest load; default: 0, then 0.5)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", help="a folder for the server's cProfile output")
    parser.add_argument("--role", choices=("server", "connector"), help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "server":
        asyncio.run(run_server(args.database_url, args.profile, args.worker))
        return 0
    if args.role == "connector":
        asyncio.run(run_connector())
        return 0
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
