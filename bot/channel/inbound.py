"""Checking an inbound request body before the SDK sees it."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import ActivityTypes

KNOWN_TYPES = frozenset(t.value for t in ActivityTypes)


def activity_problem(body: Any) -> str | None:
    """Why `body` is not an activity the bot can answer, or None when it is one."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        return "the activity has no type"
    if kind not in KNOWN_TYPES:
        return f"unsupported activity type {kind[:40]!r}"
    for field in ("conversation", "from", "recipient"):
        part = body.get(field)
        if not isinstance(part, dict) or not isinstance(part.get("id"), str) or not part["id"]:
            return f"the activity has no {field}.id"
    service_url = body.get("serviceUrl")
    if not isinstance(service_url, str) or not service_url.startswith(("https://", "http://")):
        return "the activity has no serviceUrl"
    return None


def tenant_in(body: dict[str, Any]) -> str | None:
    data = body.get("channelData")
    tenant = data.get("tenant") if isinstance(data, dict) else None
    return tenant.get("id") if isinstance(tenant, dict) else None
