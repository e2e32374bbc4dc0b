"""HTTP routes: the Bot Framework messaging endpoint and the health check."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web
from botbuilder.core import Bot
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from jwt import PyJWTError

from bot.channel.inbound import activity_problem, tenant_in

log = structlog.get_logger(__name__)

MAX_BODY_BYTES = 256 * 1024

HealthCheck = Callable[[], Awaitable[dict[str, object]]]


def messages_route(adapter: CloudAdapter, bot: Bot, tenant_id: str | None):
    """POST /api/messages, owned by us rather than CloudAdapter.process (see the README)."""

    async def messages(request: web.Request) -> web.StreamResponse:
        if request.content_type != "application/json":
            return _refuse(415, "expected application/json")
        try:
            body = await request.json()
        except web.HTTPRequestEntityTooLarge:
            return _refuse(413, f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
        except (ValueError, UnicodeDecodeError):
            return _refuse(400, "the body is not JSON")
        problem = activity_problem(body)
        if problem:
            return _refuse(400, problem)
        if tenant_id and tenant_in(body) != tenant_id:
            return _refuse(403, "the activity comes from another tenant")
        activity = Activity().deserialize(body)
        auth_header = request.headers.get("Authorization", "")
        try:
            response = await adapter.process_activity(auth_header, activity, bot.on_turn)
        except (PermissionError, PyJWTError) as error:
            log.warning("request.unauthorised", reason=type(error).__name__)
            return web.json_response({"error": "unauthorised"}, status=401)
        if response is None:
            return web.Response(status=200)
        return web.Response(
            status=response.status,
            body=json.dumps(response.body) if response.body is not None else None,
            content_type="application/json",
        )

    return messages


def health_route(check: HealthCheck):
    """GET /healthz: 200 with details when the database answers, 503 when it does not."""

    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(2):
                details = await check()
        except Exception as error:  # any failure means "not healthy"; say which
            log.error("health.database_failed", error=type(error).__name__)
            return web.json_response({"status": "unhealthy", "database": "unreachable"},
                                     status=503)
        return web.json_response({"status": "ok", "database": "ok", **details})

    return healthz


def _refuse(status: int, reason: str) -> web.Response:
    log.warning("request.refused", status=status, reason=reason)
    return web.json_response({"error": reason}, status=status)
