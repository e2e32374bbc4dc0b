"""Hypothesis strategies for fuzzing /api/messages: real Teams payloads mutated the ways a
broken or hostile client might mutate them, random JSON, and bodies that are not JSON at all.

Every payload keeps Teams' own serviceUrl (TEAMS_SERVICE_URL) and one tenant (TENANT) until a
mutation changes them: the sender puts the stand-in connector's address where Teams' still
stands, so only a mutated serviceUrl fails the token's check.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from bot.domain.moves import Move
from cards.actions import CardAction
from support.activities import PERSONAL_MESSAGE, fixture_names, teams_payload
from support.decisions import CONTRIBUTOR, STRANGER, TENANT
from support.organisation import ADELE, ALEX, ISAIAH, MEGAN

TEAMS_SERVICE_URL = "https://smba.trafficmanager.net/emea/"
Path = tuple[str | int, ...]

# Text that has tripped up parsers, databases and loggers: NUL and other controls, lone
# surrogates (JSON lets them through as \ud800 escapes), bidi and zero-width marks, a BOM,
# non-characters, combining marks, line and paragraph separators, astral characters.
ODD_CHARACTERS = ["\x00", "\x1b", "\x7f", "\ud800", "\udfff", "\u202e", "\u200f", "\u200b",
                  "\ufeff", "\uffff", "\ufffe", "e\u0301", "\u2028", "\u2029", "\U0001d518",
                  "😀", "<at>", "</at>", "&amp;", "%s", "{0}", "\\", '"', "IIP-2026-0001"]
BIG_NUMBERS = [2**31, 2**53 + 1, 2**63, -(2**63) - 1, 10**300, 1e308, -1e308, 5e-324,
               float("inf"), float("-inf"), float("nan"), -0.0]
PEOPLE = [ALEX, MEGAN, ADELE, ISAIAH, CONTRIBUTOR, STRANGER]
ACTIVITY_TYPES = ["message", "invoke", "conversationUpdate", "installationUpdate", "event",
                  "typing", "messageReaction", "messageUpdate", "messageDelete",
                  "endOfConversation", "contactRelationUpdate", "deleteUserData", "suggestion",
                  "trace", "handoff", "command", "commandResult", "", "Message", "message ",
                  "invoke\x00"]
INVOKE_NAMES = ["adaptiveCard/action", "task/fetch", "task/submit", "composeExtension/query",
                "composeExtension/fetchTask", "signin/verifyState", "signin/tokenExchange",
                "fileConsent/invoke", "actionableMessage/executeAction", "config/fetch",
                "handoff/action", "application/search", "healthCheck", "", "adaptiveCard/Action"]
SUBMIT_ACTIONS = [action.value for action in CardAction]
VERBS = [move.value for move in Move] + SUBMIT_ACTIONS + ["refresh", "decline_duplicate"]
# Keys card data carries; an idea's id and reference: the first idea stored has id 1.
DATA_KEYS = ["action", "idea", "version", "page", "text", "rating", "comment", "may_contact",
             "reference", "campaign", "view", "triage", "assess", "answer", "field", "draft",
             "revision", "reason", "duplicate_of", "message", "portfolio", "findable"]
IDEA_IDS: list[Any] = [1, 2, 0, -1, "1", "IIP-2026-0001", "IIP-2026-99999999999", 1.5, None]
COMMANDS = ["hi", "help", "feedback", "new idea", "my ideas", "status IIP-2026-0001",
            "withdraw IIP-2026-0001", "my profile", "my queue", "triage", "find paper",
            "search", "deferred", "digest", "pmo", "report", "campaigns", "initiatives"]


class Body:
    """What is POSTed: the bytes and the Content-Type they are sent with (None: none).
    A plain class, so that Hypothesis prints a falsifying example by its short repr."""

    def __init__(self, data: bytes, content_type: str | None = "application/json") -> None:
        self.data = data
        self.content_type = content_type

    def __repr__(self) -> str:
        shown = f"{self.data[:600]!r}{'...' if len(self.data) > 600 else ''}"
        return f"Body({shown}, {self.content_type!r}, {len(self.data)} bytes)"


def json_scalars() -> SearchStrategy[Any]:
    return (st.none() | st.booleans() | st.integers() | st.floats()
            | st.text(max_size=30) | st.sampled_from(ODD_CHARACTERS + BIG_NUMBERS))


def json_values(max_leaves: int = 12) -> SearchStrategy[Any]:
    """Any JSON value (NaN and the infinities too, which Python's json reads)."""
    return st.recursive(
        json_scalars(),
        lambda children: (st.lists(children, max_size=4)
                          | st.dictionaries(st.text(max_size=12) | st.sampled_from(DATA_KEYS),
                                            children, max_size=4)),
        max_leaves=max_leaves)


def odd_text() -> SearchStrategy[str]:
    """Strings of odd characters, short or long: up to 250 KB, within the body limit."""
    mixed = st.lists(st.sampled_from(ODD_CHARACTERS) | st.text(max_size=4), max_size=8)
    repeated = st.builds(lambda piece, times: piece * times,
                         st.sampled_from(["x", "é", "\u202e", "\x00", "😀", "\ud800"]),
                         st.sampled_from([65, 129, 201, 257, 401, 5_000, 250_000]))
    return mixed.map("".join) | repeated


def nested(depth: int) -> Any:
    value: Any = "deep"
    for level in range(depth):
        value = [value] if level % 2 else {"n": value}
    return value


def odd_values() -> SearchStrategy[Any]:
    """A value to put where another was: another JSON type, odd text, a huge number, deep
    nesting, or anything at all."""
    return st.one_of(
        st.sampled_from([None, 0, 1, True, False, "", [], {}, [None], {"id": None}]),
        odd_text(),
        st.sampled_from(BIG_NUMBERS),
        st.integers(min_value=20, max_value=40).map(nested),
        json_values(),
    )


def sender_ids() -> SearchStrategy[str]:
    """Other people's ids, as Teams writes them and otherwise."""
    return st.sampled_from(PEOPLE).flatmap(
        lambda object_id: st.sampled_from([object_id, f"29:{object_id}", f"29:1{object_id}",
                                           object_id.upper()]))


def card_data() -> SearchStrategy[dict[str, Any]]:
    """What a card's button might send: a real action or verb's name, ids of real and
    imaginary ideas, and odd values for the rest."""
    return st.fixed_dictionaries(
        {"action": st.sampled_from(SUBMIT_ACTIONS + VERBS) | json_scalars()},
        optional={"idea": st.sampled_from(IDEA_IDS) | odd_values(),
                  "version": st.sampled_from([1, 2, 0, -1, "1", None]) | odd_values(),
                  "page": st.sampled_from([0, 1, 2, -1, 2**62, "2", None]) | odd_values(),
                  "text": odd_text(), "rating": json_scalars(), "comment": odd_text(),
                  "may_contact": json_scalars(),
                  "more": st.dictionaries(st.sampled_from(DATA_KEYS), odd_values(), max_size=3)})


def invoke_values() -> SearchStrategy[Any]:
    """An `adaptiveCard/action` invoke's value, well formed or not."""
    action = st.fixed_dictionaries(
        {"type": st.sampled_from(["Action.Execute", "Action.Submit", "", None]) | json_scalars()},
        optional={"verb": st.sampled_from(VERBS) | json_scalars(), "data": card_data(),
                  "id": st.text(max_size=10), "title": odd_text()})
    return st.one_of(
        st.fixed_dictionaries({"action": action},
                              optional={"trigger": st.sampled_from(["manual", "automatic", 3])}),
        st.fixed_dictionaries({"action": odd_values()}),
        odd_values())


# Fields worth aiming at, and what to put there.
FOCUSED: dict[Path, SearchStrategy[Any]] = {
    ("type",): st.sampled_from(ACTIVITY_TYPES),
    ("name",): st.sampled_from(INVOKE_NAMES),
    ("value",): card_data() | invoke_values(),
    ("value", "action"): invoke_values(),
    ("value", "action", "verb"): st.sampled_from(VERBS),
    ("value", "action", "data"): card_data(),
    ("text",): odd_text() | st.sampled_from(COMMANDS),
    ("from", "id"): sender_ids(),
    ("from", "aadObjectId"): sender_ids(),
    ("from", "name"): odd_text(),
    ("conversation", "id"): st.sampled_from([f"a:chat-with-{p}" for p in PEOPLE]) | odd_text(),
    ("conversation", "conversationType"): st.sampled_from(["personal", "channel", "groupChat",
                                                           "", "meeting"]),
    ("recipient", "id"): sender_ids(),
    ("replyToId",): st.sampled_from(["1:feedback-form", "1:1", ""]) | odd_text(),
    ("action",): st.sampled_from(["add", "remove", "add-upgrade", "remove-upgrade", ""]),
    ("membersAdded",): st.lists(st.fixed_dictionaries({"id": sender_ids()}), max_size=3),
    ("membersRemoved",): st.lists(st.fixed_dictionaries({"id": sender_ids()}), max_size=3),
    ("channelData", "tenant", "id"): st.sampled_from([TENANT, "", TENANT.upper()]),
    ("channelData", "eventType"): st.sampled_from(["teamMemberAdded", "teamRenamed",
                                                   "channelDeleted", "teamDeleted", ""]),
    ("entities",): st.lists(json_values(), max_size=3),
    ("attachments",): st.lists(json_values(), max_size=3),
}


@cache
def base_payloads() -> dict[str, dict[str, Any]]:
    """Every real Teams payload, in the bot's one tenant and with Teams' own serviceUrl (read
    when first drawn from, not when a test module is imported; copy before changing)."""
    payloads = {}
    for name in fixture_names():
        payload = teams_payload(name)
        payload["serviceUrl"] = TEAMS_SERVICE_URL
        if isinstance(payload.get("channelData", {}).get("tenant"), dict):
            payload["channelData"]["tenant"]["id"] = TENANT
        if "tenantId" in payload.get("conversation", {}):
            payload["conversation"]["tenantId"] = TENANT
        payloads[name] = payload
    return payloads


def paths_in(node: Any, prefix: Path = ()) -> list[Path]:
    """The path of every value in `node`, `node` itself first."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths_in(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths_in(value, (*prefix, index))
    return found


def put(node: Any, path: Path, value: Any) -> Any:
    """`node` with `value` at `path`, making the objects on the way (a part on the way that
    is neither object nor list is replaced by one)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, list) and isinstance(head, int) and head < len(node):
        node[head] = put(node[head], rest, value)
        return node
    if not isinstance(node, dict):
        node = {}
    node[str(head)] = put(node.get(str(head)), rest, value)
    return node


def drop(node: Any, path: Path) -> Any:
    """`node` without the value at `path` (a non-empty path that exists)."""
    parent = node
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return node


def at(node: Any, path: Path) -> Any:
    for key in path:
        node = node[key]
    return node


@st.composite
def mutated_activities(draw: DrawFn) -> dict[str, Any]:
    """A real payload with one to three mutations: a key dropped, a value swapped for one of
    another type or odd text, an aimed field set to a tempting value, text grown odd."""
    payloads = base_payloads()
    activity: Any = copy.deepcopy(payloads[draw(st.sampled_from(sorted(payloads)))])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        # Aimed at the fields that route a turn more often than not: blind changes to the
        # ids mostly earn a 400 at the edge, which the edge's own tests already cover.
        kind = draw(st.sampled_from(["focus", "focus", "focus", "garble", "swap", "drop"]))
        if kind == "focus":
            path = draw(st.sampled_from(sorted(FOCUSED, key=str)))
            activity = put(activity, path, draw(FOCUSED[path]))
            continue
        paths = paths_in(activity)[1:]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        if kind == "drop":
            activity = drop(activity, path)
        elif kind == "garble" and isinstance(at(activity, path), str):
            text = at(activity, path)
            cut = draw(st.integers(min_value=0, max_value=len(text)))
            activity = put(activity, path, text[:cut] + draw(odd_text()) + text[cut:])
        else:
            activity = put(activity, path, draw(odd_values()))
    return activity


def encoded(activity: Any) -> SearchStrategy[Body]:
    """`activity` as JSON: escaped as ASCII (lone surrogates as \\ud800), or written as
    UTF-8 with lone surrogates let through as the invalid bytes they make."""
    return st.sampled_from([
        Body(json.dumps(activity).encode()),
        Body(json.dumps(activity, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    ])


def mutated_bodies() -> SearchStrategy[Body]:
    return mutated_activities().flatmap(encoded)


def random_json_bodies() -> SearchStrategy[Body]:
    """Random JSON documents, objects above all, some with the keys an activity has."""
    activity_like = st.dictionaries(
        st.sampled_from(["type", "id", "from", "conversation", "recipient", "serviceUrl",
                         "channelId", "channelData", "value", "name", "text"]),
        json_values(), max_size=8)
    return (json_values(max_leaves=30) | activity_like).flatmap(encoded)


def conversations() -> SearchStrategy[list[Body]]:
    """A few turns of one person in their 1:1 chat: commands that start a dialog (a new
    idea, feedback, a search), odd text as the answers, and presses of forged buttons."""
    return st.deferred(_conversations)


def _conversations() -> SearchStrategy[list[Body]]:
    message = base_payloads()[PERSONAL_MESSAGE]

    def said(text: str) -> dict[str, Any]:
        return {**message, "text": text}

    def pressed(values: dict[str, Any]) -> dict[str, Any]:
        turn = {key: value for key, value in message.items() if key != "text"}
        return {**turn, "value": values, "replyToId": "1:1"}

    def in_chat_of(object_id: str, turns: list[dict[str, Any]]) -> list[Body]:
        sender = {"id": f"29:{object_id}", "aadObjectId": object_id, "name": "Fuzz"}
        chat = {"conversationType": "personal", "id": f"a:chat-with-{object_id}"}
        return [Body(json.dumps({**turn, "from": sender, "conversation": chat}).encode())
                for turn in turns]

    turn = st.one_of(st.sampled_from(COMMANDS).map(said), odd_text().map(said),
                     card_data().map(pressed))
    return st.builds(in_chat_of, st.sampled_from(PEOPLE), st.lists(turn, min_size=1, max_size=6))


CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
                 "application/json; charset=latin-1", "application/json; charset=utf-16",
                 "application/json; charset=no-such-charset", "application/json; charset=",
                 "application/json;;", "text/json", "text/plain", "multipart/form-data",
                 "application/x-www-form-urlencoded", "application/vnd.api+json", "", None]


def raw_bodies() -> SearchStrategy[Body]:
    """Bytes that are not JSON, JSON that is not UTF-8, real payloads cut short, under any
    Content-Type."""
    return st.deferred(_raw_bodies)


def _raw_bodies() -> SearchStrategy[Body]:
    payloads = base_payloads()
    real = st.sampled_from(sorted(payloads)).map(lambda name: json.dumps(payloads[name]).encode())
    spoiled = st.one_of(
        st.binary(max_size=200),
        real.flatmap(lambda data: st.integers(0, len(data)).map(lambda cut: data[:cut])),
        real.map(lambda data: data.replace(b'"', b"\xff", 1)),
        real.map(lambda data: data.decode().encode("utf-16")),
        real.map(lambda data: b"\xef\xbb\xbf" + data),
        real,
    )
    return st.builds(Body, spoiled, st.sampled_from(CONTENT_TYPES))
