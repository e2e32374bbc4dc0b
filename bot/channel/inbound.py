"""Checking an inbound request body before the SDK sees it."""

from __future__ import annotations

import re
from typing import Any

from botbuilder.schema import ActivityTypes
from botbuilder.schema.teams import TeamsChannelData

KNOWN_TYPES = frozenset(t.value for t in ActivityTypes)
CARD_ACTION = "adaptiveCard/action"  # the invoke of an Action.Execute (Universal Actions)
# Teams nests an activity a few levels deep (a card's inputs inside value.action.data); far
# deeper is crafted, and would exhaust the recursion of whatever walks it later.
MAX_DEPTH = 32
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # one character at a time: linear
_SURROGATE = re.compile("[\ud800-\udfff]")
# Values from Teams that are stored or become keys: text no longer than their columns (and
# the keys built from them) allow. Teams' own are far shorter; longer ones are crafted.
ID_LIMITS: dict[tuple[str, ...], int] = {
    ("id",): 128,
    ("replyToId",): 200,
    ("channelId",): 32,
    ("serviceUrl",): 400,
    ("conversation", "id"): 256,
    ("from", "id"): 200,
    ("from", "aadObjectId"): 64,
    ("from", "name"): 200,
    ("recipient", "id"): 200,
    ("channelData", "tenant", "id"): 64,
    ("channelData", "team", "id"): 256,
    ("channelData", "channel", "id"): 256,
}


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
    channel = body.get("channelId")
    if not isinstance(channel, str) or not channel:  # the SDK keys conversation state by it
        return "the activity has no channelId"
    return (_ids_problem(body) or _members_problem(body) or _depth_problem(body)
            or _text_problem(body) or _channel_data_problem(body))


def _ids_problem(body: dict[str, Any]) -> str | None:
    """Why one of the ids the bot stores is not text within its limit, or None."""
    for path, limit in ID_LIMITS.items():
        value: Any = body
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        name = ".".join(path)
        if value is not None and not isinstance(value, str):
            return f"the activity's {name} is not text"
        if value is not None and len(value) > limit:
            return f"the activity's {name} is longer than {limit} characters"
        if value is not None and _CONTROL.search(value):
            return f"the activity's {name} holds control characters"
    return None


def _members_problem(body: dict[str, Any]) -> str | None:
    """Why membersAdded or membersRemoved is not a list of members with ids, or None: the
    SDK reads each member's id, and a null one failed the turn."""
    for field in ("membersAdded", "membersRemoved"):
        members = body.get(field)
        if members is None:
            continue
        if not isinstance(members, list) or not all(
                isinstance(m, dict) and isinstance(m.get("id"), str) for m in members):
            return f"the activity's {field} is not a list of members with ids"
    return None


def _channel_data_problem(body: dict[str, Any]) -> str | None:
    """Why channelData is not what the SDK's Teams handler reads without failing the turn
    (it reads it as TeamsChannelData, and needs it for a Teams conversationUpdate), or None."""
    data = body.get("channelData")
    if data is None:
        needed = body.get("type") == "conversationUpdate" and body.get("channelId") == "msteams"
        return "the activity has no channelData" if needed else None
    if not isinstance(data, dict):
        return "the activity's channelData is not an object"
    try:
        TeamsChannelData().deserialize(data)
    except ValueError:  # msrest's DeserializationError: a part of the wrong shape
        return "the activity's channelData does not match the Teams schema"
    return None


def _depth_problem(body: Any) -> str | None:
    """Whether JSON nests deeper than MAX_DEPTH, found without recursion."""
    level = [body]
    for _depth in range(MAX_DEPTH):
        level = [child for node in level
                 for child in (node.values() if isinstance(node, dict) else node)
                 if isinstance(child, dict | list)]
        if not level:
            return None
    return f"the activity nests deeper than {MAX_DEPTH} levels"


def _text_problem(body: Any) -> str | None:
    """Whether a string in the body holds a lone surrogate: JSON lets one through as an
    escape (\\ud800), but it is no character, and storing or logging it fails. Teams' text
    never holds one (a pair, for an emoji, is read as the one character it is)."""
    pending = [body]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            pending.extend(node.keys())
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, str) and _SURROGATE.search(node):
            return "the activity holds text that is not Unicode (a lone surrogate)"
    return None


def card_action_problem(body: dict[str, Any]) -> tuple[str, str] | None:
    """Why an `adaptiveCard/action` invoke's value is not one the SDK can read, as the code
    and message of the SDK's own error answer; None when it can, or for any other activity.
    Asked before the turn: a turn records its conversation first, even for what it then
    refuses."""
    if body.get("type") != "invoke" or body.get("name") != CARD_ACTION:
        return None
    value = body.get("value")
    if value is None:
        return "BadRequest", "Missing value property"
    if not isinstance(value, dict):
        return "BadRequest", "Value property is not properly formed"
    action = value.get("action")
    if not isinstance(action, dict):  # the SDK reads one that is no object as none
        return "BadRequest", "Missing action property"
    if action.get("type") != "Action.Execute":
        return "NotSupported", f"The action '{str(action.get('type'))[:40]}' is not supported."
    return None


def tenant_in(body: dict[str, Any]) -> str | None:
    data = body.get("channelData")
    tenant = data.get("tenant") if isinstance(data, dict) else None
    return tenant.get("id") if isinstance(tenant, dict) else None
