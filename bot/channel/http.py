"""HTTP routes: the Bot Framework messaging endpoint, the health check, board packs and
metrics."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web
from botbuilder.core import Bot
from botbuilder.schema import Activity
from msrest.serialization import Model
from prometheus_client import CONTENT_TYPE_LATEST

from bot.channel.activities import conversation_id_of
from bot.channel.adapter import PortalAdapter
from bot.channel.inbound import activity_problem, card_action_problem, tenant_in
from bot.channel.marking import CardMarking
from bot.channel.outage import RetryLater
from bot.channel.turns import TurnOutcome, TurnRecord, open_turn, turn_type_of
from bot.domain.board_pack import BoardPack
from bot.domain.errors import NotAllowed
from bot.domain.report_links import InvalidLink
from bot.metrics import OutboxFigures, PortalMetrics

log = structlog.get_logger(__name__)

MAX_BODY_BYTES = 256 * 1024
RETRY_AFTER_SECONDS = 30
UTF_8_NAMES = frozenset({"utf-8", "utf8"})

HealthCheck = Callable[[], Awaitable[dict[str, object]]]
OutboxReading = Callable[[], Awaitable[OutboxFigures]]
PackDownload = Callable[[str], Awaitable[BoardPack]]
REPORTS_PATH = "/reports/"
# What a page served from here may load: its own inline styles and data: images, nothing else.
_PACK_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
}
_REFUSED_PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Board pack unavailable</title>
<style>body{font-family:Arial,sans-serif;max-width:36em;margin:3em auto;line-height:1.5}</style>
</head><body><h1>This link does not open a board pack</h1>
<p>Links to board packs work for 24 hours, and only for the person they were made for.</p>
<p>To get a fresh one, type <b>report</b> to the bot in your 1:1 chat in Teams.</p>
</body></html>"""


def messages_route(adapters: web.AppKey[PortalAdapter], bot: Bot, tenant_id: str | None,
                   metrics: PortalMetrics, marking: CardMarking):
    """POST /api/messages, owned by us rather than CloudAdapter.process (see the README).

    The adapter is the one the app keeps under `adapters`: it is built when the app starts,
    since it sends through the app's HTTP session, which opens then. Each turn is counted in
    `metrics`, by type and outcome; once its body reads as an activity, every line it logs
    carries its activity's id and conversation's id (the request id is bound by request_log).
    A card answering a button press, which replaces the card pressed, is marked by `marking`."""

    async def messages(request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        record = open_turn()
        status = 500
        try:
            response = await answer(request, record)
            status = response.status
            return response
        finally:
            outcome = (TurnOutcome.ERROR if status >= 500 else
                       TurnOutcome.REFUSED if status >= 400 else record.outcome)
            metrics.turn(record.type, outcome, time.perf_counter() - started)

    async def answer(request: web.Request, record: TurnRecord) -> web.StreamResponse:
        adapter = request.app[adapters]
        if request.content_type != "application/json":
            return _refuse(415, "expected application/json")
        if (request.charset or "utf-8").lower() not in UTF_8_NAMES:
            # Teams writes UTF-8, as JSON must be; any other charset (one Python does not
            # know, say) would otherwise decide how the body is read.
            return _refuse(415, "expected JSON in UTF-8")
        if request.headers.get("Content-Encoding", "identity").lower() != "identity":
            return _refuse(415, "expected an uncompressed body")
        try:
            body = await request.json()
        except web.HTTPRequestEntityTooLarge:
            return _refuse(413, f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
        except (ValueError, UnicodeDecodeError):
            return _refuse(400, "the body is not JSON")
        except RecursionError:
            return _refuse(400, "the body nests too deeply")
        problem = activity_problem(body)
        if problem:
            return _refuse(400, problem)
        try:
            activity = Activity().deserialize(body)
        except ValueError:  # msrest's DeserializationError: a field of the wrong shape
            return _refuse(400, "the activity does not match the Bot Framework schema")
        record.type = turn_type_of(activity)
        # Bound before the token is checked, for the lines that check logs too: the ids are
        # bounded by activity_problem, and a refused request's are worth seeing.
        structlog.contextvars.bind_contextvars(
            activity_id=activity.id, conversation_id=conversation_id_of(activity),
            activity_type=record.type.value)
        auth_header = request.headers.get("Authorization", "")
        try:
            authenticated = await adapter.bot_framework_authentication.authenticate_request(
                activity, auth_header)
        except Exception as error:  # the SDK raises many types for a bad token; see below
            return _unauthenticated(error)
        # Only an authenticated request learns whether its tenant is welcome.
        if tenant_id and tenant_in(body) != tenant_id:
            return _refuse(403, "the activity comes from another tenant")
        malformed = card_action_problem(body)
        if malformed:
            return _card_action_refused(*malformed)
        try:
            response = await adapter.process_activity(authenticated, activity, bot.on_turn)
        except RetryLater:
            return _retry_later()
        if response is None:
            return web.Response(status=200)
        body = marking.invoke_answer(response.body)
        return web.Response(
            status=response.status,
            body=json.dumps(body, default=_plain) if body is not None else None,
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


def metrics_route(metrics: PortalMetrics, outbox: OutboxReading, token: str | None):
    """GET /metrics: the metrics in Prometheus' text format, the outbox read now. With a
    `token`, only a request that carries it as its bearer token is answered (401 otherwise);
    it is compared in constant time."""
    expected = f"Bearer {token}".encode() if token else None

    async def scrape(request: web.Request) -> web.Response:
        if expected is not None and not secrets.compare_digest(
                request.headers.get("Authorization", "").encode(errors="replace"), expected):
            log.warning("metrics.unauthorised")
            return web.json_response({"error": "unauthorised"}, status=401,
                                     headers={"WWW-Authenticate": "Bearer"})
        try:
            async with asyncio.timeout(2):
                figures = await outbox()
        except Exception as error:  # the counters are still worth having; say why
            log.error("metrics.outbox_unreadable", error=type(error).__name__)
            figures = None
        return web.Response(body=metrics.render(figures),
                            headers={"Content-Type": CONTENT_TYPE_LATEST,
                                     "Cache-Control": "no-store"})

    return scrape


def report_route(download: PackDownload):
    """GET /reports/<token>: the board pack a signed link names, as a page; 403 with a kind
    page, saying nothing of why, for a forged, altered or expired link or a person who no
    longer covers its portfolios. The page is drawn off the event loop."""

    async def report(request: web.Request) -> web.Response:
        from bot.pack.page import render_html

        try:
            pack = await download(request.match_info["token"])
        except (InvalidLink, NotAllowed) as refusal:
            log.warning("report.refused", reason=type(refusal).__name__)
            return web.Response(status=403, text=_REFUSED_PAGE, content_type="text/html",
                                charset="utf-8", headers=_PACK_HEADERS)
        page = await asyncio.to_thread(render_html, pack)
        return web.Response(text=page, content_type="text/html", charset="utf-8",
                            headers=_PACK_HEADERS)

    return report


def _plain(value: object) -> object:
    """JSON for what the SDK leaves unserialised in an invoke response body: its answers to a
    malformed `adaptiveCard/action` are an AdaptiveCardInvokeResponse model whose value is an
    Exception(code, message), which neither json nor msrest can write."""
    if isinstance(value, Model):
        fields = type(value)._attribute_map  # msrest's map: field name -> JSON key
        return {spec["key"]: getattr(value, name) for name, spec in fields.items()
                if getattr(value, name, None) is not None and spec["key"]}
    if isinstance(value, Exception):
        code, message = [*map(str, value.args), "", ""][:2]
        return {"code": code, "message": message}
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _unauthenticated(error: Exception) -> web.Response:
    """401 for a missing or bad token, 503 when the token cannot be checked just now.

    Besides PermissionError and PyJWTError, the SDK lets KeyError (a JWT with no `iss`),
    IndexError (a key id Microsoft does not publish), AttributeError and bare Exception escape
    for tokens it rejects; when Microsoft's signing keys cannot be fetched, an OSError
    (SigningKeysUnavailable) says so. None of them is a reason to answer 500.
    """
    if isinstance(error, OSError | TimeoutError) and not isinstance(error, PermissionError):
        log.error("request.auth_unavailable", reason=type(error).__name__)
        return web.json_response({"error": "the token cannot be checked now"}, status=503)
    log.warning("request.unauthorised", reason=type(error).__name__)
    return web.json_response({"error": "unauthorised"}, status=401)


def _retry_later() -> web.Response:
    """503 for an activity the database could not take: the channel delivers it again."""
    return web.json_response({"error": "the database is unavailable; send it again later"},
                             status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _card_action_refused(code: str, message: str) -> web.Response:
    """The SDK's own answer to a malformed Action.Execute (its error, HTTP 400), given before
    the turn so that nothing is recorded of it."""
    log.warning("card_verb.refused", reason="malformed invoke value")
    return web.json_response({"statusCode": 400, "type": "application/vnd.microsoft.error",
                              "value": {"code": code, "message": message}}, status=400)


def _refuse(status: int, reason: str) -> web.Response:
    log.warning("request.refused", status=status, reason=reason)
    return web.json_response({"error": reason}, status=status)
