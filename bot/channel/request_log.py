"""One request id for everything an HTTP request logs, and one line when it is answered.

The id is made here (never taken from the request, which anyone can forge), bound to every
line the request's task logs, and given back in the `X-Request-Id` header, so that a person's
"it failed at 10:02" can be found. The closing line names the route, never the path: a board
pack's path is its signed link, and query strings are never read."""

from __future__ import annotations

import logging
import time
import uuid

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler

log = structlog.get_logger(__name__)

REQUEST_ID_HEADER = "X-Request-Id"
# Polled every few seconds by load balancers and Prometheus: logged only when DEBUG is asked
# for, unless they fail.
_QUIET_ROUTES = frozenset({"/healthz", "/metrics"})


@web.middleware
async def request_ids(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp runs each request in its own task, so the ids bound here stay with it."""
    request_id = uuid.uuid4().hex
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
    except web.HTTPException as refusal:  # a 404 or 405 from the router
        status = refusal.status
        refusal.headers[REQUEST_ID_HEADER] = request_id
        raise
    else:
        status = response.status
        if not response.prepared:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response
    finally:
        route = _route(request)
        quiet = route in _QUIET_ROUTES and status < 400
        log.log(logging.DEBUG if quiet else logging.INFO, "http.request",
                method=request.method, route=route, status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1))
        structlog.contextvars.clear_contextvars()


def _route(request: web.Request) -> str:
    """The route's pattern ("/reports/{token}"), or "unmatched"."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"
