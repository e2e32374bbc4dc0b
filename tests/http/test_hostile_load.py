"""Hundreds of crafted requests at a running bot: no 5xx, no failed turn, no frozen loop.

The requests are the real Teams payloads in tests/fixtures with one field at a time replaced
by something hostile (wrong types, huge numbers, over-long ids, deep nesting, text that made
patterns backtrack, Markdown and bidi overrides), every card button with forged data, unknown
invokes, and bodies that are not activities at all. While they run, /healthz is asked every
50 ms and a task in the bot's own event loop measures how late a 10 ms sleep wakes up: the
longest such stall is printed (run with -s); the test fails only on a stall of a second, the
size of the backtracking it guards against, as timing on a shared machine is noisy.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import gzip
import json
import random
from typing import Any

from support.activities import fixture_names, personal_message, teams_payload
from support.bot_server import BotServer
from support.chat import Person, answer_to_the_check
from support.connector import StandInConnector

from cards.actions import CardAction

REQUESTS_AT_LEAST = 500
IN_FLIGHT = 8
WORST_STALL_ALLOWED = 1.0  # seconds; the figure to meet is 100 ms, printed below

SLOW_PATTERN_TEXTS = [
    "log" + " " * 1990 + "x",
    "crime" + " " * 1990 + "#",
    "a" * 1999 + "@",
    "log-" * 500,
    "<at>" * 12000,
    "1 Aaaa " * 285,
    f"status IIP-2026-{'9' * 5000}",
    "status IIP-2026-99999999999999999999",
]
HOSTILE_TEXTS = [
    "[Urgent re-login](https://evil.example/login) **boss** <img src=x onerror=alert(1)>",
    "Pay\u202emen\u200bt \ufefffraud",
    "\x00\x07\x1b[31m",
    "\U0001f600" * 500,
    "",
    " " * 5000,
]
HOSTILE_VALUES: list[Any] = [
    None, 0, -1, 2**62, -(2**62), 10**40, 1.5, float("1e308"), True, "", "x" * 1000,
    [1, 2], {"id": {"id": "x"}}, json.loads("[" * 40 + "]" * 40),
    *HOSTILE_TEXTS, *SLOW_PATTERN_TEXTS,
]
# Where a field is swapped: each top-level field, and the ids and names inside the parts.
PATHS = [
    ("type",), ("id",), ("timestamp",), ("localTimestamp",), ("channelId",), ("text",),
    ("textFormat",), ("locale",), ("replyToId",), ("entities",), ("attachments",), ("value",),
    ("name",), ("action",), ("membersAdded",), ("membersRemoved",), ("channelData",),
    ("from",), ("from", "id"), ("from", "name"), ("from", "aadObjectId"),
    ("conversation",), ("conversation", "id"), ("conversation", "conversationType"),
    ("conversation", "isGroup"), ("recipient", "id"), ("channelData", "tenant"),
    ("channelData", "tenant", "id"), ("channelData", "team"), ("channelData", "team", "id"),
    ("channelData", "channel"), ("channelData", "channel", "id"), ("value", "action"),
    ("value", "action", "verb"), ("value", "action", "data"), ("value", "page"),
    ("value", "rating"), ("value", "reference"), ("value", "action", "data", "idea"),
]


def mutated(activity: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(activity)
    node = changed
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = copy.deepcopy(value)
    return changed


def card_presses(base: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button the bot offers, pressed with forged data."""
    presses = []
    forged = [{}, {"page": 2**62}, {"reference": f"IIP-2026-{'1' * 5000}"},
              {"rating": [1], "comment": "x"}, {"rating": {"a": 1}, "comment": "x"},
              {"answer": SLOW_PATTERN_TEXTS[0], "revision": 10**30, "draft": [1]},
              {"step": {"x": 1}, "revision": "1", "within_idea": [True]},
              {"draft": "d" * 5000, "revision": 2**70, "step": "check", "idea": 2**70,
               "version": -(2**70)},
              {"reason": "\u202e" + "x" * 600, "reference": "IIP-2026-0001"}]
    for action in [*CardAction, "no.such.button", 42, None, ["ideas.list"]]:
        for data in forged:
            activity = copy.deepcopy(base)
            activity.pop("text", None)
            activity["value"] = {"action": action, **data}
            presses.append(activity)
    return presses


def invokes(base: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for name in ["adaptiveCard/action", "composeExtension/query", "task/fetch",
                 "signin/verifyState", "no/such/invoke", "", 7]:
        for value in [None, "x", [1], {"action": "x"}, {"action": {"type": "Action.Execute"}},
                      {"action": {"type": "Action.Execute", "verb": "approve",
                                  "data": {"idea": 10**40, "version": "1"}}},
                      {"action": {"type": "Action.Execute", "verb": "refresh",
                                  "data": {"idea": [1]}}},
                      {"action": {"type": "Action.Execute", "verb": "decline_at_triage",
                                  "data": {"idea": 1, "version": 1,
                                           "decline_at_triage.reason": "duplicate",
                                           "decline_at_triage.duplicate_of":
                                               f"IIP-2026-{'9' * 5000}"}}}]:
            activity = copy.deepcopy(base)
            activity["name"] = name
            activity["value"] = value
            found.append(activity)
    return found


def crafted_activities(service_url: str) -> list[dict[str, Any]]:
    pick = random.Random(20261206)
    payloads = [teams_payload(name) for name in fixture_names()]
    for payload in payloads:
        payload["serviceUrl"] = service_url
    mutations = [mutated(payload, path, value)
                 for payload in payloads for path in PATHS for value in HOSTILE_VALUES]
    message = personal_message("help", serviceUrl=service_url)
    invoke = teams_payload("invoke.adaptiveCard-action.personal.teams-net.json")
    invoke["serviceUrl"] = service_url
    typed = [personal_message(text, serviceUrl=service_url)
             for text in SLOW_PATTERN_TEXTS + HOSTILE_TEXTS]
    return (pick.sample(mutations, 400) + card_presses(message) + invokes(invoke) + typed)


def raw_bodies(service_url: str) -> list[tuple[bytes, dict[str, str]]]:
    plain = json.dumps(personal_message("help", serviceUrl=service_url)).encode()
    return [
        (b'{"type": "message", "value": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", {}),
        (b'{"a": ' * 5000 + b"1" + b"}" * 5000, {}),
        (plain, {"Content-Encoding": "gzip"}),
        (plain, {"Content-Encoding": "deflate"}),
        (gzip.compress(plain), {"Content-Encoding": "gzip"}),
        (gzip.compress(b"{" * 1_000_000), {"Content-Encoding": "gzip"}),
        (plain[:-1], {}),
        (b"\xff\xfe" + plain, {}),
        (plain.replace(b'"help"', b'"\\ud800"'), {}),
        (b'{"type": "message", "text": "' + b"\\u0000" * 10_000 + b'"}', {}),
        (json.dumps({"type": "message", "x": 1e400}).encode().replace(b"Infinity", b"1e999"),
         {}),
        (b"[" + b"1," * 50_000 + b"1]", {}),
    ]


def settle_heap_as_served() -> None:
    gc.collect()
    gc.freeze()


async def watch_the_loop(stalls: list[float], stop: asyncio.Event) -> None:
    """How late each 10 ms sleep wakes, in the loop that serves the bot."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        start = loop.time()
        await asyncio.sleep(0.01)
        stalls.append(loop.time() - start - 0.01)


async def ask_health(bot: BotServer, answers: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        answers.append((await bot.get("/healthz")).status)
        await asyncio.sleep(0.05)


async def test_hundreds_of_crafted_requests_get_no_5xx_and_no_failed_turn(
    bot: BotServer, connector: StandInConnector, logs,
):
    requests = [(json.dumps(a).encode(), {}) for a in crafted_activities(connector.url)]
    requests += raw_bodies(connector.url)
    statuses: list[int] = []
    stalls: list[float] = []
    health: list[int] = []
    stop = asyncio.Event()
    # As `iip serve` does once started (bot.app.settle_heap): what the test process holds (the
    # crafted requests included) is kept out of the garbage collector's full passes.
    settle_heap_as_served()
    watchers = [asyncio.create_task(watch_the_loop(stalls, stop)),
                asyncio.create_task(ask_health(bot, health, stop))]
    try:
        # The personal-details check on Submit, with the texts that once froze it in every field.
        megan = Person(bot, connector)
        check = await answer_to_the_check(megan, {
            "problem": SLOW_PATTERN_TEXTS[0], "proposal": SLOW_PATTERN_TEXTS[1],
            "benefit": SLOW_PATTERN_TEXTS[2][-1000:]})  # its limit
        receipt = await megan.one_press(check, "Submit idea")  # none of them is a finding
        assert "Thank you: your idea is in" in receipt
        statuses += [200] * (len(megan.seen) + 1)

        gate = asyncio.Semaphore(IN_FLIGHT)

        async def send(body: bytes, headers: dict[str, str]) -> None:
            async with gate:
                response = await bot.post_raw(body, headers=headers)
                statuses.append(response.status)

        await asyncio.gather(*(send(body, headers) for body, headers in requests))
    finally:
        stop.set()
        await asyncio.gather(*watchers)
        gc.unfreeze()

    worst = max(stalls)
    print(f"\n{len(statuses)} crafted requests: {sorted(set(statuses))}; "
          f"/healthz asked {len(health)} times; longest event-loop stall {worst * 1000:.1f} ms "
          f"(99th percentile {sorted(stalls)[int(len(stalls) * 0.99)] * 1000:.1f} ms)")
    assert len(statuses) >= REQUESTS_AT_LEAST
    assert all(status < 500 for status in statuses), sorted(set(statuses))
    assert health and set(health) == {200}
    assert worst < WORST_STALL_ALLOWED
