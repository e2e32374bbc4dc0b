"""A stand-in Bot Connector service on loopback that records what the bot sends.

It answers like Teams: 200 with an activity id for a send or a reply, 201 for a new
conversation, and, when told to, 429 with any Retry-After, 403 with any error code, 502, or a
slow answer.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Received:
    """One request the bot made to the connector."""

    method: str
    path: str
    conversation_id: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [a["content"] for a in self.body.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]

    @property
    def text_seen(self) -> str:
        """Every string in the activity's cards and text, as a person would read them."""
        parts: list[str] = [self.body.get("text") or ""]

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("text", "title", "label", "placeholder") and isinstance(value, str):
                        parts.append(value)
                    elif key == "facts" and isinstance(value, list):  # a FactSet's title: value
                        parts.extend(f"{fact.get('title', '')}: {fact.get('value', '')}"
                                     for fact in value if isinstance(fact, dict))
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.cards)
        return "\n".join(p for p in parts if p)

    @property
    def summary(self) -> str | None:
        """The notification text Teams shows for the message."""
        return self.body.get("summary")

    @property
    def inputs(self) -> dict[str, Any]:
        """What each input of the cards shows before the person types: {input id: value}."""
        found: dict[str, Any] = {}

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if str(node.get("type", "")).startswith("Input.") and "id" in node:
                    found[node["id"]] = node.get("value")
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.cards)
        return found


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    delay: float = 0.0


TOO_MANY = Fault(429, {"Retry-After": "1"}, {"error": {"code": "TooManyRequests"}})
BLOCKED = Fault(403, body={"error": {"code": "MessageWritesBlocked",
                                     "message": "The user blocked the bot"}})


def forbidden(code: str | None, message: str = "Forbidden") -> Fault:
    """403 with this error code in its body, as the Bot Connector answers (None: no body)."""
    return Fault(403, body={"error": {"code": code, "message": message}} if code else {})


BAD_GATEWAY = Fault(502, body={"error": {"code": "ServiceError"}})
UNAUTHORISED = Fault(401, body={"message": "Authorization has been denied for this request."})


class StandInConnector:
    """`async with StandInConnector() as connector:` serves on 127.0.0.1 at `connector.url`."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.received: list[Received] = []
        # Requests that have reached the connector, counted before any delay or fault.
        self.arrivals = 0
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""
        # When set, a send with any other Authorization header is refused 401, as the Bot
        # Connector refuses an expired or revoked token.
        self.accepted_authorization: str | None = None
        # What a member lookup answers beyond the id and name, by member id (such as the
        # `email` and `userPrincipalName` of a TeamsChannelAccount); a member absent is 404
        # when `members_known_only` is set.
        self.members: dict[str, dict[str, Any]] = {}
        self.members_known_only = False
        # Conversations that refuse every send with their fault until admitted again (a team
        # the app was taken out of, say).
        self.refusing: dict[str, Fault] = {}

    def refuse(self, conversation_id: str, fault: Fault) -> None:
        """Answer every send to this conversation with `fault`, until `admit`."""
        self.refusing[conversation_id] = fault

    def admit(self, conversation_id: str) -> None:
        """Take this conversation's sends again (the app is back there)."""
        self.refusing.pop(conversation_id, None)

    @property
    def delivered(self) -> list[Received]:
        """What reached a chat (the connector answered 2xx)."""
        return [r for r in self.received if r.status < 300]

    def fail_next(self, fault: Fault, times: int = 1) -> None:
        """Answer the next `times` requests with `fault` instead of accepting them."""
        self._faults.extend([fault] * times)

    async def wait_for(self, count: int, within: float = 5.0) -> list[Received]:
        """Until at least `count` requests have arrived; all of them."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.received) >= count), within
            )
        return list(self.received)

    def sent_to(self, conversation_id: str) -> list[Received]:
        """What the bot sent into one conversation, in the order it arrived."""
        return [r for r in self.received if r.conversation_id == conversation_id]

    async def wait_for_conversation(self, conversation_id: str, count: int,
                                    within: float = 5.0) -> list[Received]:
        """Until at least `count` requests for `conversation_id` have arrived; all of them."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.sent_to(conversation_id)) >= count),
                within,
            )
        return self.sent_to(conversation_id)

    async def wait_for_arrivals(self, count: int, within: float = 5.0) -> None:
        """Until at least `count` requests have reached the connector (answered or not yet)."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: self.arrivals >= count), within
            )

    async def __aenter__(self) -> StandInConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._send)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._send)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _create_conversation(self, request: web.Request) -> web.Response:
        await request.json()
        return web.json_response({"id": f"a:new-{next(self._ids)}", "activityId": None},
                                 status=201)

    async def _member(self, request: web.Request) -> web.Response:
        """GET one member of a conversation: recorded like a send, answered as Teams does."""
        member = request.match_info["member"]
        async with self._arrived:
            self.arrivals += 1
            self.received.append(Received(
                method=request.method, path=request.path,
                conversation_id=request.match_info["conversation"], body={},
                headers=dict(request.headers),
            ))
            self._arrived.notify_all()
        if self.members_known_only and member not in self.members:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}},
                                     status=404)
        return web.json_response({"id": member, "name": "Stand-in member",
                                  **self.members.get(member, {})})

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        async with self._arrived:
            self.arrivals += 1
            self._arrived.notify_all()
        fault = self.refusing.get(request.match_info["conversation"]) or (
            self._faults.pop(0) if self._faults else None)
        if self.accepted_authorization is not None \
                and request.headers.get("Authorization") != self.accepted_authorization:
            fault = UNAUTHORISED
        delay = fault.delay if fault and fault.delay else self.delay
        if delay:
            await asyncio.sleep(delay)
        status = fault.status if fault else 200
        received = Received(
            method=request.method, path=request.path,
            conversation_id=request.match_info["conversation"], body=body,
            headers=dict(request.headers), status=status,
        )
        async with self._arrived:
            self.received.append(received)
            self._arrived.notify_all()
        if fault:
            return web.json_response(fault.body, status=fault.status, headers=fault.headers)
        return web.json_response({"id": f"activity-{next(self._ids)}"})
