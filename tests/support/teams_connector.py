"""The stand-in Bot Connector with the faults a proactive sender meets in Teams.

On top of StandInConnector: faults aimed at one conversation, connections dropped without an
answer, conversations that no longer exist (404), a record of every conversation the bot
created, and when each request arrived (to check pacing and holds).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from support.connector import Fault, Received, StandInConnector

# Answer nothing: the connection is dropped as soon as the request has arrived.
DROP = Fault(0)
NOT_FOUND = Fault(404, body={"error": {"code": "ConversationNotFound",
                                       "message": "Conversation not found."}})
GATEWAY_TIMEOUT = Fault(504, body={"error": {"code": "GatewayTimeout"}})
SERVER_ERROR = Fault(500, body={"error": {"code": "InternalServerError"}})
UNAVAILABLE = Fault(503, body={"error": {"code": "ServiceUnavailable"}})
PRECONDITION_FAILED = Fault(412, body={"error": {"code": "PreconditionFailed"}})
TOO_BIG = Fault(413, body={"error": {"code": "MessageSizeTooBig"}})


def too_many(retry_after: float | str | None, delay: float = 0.0) -> Fault:
    """429 with Retry-After (a number of seconds, or the header's text as it is sent, odd or
    not; None: no header), answered after `delay` seconds."""
    headers = {} if retry_after is None else {
        "Retry-After": retry_after if isinstance(retry_after, str) else f"{retry_after:g}"}
    return Fault(429, headers, {"error": {"code": "TooManyRequests"}}, delay=delay)


@dataclass(frozen=True)
class Arrival:
    """One request to a conversation, when it arrived, and what it was answered."""

    at: float  # time.monotonic()
    method: str
    conversation_id: str
    status: int  # 0: the connection was dropped
    body: dict[str, Any]


class TeamsConnector(StandInConnector):
    """`async with TeamsConnector() as connector:` as StandInConnector, with more faults."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(delay)
        self.arrivals_log: list[Arrival] = []
        self.created: list[dict[str, Any]] = []  # bodies of POST /v3/conversations
        self.gone: set[str] = set()
        self._aimed: dict[str, list[Fault]] = defaultdict(list)
        self._new_ids = 0

    def fail_conversation(self, conversation_id: str, fault: Fault, times: int = 1) -> None:
        """Answer the next `times` requests to this conversation with `fault` (DROP drops)."""
        self._aimed[conversation_id].extend([fault] * times)

    def drop_next(self, times: int = 1) -> None:
        """Drop the connection of the next `times` requests, whatever their conversation."""
        self.fail_next(DROP, times)

    def to(self, conversation_id: str) -> list[Arrival]:
        return [a for a in self.arrivals_log if a.conversation_id == conversation_id]

    def delivered_to(self, conversation_id: str) -> list[Received]:
        return [r for r in self.delivered if r.conversation_id == conversation_id]

    async def settle(self, quiet: float = 0.3, within: float = 10.0) -> None:
        """Until no request has arrived for `quiet` seconds."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            last = self.arrivals_log[-1].at if self.arrivals_log else 0.0
            if time.monotonic() - last >= quiet:
                return
            await asyncio.sleep(quiet / 3)
        raise TimeoutError("the bot kept sending")

    async def _create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.created.append(body)
        self._new_ids += 1
        return web.json_response({"id": f"a:new-{self._new_ids}", "activityId": None},
                                 status=201)

    async def _send(self, request: web.Request) -> web.StreamResponse:
        conversation = request.match_info["conversation"]
        arrived = time.monotonic()
        body = await request.json()
        aimed = self._aimed.get(conversation)
        fault = aimed.pop(0) if aimed else None
        if fault is None and conversation in self.gone:
            fault = NOT_FOUND
        if fault is None and self._faults and self._faults[0] is DROP:
            fault = self._faults.pop(0)
        if fault is None:
            response = await super()._send(request)
            self.arrivals_log.append(Arrival(arrived, request.method, conversation,
                                             response.status, body))
            return response
        self.arrivals_log.append(Arrival(arrived, request.method, conversation,
                                         fault.status, body))
        async with self._arrived:
            self.arrivals += 1
            self.received.append(Received(
                method=request.method, path=request.path, conversation_id=conversation,
                body=body, headers=dict(request.headers), status=fault.status or 599,
            ))
            self._arrived.notify_all()
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is DROP:
            assert request.transport is not None
            request.transport.abort()
            raise web.HTTPInternalServerError()  # never reaches the bot: it is gone
        return web.json_response(fault.body, status=fault.status, headers=fault.headers)
