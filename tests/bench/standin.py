"""A stand-in Bot Connector that behaves like Teams under load, for the benchmarks that send
through the outbox (outbox.py, broadcast.py), run as a child process.

It allows `tenant_rate` sends a second per tenant (the benchmarks have one tenant) and
`conversation_rate` a second per conversation, and, as Teams does, at most 8 in 2 seconds, 60
in 30 seconds and 1,800 an hour per conversation: sliding windows counted when a call arrives.
Past them it answers 429 with Retry-After (whole seconds until every window has room). It
takes `latency` over every call, with any number in flight. Every send it accepts is
attributed by a `mark` function (the benchmark's: which row or notice it delivers), so that
deliveries, duplicates and the moment each was answered can be counted; a send it cannot
attribute is counted apart, as a sign of a dishonest run.

Where people chat with the bot as well (soak.py), a turn's replies (a POST to
.../activities/{reply_to}) may be left out of the tenant's limit, which Teams applies to what
a bot sends of its own accord, and every accepted send may be forwarded to the parent as a
JSON line, so that it can check each turn's replies.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from harness import ready, say, serve_on_loopback, stdin_lines

# Teams' limits on one conversation beyond its per-second rate: (sends, seconds).
TEAMS_CONVERSATION_WINDOWS = ((8, 2.0), (60, 30.0), (1800, 3600.0))

# What a send delivers, from its conversation id and activity; None: nothing we know.
Mark = Callable[[str, dict[str, Any]], str | None]


class ThrottlingConnector:
    """Teams' Bot Connector under load, as far as a sender can tell: limits, 429s, latency."""

    def __init__(self, latency: float, tenant_rate: int, conversation_rate: int,
                 mark: Mark, *, replies_count_to_tenant: bool = True,
                 forward: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.latency = latency
        self.tenant_rate = tenant_rate
        self.conversation_rate = conversation_rate
        # (sends, seconds), shortest first: what Teams allows one conversation.
        self.conversation_windows = ((conversation_rate, 1.0), *TEAMS_CONVERSATION_WINDOWS)
        self.mark = mark
        self.replies_count_to_tenant = replies_count_to_tenant
        self.forward = forward  # told of every send accepted
        self.tenant_sends: deque[float] = deque()  # one tenant: every call counts here
        self.conversation_sends: dict[str, deque[float]] = {}
        self.ids = 0
        self.in_flight = 0
        self.reset()

    def reset(self) -> None:
        self.calls = 0
        self.throttled = 0
        self.throttled_by_conversation = 0
        self.early: list[float] = []  # per 429: how long before the window had room
        self.delivered: Counter[str] = Counter()
        self.answered_at: dict[str, float] = {}  # the first delivery of each mark
        self.unmarked = 0
        self.other: Counter[str] = Counter()
        self.peak_in_flight = 0
        self.last_answered: float | None = None
        self.first_arrival: float | None = None

    def admit(self, conversation: str, now: float, *,
              by_tenant: bool = True) -> tuple[float, bool]:
        """(0, _) when the send may go (and it is counted); else (seconds until it may,
        whether the conversation's limit was the one hit). `by_tenant`: the tenant's limit
        applies to it."""
        _forget_before(self.tenant_sends, now - 1.0)
        tenant_wait = (_window_wait(self.tenant_sends, self.tenant_rate, 1.0, now)
                       if by_tenant else 0.0)
        history = self.conversation_sends.get(conversation)
        if history is None:
            history = self.conversation_sends[conversation] = deque()
        _forget_before(history, now - self.conversation_windows[-1][1])
        conversation_wait = max(_window_wait(history, sends, seconds, now)
                                for sends, seconds in self.conversation_windows)
        if tenant_wait > 0 or conversation_wait > 0:
            return max(tenant_wait, conversation_wait), conversation_wait > tenant_wait
        if by_tenant:
            self.tenant_sends.append(now)
        history.append(now)
        return 0.0, False

    def prune(self, now: float) -> None:
        longest = self.conversation_windows[-1][1]
        for key in [k for k, h in self.conversation_sends.items()
                    if not h or h[-1] <= now - longest]:
            del self.conversation_sends[key]

    async def send(self, request: Any) -> Any:
        from aiohttp import web

        arrived = time.monotonic()
        try:
            body = await request.json()
        except ValueError:
            self.other["unreadable body"] += 1
            return web.json_response({"error": {"code": "BadSyntax"}}, status=400)
        self.calls += 1
        if self.first_arrival is None:
            self.first_arrival = arrived
        conversation = request.match_info["conversation"]
        reply = request.method == "POST" and "reply_to" in request.match_info
        wait, by_conversation = self.admit(
            conversation, arrived, by_tenant=self.replies_count_to_tenant or not reply)
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.latency)
        finally:
            self.in_flight -= 1
        if wait > 0:
            self.throttled += 1
            self.throttled_by_conversation += by_conversation
            self.early.append(wait)
            return web.json_response(
                {"error": {"code": "TooManyRequests",
                           "message": "Too many requests: slow down and retry later."}},
                status=429, headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        key = self.mark(conversation, body)
        self.last_answered = time.monotonic()
        if key is None:
            self.unmarked += 1
        else:
            self.delivered[key] += 1
            self.answered_at.setdefault(key, self.last_answered)
        if self.forward is not None:
            self.forward({"method": request.method, "path": request.path,
                          "conversation": conversation, "status": 200, "body": body})
        self.ids += 1
        return web.json_response({"id": f"1:{self.ids}"})

    async def create_conversation(self, request: Any) -> Any:
        from aiohttp import web

        await request.json()
        self.other["POST /v3/conversations"] += 1
        self.ids += 1
        return web.json_response({"id": f"a:new-{self.ids}"}, status=201)

    def app(self) -> Any:
        from aiohttp import web

        app = web.Application()
        app.router.add_post("/v3/conversations", self.create_conversation)
        app.router.add_post("/v3/conversations/{conversation}/activities", self.send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self.send)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self.send)
        return app

    def stats(self) -> dict[str, Any]:
        return {
            "calls": self.calls, "throttled": self.throttled,
            "throttled_by_conversation": self.throttled_by_conversation,
            "delivered": sum(self.delivered.values()), "distinct": len(self.delivered),
            "unmarked": self.unmarked, "other": dict(self.other),
            "in_flight": self.in_flight, "peak_in_flight": self.peak_in_flight,
            "first_arrival": self.first_arrival, "last_answered": self.last_answered,
            "early_ms": sorted(round(e * 1000, 1) for e in self.early),
        }


def _forget_before(history: deque[float], cutoff: float) -> None:
    while history and history[0] <= cutoff:
        history.popleft()


def _window_wait(history: deque[float], limit: int, seconds: float, now: float) -> float:
    """Seconds until a sliding window of `seconds` over `history` (send times, oldest first)
    has room for one more."""
    if len(history) < limit or history[len(history) - limit] <= now - seconds:
        return 0.0
    return max(1e-6, history[len(history) - limit] + seconds - now)


async def run_connector(latency: float, tenant_rate: int, conversation_rate: int,
                        mark: Mark,
                        tally: Callable[[ThrottlingConnector], dict[str, Any]] | None = None,
                        *, forward: bool = False, replies_count_to_tenant: bool = True,
                        ) -> None:
    """The stand-in as a child process. On "stats": the counts so far (with `tally`'s, if
    given); on "report": the counts and answer times per mark, then forget them. With
    `forward`, every send accepted is written to stdout as a JSON line at once (as
    turns.py's forwarder does, never blocking the event loop), and "sync" is answered
    {"synced": n} once the n sends accepted so far have been."""
    from aiohttp import web

    stand_in = ThrottlingConnector(latency, tenant_rate, conversation_rate, mark,
                                   replies_count_to_tenant=replies_count_to_tenant)
    runner = web.AppRunner(stand_in.app(), access_log=None)
    url = await serve_on_loopback(runner)
    forwarded = 0
    if forward:
        ready(url=url)
        out, _ = await asyncio.get_running_loop().connect_write_pipe(asyncio.Protocol,
                                                                     sys.stdout)

        def emit(**fields: Any) -> None:
            out.write(json.dumps(fields).encode() + b"\n")

        def forward_send(fields: dict[str, Any]) -> None:
            nonlocal forwarded
            forwarded += 1
            emit(**fields)

        stand_in.forward = forward_send
        say_it: Callable[..., None] = emit
    else:
        say_it = say

    async def keep_pruning() -> None:
        while True:
            await asyncio.sleep(5)
            stand_in.prune(time.monotonic())

    pruner = asyncio.create_task(keep_pruning())
    if not forward:
        ready(url=url)
    async for command in stdin_lines():
        extra = tally(stand_in) if tally else {}
        if command == "sync":
            say_it(synced=forwarded)
        elif command == "stats":
            say_it(**stand_in.stats(), **extra)
        elif command == "report":
            say_it(**stand_in.stats(), **extra, counts=dict(stand_in.delivered),
                   answered_at=stand_in.answered_at)
            stand_in.reset()
    pruner.cancel()
    await runner.cleanup()
