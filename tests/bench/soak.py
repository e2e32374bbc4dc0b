"""Soak: many people at once for minutes on two `iip serve` replicas, with a broadcast going out.

    .venv/bin/python tests/bench/soak.py                           # 200 people, 5 minutes
    .venv/bin/python tests/bench/soak.py --minutes 0.5 --people 20 # a quick look
    .venv/bin/python tests/bench/soak.py --database sqlite --mix submit=0.5,query=0.5

What runs, each in its own process:

- a stand-in Bot Connector that behaves like Teams (tests/bench/standin.py): `--rate` sends a
  second per tenant for what the bot sends of its own accord, `--conversation-rate` a second
  per conversation for everything, 429 with Retry-After past them, `--latency` a call. It
  forwards every send it accepts to this process, which checks each turn's replies;
- two replicas of the IIP bot, each `iip serve` exactly as an operator runs it (its own port,
  production JSON logs, the outbox worker, the scheduler and the similar-ideas model on), on
  one fresh database (PostgreSQL by default): migrated, the demo organisation loaded
  (bot/demo/organisation.toml), `--ideas` ideas submitted and most of them allocated through
  the real services (what they queued marked sent, as if long ago), and `--recipients`
  stored 1:1 addresses, the broadcast's audience besides the people;
- the bare echo bot of turns.py (the SDK's sample), the yardstick;
- the load, in this process: `--people` people, each in their own 1:1 chat, each a loop
  taking a turn after a random pause of mean `--think` seconds, each turn to the next replica
  in turn (round robin, as a load balancer would):
  - submitters walk the whole guided submission, idea after idea (tests/bench/submissions.py:
    typed answers and card buttons, the check card, Submit, the receipt);
  - the demo organisation's staff (its four people): Alex, the PMO, allocates the submitted
    ideas to their portfolio; Megan, Adele and Isaiah decide the ideas awaiting assessment in
    their portfolios (approve, decline, defer, escalate, an update), each a real Teams
    `adaptiveCard/action` invoke, and type "my queue" when it is empty;
  - the rest query: "my ideas", "status IIP-..." (one of their seeded ideas), "search ...",
    "help".

Phases: the baseline first, the same people saying "help" to the bare echo bot at the same
pace for `--baseline-seconds` (its first fifth unmeasured); then the soak for `--minutes`,
its first minute (a fifth of a shorter run) the warm-up, unmeasured but for errors; at
`--broadcast-at` of the run a campaign's call to everyone with a 1:1 address is queued, as
the PMO's Send does; once the people stop, up to `--grace` seconds for the outbox to drain.

It reports, as Markdown: turns by kind with p50, p95 and p99 (against the bare bot's p99 in
the same run, the machine being shared); errors (a turn answered other than 200, a reply
missing, extra or a refusal, a refused decision, an error in a replica's log); each
replica's resident memory sampled every second, and its growth from just after the warm-up
to the end; CPU seconds per replica; the outbox (drained, dead messages, the campaign's
recipients reached and duplicates); the machine (cores, memory, load average at the start
and end, Python and PostgreSQL versions). Exit status 1 when a target is missed: no errors,
p99 of the measured turns under 250 ms, memory growth under 10 %, the outbox drained with
every recipient reached.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from broadcast import mark, queue_campaign, store_addresses, store_chats, tally
from decisions import MOVES, invoke_body, outbox_owed, pause, refusal
from harness import (
    ROOT,
    Child,
    DatabaseUnavailable,
    MemoryWatch,
    Progress,
    Service,
    database_options,
    free_port,
    fresh_database,
    put_project_on_path,
    run_to_the_end,
)
from outbox import person
from soak_figures import growth_after_warmup, percentile_ms
from standin import run_connector
from turns import Activities

put_project_on_path()

SCRIPT = Path(__file__).resolve()
DEMO_ORGANISATION = ROOT / "bot" / "demo" / "organisation.toml"
ALEX, MEGAN, ADELE, ISAIAH = (f"00000000-0000-0000-0000-00000000000{n}" for n in (20, 21, 22, 23))
# Who decides which portfolio's ideas (each portfolio one person's, so that no two press on
# the same idea); Alex, the PMO, triages.
DECIDES = {MEGAN: ("crime-and-justice", "people-and-wellbeing"), ADELE: ("digital-and-data",),
           ISAIAH: ("local-policing",)}
STAFF = (ALEX, MEGAN, ADELE, ISAIAH)
STAFF_NAMES = {ALEX: "Alex Wilber", MEGAN: "Megan Bowen", ADELE: "Adele Vance",
               ISAIAH: "Isaiah Langer"}
SEARCHES = ("paper notebooks slow to search", "shift swaps and cover rota",
            "plain letters to victims", "custody handover delays", "overtime at the end of shifts")

TARGET_P99_MS = 250.0
TARGET_GROWTH_PERCENT = 10.0
MEMORY_SAMPLE_SECONDS = 1.0
NEWCOMER = 99_999  # the person who shows what a welcome looks like


# ---------------------------------------------------------------------------------------------
# Who is who: the people's identities and chats.
# ---------------------------------------------------------------------------------------------

class People(Activities):
    """The chats of the soak's people: person n is a bench user (turns.Activities) unless n
    stands for one of the demo organisation's staff, who chat as themselves."""

    def __init__(self, service_url: str, staff: dict[int, str]) -> None:
        super().__init__(service_url)
        self.staff = staff  # person number -> Entra object id

    def object_id(self, person: int) -> str:
        return self.staff.get(person) or str(uuid.uuid5(uuid.NAMESPACE_URL,
                                                        f"iip-bench-{person}"))

    def user_id(self, person: int) -> str:
        if person in self.staff:
            return f"29:{self.staff[person]}"
        return f"29:bench-user-{person:05d}"

    def conversation_id(self, person: int) -> str:
        if person in self.staff:
            from support.decisions import chat_of

            return chat_of(self.staff[person])
        return super().conversation_id(person)

    def message(self, activity_id: str, person: int, text: str) -> dict[str, Any]:
        activity = super().message(activity_id, person, text)
        if person in self.staff:
            object_id = self.staff[person]
            activity["from"] = {"id": f"29:{object_id}", "name": STAFF_NAMES[object_id],
                                "aadObjectId": object_id}
            activity["conversation"] = {"conversationType": "personal",
                                        "id": self.conversation_id(person)}
        return activity


@dataclass(frozen=True)
class Mix:
    """How the people divide: submitters, the demo's staff (at most its four), the rest
    querying."""

    submitters: int
    staff: int
    queriers: int

    @classmethod
    def of(cls, people: int, shares: dict[str, float]) -> Mix:
        staff = min(len(STAFF), people, round(people * shares.get("staff", 0.02)) or 1)
        rest = people - staff
        total = (shares.get("submit", 0) + shares.get("query", 0)) or 1
        submitters = round(rest * shares.get("submit", 0) / total)
        return cls(submitters, staff, rest - submitters)

    def kind(self, person: int) -> str:
        if person < self.submitters:
            return "submitter"
        if person < self.submitters + self.staff:
            return "staff"
        return "querier"

    def staff_numbers(self) -> dict[int, str]:
        return {self.submitters + n: STAFF[n] for n in range(self.staff)}

    def querier_numbers(self) -> range:
        return range(self.submitters + self.staff, self.submitters + self.staff + self.queriers)


def parse_mix(text: str) -> dict[str, float]:
    """"submit=0.3,query=0.7,staff=0.02" as shares."""
    shares = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        if name.strip() not in ("submit", "query", "staff"):
            raise argparse.ArgumentTypeError(f"unknown share {name!r}: submit, query or staff")
        shares[name.strip()] = float(value)
    return shares


# ---------------------------------------------------------------------------------------------
# The database: the organisation, ideas through the real services, stored addresses.
# ---------------------------------------------------------------------------------------------

async def prepare(database_url: str, args: argparse.Namespace, mix: Mix, connector_url: str,
                  shapes: People) -> dict[int, list[str]]:
    """Migrate, load the demo organisation, submit `--ideas` ideas by the queriers (a fifth
    left for triage, the rest allocated by the PMO); store the 1:1 chats of the staff and the
    queriers (they have used the bot before) and of the broadcast's audience; mark what the
    ideas queued as sent to those chats; each querier's references."""
    from support.decisions import decide, submit_idea

    from bot.app import build_services
    from bot.services.clock import SystemClock
    from bot.services.organisation import read_organisation_file
    from storage.engine import make_engine
    from storage.migrate import upgrade

    engine = make_engine(database_url)
    references: dict[int, list[str]] = {n: [] for n in mix.querier_numbers()}
    try:
        await upgrade(engine)
        services = build_services(engine, SystemClock())
        await services.organisation.replace(read_organisation_file(DEMO_ORGANISATION),
                                            "system:soak")
        portfolios = [p for keys in DECIDES.values() for p in keys]
        owners = list(mix.querier_numbers()) or [0]
        for number in range(args.ideas):
            person = owners[number % len(owners)]
            idea = await submit_idea(services, f"Seeded idea {number}",
                                     portfolio=portfolios[number % len(portfolios)],
                                     contributor=shapes.object_id(person))
            references.setdefault(person, []).append(idea.reference)
            if number % 5:
                await decide(services, ALEX, idea, "allocate", portfolio=idea.portfolio_key)
        from support.decisions import chat_of

        await store_chats(database_url, [
            *((chat_of(object_id), object_id, f"29:{object_id}") for object_id in STAFF),
            *((shapes.conversation_id(n), shapes.object_id(n), shapes.user_id(n))
              for n in mix.querier_numbers())], connector_url)
        await sent_long_ago(engine)
        if engine.dialect.name == "postgresql":
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()
    await store_addresses(database_url, args.recipients, connector_url)
    return references


async def sent_long_ago(engine: Any) -> None:
    """Everything queued so far, as sent to its recipient's stored chat (so that the cards
    it later replaces are found there)."""
    from sqlalchemy import select, update

    from storage import tables as t

    chats = t.conversation_addresses
    chat = (select(chats.c.conversation_id).where(chats.c.object_id == t.outbox.c.object_id)
            .limit(1).scalar_subquery())
    async with engine.begin() as connection:
        await connection.execute(
            update(t.outbox).where(t.outbox.c.state == "pending")
            .values(state="sent", sent_conversation_id=chat,
                    activity_id="activity-" + t.outbox.c.id.cast(t.String)))


async def waiting_ideas(engine: Any, status: str, portfolios: tuple[str, ...] | None,
                        taken: set[int]) -> list[tuple[int, int, str]]:
    """(id, version, portfolio) of ideas in `status` (in `portfolios`, if given), oldest
    first, that nobody has pressed on yet: a member of staff's queue, as their cards show it."""
    from sqlalchemy import select

    from storage import tables as t

    query = (select(t.ideas.c.id, t.ideas.c.version, t.ideas.c.portfolio_key)
             .where(t.ideas.c.status == status).order_by(t.ideas.c.id).limit(200))
    if portfolios:
        query = query.where(t.ideas.c.portfolio_key.in_(portfolios))
    async with engine.connect() as connection:
        found = (await connection.execute(query)).all()
    return [(row.id, row.version, row.portfolio_key) for row in found if row.id not in taken]


async def outbox_states(engine: Any) -> dict[str, int]:
    from sqlalchemy import func, select

    from storage import tables as t

    async with engine.connect() as connection:
        rows = (await connection.execute(select(t.outbox.c.state, func.count())
                                         .group_by(t.outbox.c.state))).all()
    return {state: count for state, count in rows}


async def still_owed(engine: Any) -> list[str]:
    """What the outbox still owes, by kind and recipient, most first: where it is stuck."""
    from sqlalchemy import func, select

    from storage import tables as t

    owed = t.outbox.c.state.in_(("pending", "sending"))
    async with engine.connect() as connection:
        rows = (await connection.execute(
            select(t.outbox.c.kind, t.outbox.c.object_id, func.count().label("n"))
            .where(owed).group_by(t.outbox.c.kind, t.outbox.c.object_id)
            .order_by(func.count().desc()).limit(6))).all()
    names = {oid: name.split()[0] for oid, name in STAFF_NAMES.items()}
    return [f"{row.n} {row.kind} to {names.get(row.object_id, row.object_id)}"
            for row in rows]


async def busiest_chat(engine: Any) -> list[str]:
    """What the outbox carried to the person it sent most to, by kind and whether a first send
    or a card replaced in place, with how many went in the busiest minute: where Teams' limit
    of 60 sends in 30 s into one chat binds."""
    from sqlalchemy import func, select

    from storage import tables as t

    async with engine.connect() as connection:
        busiest = (await connection.execute(
            select(t.outbox.c.object_id).where(t.outbox.c.object_id.is_not(None))
            .group_by(t.outbox.c.object_id).order_by(func.count().desc()).limit(1)
        )).scalar()
        if busiest is None:
            return []
        rows = (await connection.execute(
            select(t.outbox.c.kind, t.outbox.c.replaces_id.is_(None).label("first"),
                   t.outbox.c.state, func.count().label("n"))
            .where(t.outbox.c.object_id == busiest)
            .group_by(t.outbox.c.kind, t.outbox.c.replaces_id.is_(None), t.outbox.c.state)
            .order_by(func.count().desc()))).all()
        sent_at = (await connection.execute(
            select(t.outbox.c.sent_at).where(t.outbox.c.object_id == busiest,
                                             t.outbox.c.sent_at.is_not(None)))).scalars().all()
    per_minute = Counter(at.replace(second=0, microsecond=0) for at in sent_at)
    name = STAFF_NAMES.get(busiest, busiest).split()[0]
    return [f"{row.n} {row.kind} {'first sends' if row.first else 'replacements'} "
            f"{row.state}" for row in rows] + [
        f"to {name}; at most {max(per_minute.values(), default=0)} sent in one minute"]


# ---------------------------------------------------------------------------------------------
# The people.
# ---------------------------------------------------------------------------------------------

class Stopped(Exception):
    """The run is over: this person takes no more turns."""


def soak_chat_class() -> type:
    """Chat (submissions.py) that pauses before each turn until the run stops, and sends each
    turn to the next replica."""
    from submissions import Chat

    class SoakChat(Chat):
        def __init__(self, *args: Any, stop: asyncio.Event, think: float, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self.stop = stop
            self.mean_pause = think

        async def _send(self, person: Any, kind: str, how: str, activity: dict[str, Any],
                        expect: list[str]) -> Any:
            await pause(self.pauses.expovariate(1 / self.mean_pause), self.stop)
            if self.stop.is_set():
                raise Stopped
            return await super()._send(person, kind, how, activity, expect)

    return SoakChat


@dataclass
class Book:
    """What the people measured: the warm-up's phase, then the measured one (submissions.Phase
    each); the invokes' problems, and the turns per replica."""

    warm: Any
    measured: Any
    current: Any = None
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.current = self.warm

    @property
    def turns(self) -> int:
        return self.warm.turns + self.measured.turns


class Crowd:
    """The people of one phase, each a loop, and where their turns go."""

    def __init__(self, session: Any, urls: list[str], shapes: People, replies: Any,
                 welcome: dict[str, Any], args: argparse.Namespace, tag: str,
                 stop: asyncio.Event) -> None:
        from submissions import Phase

        self.session = session
        self.urls = itertools.cycle([f"{url.rstrip('/')}/api/messages" for url in urls])
        self.shapes = shapes
        self.replies = replies
        self.welcome = welcome
        self.args = args
        self.tag = tag
        self.stop = stop
        self.book = Book(Phase(), Phase())
        self.chats: list[Any] = []

    def next_url(self) -> str:
        return next(self.urls)

    def chat(self, person: int) -> Any:
        chat = soak_chat_class()(self.session, self.next_url, self.shapes, self.replies,
                                 f"{self.tag}-{person}", self.book.current, self.welcome,
                                 stop=self.stop, think=self.args.think)
        self.chats.append(chat)
        return chat

    def welcome_with(self, card: dict[str, Any]) -> None:
        """The welcome a newcomer gets from now on."""
        self.welcome = card
        for chat in self.chats:
            chat.welcome = card

    def measure_from_now(self) -> None:
        """The warm-up is over: turns from now on are measured."""
        self.book.current = self.book.measured
        for chat in self.chats:
            chat.phase = self.book.measured

    async def say(self, chat: Any, person: Any, kind: str, text: str) -> Any:
        """A typed query from someone who has used the bot before: one answer, not a
        refusal."""
        from submissions import ANY

        return await chat.say(person, kind, text, [ANY])

    def broke(self, error: Exception) -> None:
        self.book.current.problems.append(str(error))
        self.book.errors.append(str(error))


async def submitter(crowd: Crowd, number: int, organisation: Any) -> None:
    """Idea after idea through the whole guided submission; someone new after a broken one."""
    from submissions import Broken, Person, submit_idea

    chat = crowd.chat(number)
    person = Person(number)
    newcomers = itertools.count(1)
    while not crowd.stop.is_set():
        try:
            crowd.book.current.references.append(
                await submit_idea(chat, person, organisation, campaigns_open=True))
        except Broken as error:
            crowd.broke(error)
            person = Person(number + 100_000 * next(newcomers))


async def querier(crowd: Crowd, number: int, references: list[str], rng: random.Random) -> None:
    """"my ideas", "status IIP-...", "search ..." or "help", one after another."""
    from submissions import Broken, Person

    chat = crowd.chat(number)
    person = Person(number)
    while not crowd.stop.is_set():
        roll = rng.random()
        if roll < 0.3:
            kind, text = "query: my ideas", "my ideas"
        elif roll < 0.6 and references:
            kind, text = "query: status", f"status {rng.choice(references)}"
        elif roll < 0.85:
            kind, text = "query: search", f"search {rng.choice(SEARCHES)}"
        else:
            kind, text = "query: help", "help"
        try:
            await crowd.say(chat, person, kind, text)
        except Broken as error:
            crowd.broke(error)


async def staff_member(crowd: Crowd, number: int, engine: Any, taken: set[int],
                       connector_url: str, rng: random.Random) -> None:
    """Alex triages the submitted ideas (allocating each to its portfolio); the SPOCs and the
    deputy decide those awaiting assessment in theirs, a move after another; "my queue" when
    there is nothing to press on, and as their first turn."""
    import aiohttp
    from submissions import Broken, Person

    object_id = crowd.shapes.staff[number]
    chat = crowd.chat(number)
    person = Person(number)
    serial = itertools.count(number * 10**6)
    moves = itertools.cycle(MOVES)
    revisit = (time.gmtime(time.time() + 90 * 86400))
    queue: list[tuple[int, int, str]] = []
    looked = False  # their first turn: "my queue"
    while not crowd.stop.is_set():
        if not queue and looked:
            queue = (await waiting_ideas(engine, "submitted", None, taken) if object_id == ALEX
                     else await waiting_ideas(engine, "business_assessment",
                                              DECIDES[object_id], taken))
            rng.shuffle(queue)
        if not queue:
            looked = True
            try:
                await crowd.say(chat, person, "query: my queue", "my queue")
            except Broken as error:
                crowd.broke(error)
            continue
        idea, version, portfolio = queue.pop()
        move = "allocate" if object_id == ALEX else next(moves)
        inputs = {"portfolio": portfolio} if move == "allocate" else {}
        if move == "defer":
            inputs["revisit_on"] = time.strftime("%Y-%m-%d", revisit)
        await pause(rng.expovariate(1 / crowd.args.think), crowd.stop)
        if crowd.stop.is_set():
            return
        taken.add(idea)
        body = json.dumps(invoke_body(object_id, idea, version, move, connector_url,
                                      next(serial), **inputs))
        phase = crowd.book.current
        kind = f"decision: {move}"
        begun = time.perf_counter()
        try:
            async with crowd.session.post(crowd.next_url(), data=body, headers={
                    "Content-Type": "application/json"}) as response:
                answer = await response.read()
                status = str(response.status)
        except aiohttp.ClientError as error:
            answer, status = b"{}", type(error).__name__
        phase.times[kind].append(time.perf_counter() - begun)
        phase.statuses[status] += 1
        refused = refusal(answer) if status == "200" else None
        if status != "200" or refused:
            crowd.broke(Broken(f"{kind} on idea {idea}: answered {status} {refused or ''}"))
        else:
            phase.right += 1


async def bare_person(crowd: Crowd, number: int) -> None:
    """The baseline: "help" to the bare echo bot, its echo the one reply."""
    from submissions import ANY, Broken, Person

    chat = crowd.chat(number)
    chat.answered = "201"  # as CloudAdapter.process answers
    person = Person(number)
    while not crowd.stop.is_set():
        try:
            await chat.say(person, "help (bare echo bot)", "help", [ANY])
        except Broken as error:
            crowd.broke(error)


async def run_crowd(crowd: Crowd, loops: list[Callable[[], Any]], seconds: float,
                    warmup: float, tick: Callable[[float], Any],
                    at: dict[float, Callable[[], Any]] | None = None) -> float:
    """The people's loops for `seconds` (the first `warmup` unmeasured), `tick` called every
    second with the time gone, and each of `at` when its moment comes; the moment
    (time.monotonic) the warm-up ended."""
    started = time.monotonic()
    tasks = [asyncio.create_task(_until_stopped(loop)) for loop in loops]
    pending = dict(sorted((at or {}).items()))
    warm_until = started + warmup
    measuring = False
    try:
        while (gone := time.monotonic() - started) < seconds:
            if not measuring and gone >= warmup:
                crowd.measure_from_now()
                measuring = True
            for moment in [m for m in pending if m <= gone]:
                await pending.pop(moment)()
            await tick(gone)
            await asyncio.sleep(1.0)
        crowd.stop.set()
        await asyncio.gather(*tasks)
    finally:
        crowd.stop.set()
        for task in tasks:
            task.cancel()
    return warm_until


async def _until_stopped(loop: Callable[[], Any]) -> None:
    with contextlib.suppress(Stopped):
        await loop()


# ---------------------------------------------------------------------------------------------
# The run.
# ---------------------------------------------------------------------------------------------

@dataclass
class Replica:
    service: Service
    memory: MemoryWatch | None = None
    cpu_start: float = 0.0
    cpu_seconds: float = 0.0
    growth: float = float("nan")
    rss_after_warmup: float = 0.0


async def soak(args: argparse.Namespace) -> int:
    import aiohttp

    from bot.services.clock import SystemClock
    from bot.services.organisation import read_organisation_file
    from storage.engine import make_engine

    progress = Progress(every=args.progress_every)
    workdir = Path(tempfile.mkdtemp(prefix="iip-soak-"))
    mix = Mix.of(args.people, args.mix)
    load_start = os.getloadavg()
    report: dict[str, Any] = {"mix": mix, "load_start": load_start}
    children: list[Any] = []
    try:
        async with fresh_database(args.database, "iip_soak", folder=workdir,
                                  admin_url=args.postgres_url) as url:
            connector = Child("connector", SCRIPT, [
                "--role", "connector", "--latency", str(args.latency), "--rate",
                str(args.rate), "--conversation-rate", str(args.conversation_rate)],
                workdir / "connector.log")
            children.append(connector)
            await connector.start()
            shapes = People(connector.url, mix.staff_numbers())
            progress.note(f"Seeding {args.ideas} ideas and {args.recipients} addresses "
                          f"({args.database})...")
            references = await prepare(url, args, mix, connector.url, shapes)
            report["versions"] = await versions(url)
            replicas = [Replica(replica_service(n, url, connector.url, workdir))
                        for n in (1, 2)]
            bare = Child("bare", Path(__file__).with_name("turns.py"), ["--role", "bare"],
                         workdir / "bare.log")
            children += [bare, *(r.service for r in replicas)]
            progress.note("Starting two `iip serve` replicas and the bare echo bot...")
            await asyncio.gather(bare.start(), *(r.service.start() for r in replicas))
            organisation = read_organisation_file(DEMO_ORGANISATION)
            engine = make_engine(url)
            from submissions import ReplyLog

            connections = aiohttp.TCPConnector(limit=0)
            timeout = aiohttp.ClientTimeout(total=60)
            async with (aiohttp.ClientSession(connector=connections, timeout=timeout) as session,
                        ReplyLog(connector) as replies, contextlib.AsyncExitStack() as stack):
                # A campaign takes ideas all along (its call to one person), so that every
                # submission is asked which campaign it answers; and the welcome card, with
                # that campaign in it, as the bot sends it to a newcomer now.
                await queue_campaign(url, 1, (person(0)[1],), by=ALEX, clock=SystemClock())
                welcome = await welcome_now(session, replicas[0].service.url, shapes, replies)
                # The baseline: the bare echo bot under the same people, at the same pace.
                baseline = Crowd(session, [bare.info["url"]], shapes, replies, welcome, args,
                                 "bare", asyncio.Event())

                async def baseline_tick(gone: float) -> None:
                    progress.show(f"  baseline (bare echo bot): {gone:.0f}/"
                                  f"{args.baseline_seconds:.0f} s, {baseline.book.turns} "
                                  f"turns, errors {len(baseline.book.errors)}")

                await run_crowd(baseline, [
                    (lambda n=n: bare_person(baseline, n)) for n in range(args.people)],
                    args.baseline_seconds, args.baseline_seconds / 5, baseline_tick)
                report["baseline_problems"] = await replies.settle()
                report["baseline"] = baseline.book
                progress.show(f"  baseline: {baseline.book.measured.turns} turns measured, "
                              f"p99 {p99(baseline.book.measured):.1f} ms", final=True)

                # The soak.
                for replica in replicas:
                    replica.memory = await stack.enter_async_context(
                        MemoryWatch(replica.service.pid, MEMORY_SAMPLE_SECONDS))
                    replica.cpu_start = replica.memory.cpu_seconds()
                crowd = Crowd(session, [r.service.url for r in replicas], shapes, replies,
                              welcome, args, "soak", asyncio.Event())
                rng = random.Random(args.seed)
                taken: set[int] = set()
                loops: list[Callable[[], Any]] = []
                for n in range(args.people):
                    kind = mix.kind(n)
                    person_rng = random.Random(f"{args.seed}-{n}")
                    if kind == "submitter":
                        loops.append(lambda n=n: submitter(crowd, n, organisation))
                    elif kind == "staff":
                        loops.append(lambda n=n, r=person_rng: staff_member(
                            crowd, n, engine, taken, connector.url, r))
                    else:
                        loops.append(lambda n=n, r=person_rng: querier(
                            crowd, n, references.get(n, []), r))
                rng.shuffle(loops)
                seconds = args.minutes * 60
                warmup = min(60.0, seconds / 5)
                campaign: dict[str, Any] = {}
                owed_now = {"owed": 0}

                async def broadcast() -> None:
                    progress.note("  queueing the campaign's call to everyone with a 1:1 "
                                  "address...")
                    campaign_id, recipients, took = await queue_campaign(
                        url, 2, None, by=ALEX, clock=SystemClock())
                    campaign.update(id=campaign_id, recipients=recipients, queued_in=took)
                    # Newcomers are welcomed with both campaigns from now on.
                    crowd.welcome_with(await welcome_now(
                        session, replicas[0].service.url, shapes, replies, NEWCOMER + 1))

                async def tick(gone: float) -> None:
                    if int(gone) % 5 == 0:
                        owed_now["owed"] = await outbox_owed(url, 0)
                    book = crowd.book
                    rss = "/".join(f"{(r.memory.last_rss if r.memory else 0) / 2**20:.0f}"
                                   for r in replicas)
                    progress.show(
                        f"  soak {gone / 60:4.1f}/{args.minutes:g} min "
                        f"{'(warm-up) ' if gone < warmup else ''}people {args.people}, turns "
                        f"{book.turns} ({book.turns / max(gone, 1):.0f}/s), errors "
                        f"{len(book.errors)}, p99 so far {p99(book.current):.0f} ms, RSS "
                        f"{rss} MB, outbox owes {owed_now['owed']}")

                progress.note(f"Soaking: {mix.submitters} submitters, {mix.staff} staff, "
                              f"{mix.queriers} querying, for {args.minutes:g} min...")
                warm_until = await run_crowd(crowd, loops, seconds, warmup, tick,
                                             {seconds * args.broadcast_at: broadcast})
                ended = time.monotonic()
                for replica in replicas:
                    assert replica.memory is not None
                    replica.cpu_seconds = replica.memory.cpu_seconds() - replica.cpu_start
                    history = [s for s in replica.memory.history if s[0] <= ended]
                    replica.growth = growth_after_warmup(history, warm_until,
                                                         min(30.0, (ended - warm_until) / 4))
                    replica.rss_after_warmup = next(
                        (rss for at, rss in history if at >= warm_until), 0)
                progress.note(f"  the people stopped; up to {args.grace:g} s for the outbox "
                              "to drain...")
                drained_in = time.monotonic()
                report["owed"] = await outbox_owed(url, args.grace)
                report["drained_in"] = time.monotonic() - drained_in
                report["states"] = await outbox_states(engine)
                report["still_owed"] = await still_owed(engine)
                report["busiest_chat"] = await busiest_chat(engine)
                report["problems"] = await replies.settle()
                report["connector"] = await replies.ask("stats")
                report["campaign"] = campaign
                report["soak"] = crowd.book
                report["measured_seconds"] = ended - warm_until
                await engine.dispose()
            for replica in replicas:
                await replica.service.stop()
            report["replicas"] = replicas
            report["logged"] = [f"{r.service.name}: {line[:300]}" for r in replicas
                                for line in r.service.logged_errors()[:5]]
    except DatabaseUnavailable as error:
        print(f"PostgreSQL is unreachable at {args.postgres_url}: {error}", file=sys.stderr)
        return 2
    finally:
        for child in reversed(children):
            await child.stop()
        if args.keep:
            print(f"Logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report["load_end"] = os.getloadavg()
    return print_report(args, report)


async def welcome_now(session: Any, url: str, shapes: People, replies: Any,
                      newcomer: int = NEWCOMER) -> dict[str, Any]:
    """The welcome card a newcomer gets now: someone new says "hi"."""
    from submissions import ANY, Chat, Person, Phase

    chat = Chat(session, f"{url.rstrip('/')}/api/messages", shapes, replies,
                f"welcome-{newcomer}", Phase(), {})
    reply = await chat.say(Person(newcomer), "welcome", "hi", [ANY])
    return reply.received.cards[0]


def replica_service(number: int, database_url: str, connector_url: str,
                    workdir: Path) -> Service:
    """`iip serve` on a port of its own, anonymous on loopback, production JSON logs; new
    chats opened through the stand-in connector."""
    port = free_port()
    return Service(f"replica-{number}", [str(Path(sys.executable).with_name("iip")), "serve"],
                   port, workdir / f"replica-{number}.log", env={
                       "IIP_DATABASE_URL": database_url, "IIP_HOST": "127.0.0.1",
                       "IIP_PORT": str(port), "IIP_TEAMS_SERVICE_URL": connector_url,
                       "IIP_LOG_FORMAT": "json", "MICROSOFT_APP_ID": ""})


async def versions(database_url: str) -> dict[str, str]:
    """The database server's version (PostgreSQL's, or SQLite's library)."""
    from sqlalchemy import text

    from storage.engine import make_engine

    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                found = await connection.scalar(text("SHOW server_version"))
                return {"database": f"PostgreSQL {found}"}
            found = await connection.scalar(text("SELECT sqlite_version()"))
            return {"database": f"SQLite {found}"}
    finally:
        await engine.dispose()


# ---------------------------------------------------------------------------------------------
# The report.
# ---------------------------------------------------------------------------------------------

def all_times(phase: Any) -> list[float]:
    return [t for times in phase.times.values() for t in times]


def p99(phase: Any) -> float:
    return percentile_ms(all_times(phase), 0.99)


def kind_family(kind: str) -> str:
    if kind.startswith(("decision", "query", "help")):
        return kind
    return "submission: " + kind


def print_report(args: argparse.Namespace, report: dict[str, Any]) -> int:
    import psutil

    soaked, baseline = report["soak"].measured, report["baseline"].measured
    mix: Mix = report["mix"]
    replicas: list[Replica] = report["replicas"]
    overall = percentile_ms(all_times(soaked), 0.99)
    bare = percentile_ms(all_times(baseline), 0.99)
    errors = (report["soak"].errors + report["problems"] + report["logged"])
    campaign = report["campaign"]
    connector = report["connector"]
    reached = connector.get("kinds", {}).get("campaign:2", 0)
    sends = connector.get("sends_by_kind", {}).get("campaign:2", 0)
    states = report["states"]
    drained = (report["owed"] == 0 and bool(campaign)
               and reached == campaign.get("recipients") and not states.get("dead"))
    growth = max((r.growth for r in replicas), default=float("nan"))
    minutes = report["measured_seconds"] / 60
    start, end = report["load_start"], report["load_end"]
    print()
    print(f"### Soak: {args.people} people for {args.minutes:g} min on two `iip serve` "
          f"replicas ({report['versions']['database']})")
    print()
    print(f"{mix.submitters} submitting, {mix.staff} of the demo organisation's staff "
          f"triaging and deciding, {mix.queriers} querying; {args.think:g} s between turns on "
          f"average; {args.ideas} ideas seeded; a campaign's call to "
          f"{campaign.get('recipients', '?')} people queued at {args.broadcast_at:.0%} of the "
          f"run. Measured: the last {minutes:.1f} min (after a warm-up).")
    print(f"Machine: {os.cpu_count()} CPU(s), {psutil.virtual_memory().total / 2**30:.1f} GB "
          f"of memory, load average {start[0]:.2f} at the start and {end[0]:.2f} at the end "
          f"(shared with other work); Python {platform.python_version()}, "
          f"{report['versions']['database']}.")
    print()
    print("| turn kind | turns | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    rows = sorted(soaked.times.items(), key=lambda item: kind_family(item[0]))
    for kind, times in [*rows, ("all turns", all_times(soaked)),
                        ("bare echo bot, same people (baseline)", all_times(baseline))]:
        print(f"| {kind_family(kind) if kind in soaked.times else kind} | {len(times)} | "
              f"{percentile_ms(times, 0.5):.1f} | {percentile_ms(times, 0.95):.1f} | "
              f"{percentile_ms(times, 0.99):.1f} |")
    print()
    print("| replica | CPU s (measured) | RSS after warm-up MB | RSS at end MB | growth | "
          "peak MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for replica in replicas:
        memory = replica.memory
        assert memory is not None
        print(f"| {replica.service.name} | {replica.cpu_seconds:.1f} | "
              f"{replica.rss_after_warmup / 2**20:.0f} | {memory.last_rss / 2**20:.0f} | "
              f"{replica.growth:+.1f} % | {memory.peak_rss / 2**20:.0f} |")
    print()
    turns = soaked.turns
    checks = [
        (not errors, f"errors: {len(errors)} (target 0)"),
        (overall < TARGET_P99_MS, f"p99 of all {turns} measured turns {overall:.1f} ms "
                                  f"(target < {TARGET_P99_MS:g} ms); {overall / bare:.1f}x "
                                  f"the bare echo bot's {bare:.1f} ms"),
        (growth < TARGET_GROWTH_PERCENT, f"memory growth after warm-up {growth:+.1f} % at "
                                         f"most (target < {TARGET_GROWTH_PERCENT:g} %)"),
        (drained, f"outbox drained: {report['owed']} owed {report['drained_in']:.0f} s after "
                  f"the people stopped; by state {states}; the campaign reached "
                  f"{reached} of {campaign.get('recipients', '?')} ({sends - reached} "
                  f"duplicates)" + (f"; still owed: {', '.join(report['still_owed'])}"
                                    if report["still_owed"] else "")),
    ]
    print("| target | result |")
    print("|---|---|")
    for passed, text in checks:
        print(f"| {'PASS' if passed else 'FAIL'} | {text} |")
    print()
    print(f"Stand-in connector: {connector.get('calls')} calls, {connector.get('throttled')} "
          f"answered 429 with Retry-After ({connector.get('throttled_by_conversation')} by a "
          f"conversation's limit); {soaked.turns / report['measured_seconds']:.1f} turns/s "
          f"measured; {len(soaked.references)} ideas submitted while measured, "
          f"{soaked.similar_shown} times shown similar ideas first.")
    print(f"Busiest chat: {'; '.join(report['busiest_chat'])}.")
    grouped = Counter([*errors, *report["baseline_problems"], *report["baseline"].errors])
    for problem, count in grouped.most_common(12):
        print(f"  PROBLEM  {count} x {problem}")
    return 0 if all(passed for passed, _ in checks) else 1


# ---------------------------------------------------------------------------------------------
# The command line.
# ---------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    database_options(parser, default="postgresql")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--think", type=float, default=5.0,
                        help="mean seconds a person takes before each turn (default 5)")
    parser.add_argument("--mix", type=parse_mix, default=parse_mix("submit=0.3,query=0.7"),
                        help="shares of submitters and queriers (default submit=0.3,"
                             "query=0.7); staff=SHARE for the demo organisation's staff (0.02 "
                             "by default: all four of them at 200 people, at least one)")
    parser.add_argument("--ideas", type=int, default=300, help="ideas seeded (default 300)")
    parser.add_argument("--recipients", type=int, default=3000,
                        help="stored 1:1 addresses besides the people's (default 3000)")
    parser.add_argument("--broadcast-at", type=float, default=0.3,
                        help="when the campaign's call is queued, as a share of the run")
    parser.add_argument("--baseline-seconds", type=float, default=30.0)
    parser.add_argument("--grace", type=float, default=600.0,
                        help="at most this many seconds for the outbox to drain afterwards "
                             "(default 600: one chat takes 60 sends in 30 s, and every new "
                             "idea's triage card goes to the PMO's)")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--conversation-rate", type=float, default=7.0)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--progress-every", type=float, default=10.0)
    parser.add_argument("--keep", action="store_true", help="keep the replicas' logs")
    parser.add_argument("--role", choices=("connector",), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "connector":
        asyncio.run(run_connector(args.latency, max(1, round(args.rate)),
                                  max(1, round(args.conversation_rate)), mark, tally,
                                  forward=True, replies_count_to_tenant=False))
        return 0
    if args.database == "both":
        parser.error("--database: one of sqlite or postgresql")
    if args.people < 1 or args.minutes <= 0 or args.think <= 0:
        parser.error("--people, --minutes and --think must be more than zero")
    return run_to_the_end(soak(args))


if __name__ == "__main__":
    sys.exit(main())
