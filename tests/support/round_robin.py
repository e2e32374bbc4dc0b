"""A round-robin reverse proxy for POST /api/messages: replicas behind one address.

Each request goes to the next replica in turn, as a load balancer spreads a conversation's
turns; a replica that refuses the connection (it is down) is passed over for the next, as a
balancer's health check would, and the proxy notes it. Every request is recorded with the
activity it carried and the replica that answered it, so that a test can say which replica
served which turn.
"""

from __future__ import annotations

import bisect
import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

MESSAGES_PATH = "/api/messages"
# What a replica's answer may carry back to the caller; hop-by-hop headers stay behind.
_PASSED_BACK = ("Content-Type",)


@dataclass(frozen=True)
class Forwarded:
    """One request the proxy passed on: the activity, who answered, who was down."""

    arrived: int  # its place among the requests, in the order they came in
    activity: dict[str, Any]
    replica: str
    status: int
    passed_over: tuple[str, ...] = ()

    @property
    def what(self) -> str:
        """The turn as a person took it: the text typed, or the button's verb or action."""
        value = self.activity.get("value")
        if isinstance(value, dict):
            action = value.get("action")
            if isinstance(action, dict):  # Action.Execute: the verb
                return f"press {action.get('verb', '')}"
            if action is not None:  # Action.Submit: the card's own action name
                return f"press {action}"
        if self.activity.get("text"):
            return f"say {self.activity['text']}"
        return str(self.activity.get("type", ""))


@dataclass
class RoundRobin:
    """Forwards POST /api/messages to `replicas` ({name: base URL}) in turn; `forwarded`
    keeps the requests answered so far in the order they came in (requests in flight at once
    may be answered in another)."""

    replicas: Mapping[str, str]
    forwarded: list[Forwarded] = field(default_factory=list)
    _next: int = 0
    _arrivals: int = 0

    @property
    def next_in_line(self) -> str:
        """The replica the next request is offered to first."""
        return list(self.replicas)[self._next]

    def route(self) -> web.Application:
        app = web.Application()
        app.router.add_post(MESSAGES_PATH, self._forward)
        return app

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {name: value for name, value in request.headers.items()
                   if name in ("Authorization", "Content-Type")}
        names = list(self.replicas)
        arrived, self._arrivals = self._arrivals, self._arrivals + 1  # before any wait
        first, self._next = self._next, (self._next + 1) % len(names)
        passed_over: list[str] = []
        session = request.app[_SESSION]
        for offset in range(len(names)):
            name = names[(first + offset) % len(names)]
            try:
                async with session.post(f"{self.replicas[name]}{MESSAGES_PATH}", data=body,
                                        headers=headers) as answer:
                    answered = await answer.read()
                    status = answer.status
                    passed_back = {h: answer.headers[h] for h in _PASSED_BACK
                                   if h in answer.headers}
            except aiohttp.ClientConnectorError:  # nobody listens there: the replica is down
                passed_over.append(name)
                continue
            self._record(Forwarded(arrived, _activity(body), name, status, tuple(passed_over)))
            return web.Response(status=status, body=answered, headers=passed_back)
        self._record(Forwarded(arrived, _activity(body), "", 502, tuple(passed_over)))
        return web.Response(status=502, text="no replica is up")

    def _record(self, forwarded: Forwarded) -> None:
        bisect.insort(self.forwarded, forwarded, key=lambda f: f.arrived)


_SESSION = web.AppKey("session", aiohttp.ClientSession)


def _activity(body: bytes) -> dict[str, Any]:
    try:
        found = json.loads(body)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


@contextlib.asynccontextmanager
async def round_robin(replicas: Mapping[str, str]) -> AsyncIterator[tuple[RoundRobin, str]]:
    """The proxy on a free loopback port until the block ends: (the proxy, its base URL)."""
    proxy = RoundRobin(replicas)
    app = proxy.route()
    # A fresh connection for each request, so that a replica killed since the last one is
    # found refusing rather than half-way through a reused connection.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True),
                                     timeout=aiohttp.ClientTimeout(total=30)) as session:
        app[_SESSION] = session
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            yield proxy, f"http://127.0.0.1:{port}"
        finally:
            await runner.cleanup()
