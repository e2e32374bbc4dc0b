"""Logs an operations team can trust, read from a whole journey over HTTP as JSON lines: an idea
typed in by its contributor, triaged and approved by staff pressing their cards, the
contributor told through the outbox, and the PMO's board pack opened from its link.

Every line a turn logs names its request, its activity and its conversation; every line an
outbox send logs names its delivery; and no line, at DEBUG, carries what anyone typed, a
token, or a secret of the bot's (each planted as a distinctive string to look for)."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from support.bot_server import BotServer, serving
from support.cards import walk
from support.chat import Person, Reply, submit_idea
from support.connector import StandInConnector
from support.decisions import TENANT, current, say
from support.invokes import cards_to, press, until
from support.organisation import ALEX
from support.signing import (
    APP_ID,
    BOT_FRAMEWORK_ISSUER,
    STAND_IN_CONNECTOR_HOSTS,
    BotToken,
    StandInKeyServer,
)

from bot.channel.request_log import REQUEST_ID_HEADER
from bot.config import Settings
from bot.domain.lifecycle import Move
from bot.logs import configure_logging
from storage import tables
from storage.outbox import SqlOutboxQueue

# What people type, and the bot's secrets: none may appear on any line.
IDEA = {"title": "Lockers zq1canary at the front counter",
        "problem": "Officers queue zq2canary for the one locker bank at shift change.",
        "proposal": "A second locker bank zq3canary by the back door.",
        "benefit": "Ten minutes zq4canary saved per officer per shift."}
ALLOCATED = "The Local Policing team zq5canary will assess it."
APPROVED = "We will fit zq6canary the lockers in May."
APP_PASSWORD = "app-password-zq7canary"
REPORT_SECRET = "report-secret-zq8canary"
BOT_TOKEN = "bot-token-zq9canary"

# Lines a replica logs as it starts or stops, outside any request, send or scheduled pass.
STARTING_AND_STOPPING = {"database.upgraded", "similar.caught_up", "similar.model_loaded",
                         "similar.model_not_installed"}
# Ids a line carries for the work it belongs to.
WORK_IDS = {"request_id", "delivery_id", "outbox_worker", "job_run"}


@dataclass(frozen=True)
class Posted:
    activity_id: str
    conversation_id: str
    request_id: str | None


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The service's log, rendered as in production (JSON, here at DEBUG) into a buffer.

    Configured without the secrets to blank out: what is tested is that nothing logs them,
    not that the last guard catches them."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
async def keys() -> AsyncIterator[StandInKeyServer]:
    async with StandInKeyServer() as server:
        yield server


@pytest.fixture
async def signed_bot(database_url: str, connector: StandInConnector, clock,
                     keys: StandInKeyServer, json_lines: io.StringIO,
                     monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[BotServer, Any]]:
    """The bot as deployed (an app id and password, a report secret), every activity posted
    with a token signed by the stand-in's published keys; what was posted, and the tokens."""
    settings = Settings(database_url=database_url, app_id=APP_ID, app_password=APP_PASSWORD,
                        app_tenant_id=TENANT, connector_hosts=STAND_IN_CONNECTOR_HOSTS,
                        report_secret=REPORT_SECRET)
    tokens = BotToken()
    tokens.token = BOT_TOKEN
    async with serving(settings, connector.url, clock=clock, fetch_signing_keys=keys.fetch_json,
                       tokens=tokens) as server:
        posted: list[Posted] = []
        bearers: list[str] = []

        def signed() -> dict[str, str]:
            now = int(time.time())
            bearers.append(keys.token({"iss": BOT_FRAMEWORK_ISSUER, "aud": APP_ID,
                                       "serviceurl": connector.url, "nbf": now - 60,
                                       "exp": now + 3600}))
            return {"Authorization": f"Bearer {bearers[-1]}"}

        post = server.post

        async def recorded(activity: dict[str, Any], **options: Any):
            response = await post(activity, **options)
            posted.append(Posted(activity["id"], activity["conversation"]["id"],
                                 response.headers.get(REQUEST_ID_HEADER)))
            return response

        server.signed = signed
        monkeypatch.setattr(server, "post", recorded)
        yield server, (posted, bearers)


async def test_a_whole_journey_logs_its_ids_on_every_line_and_nothing_anyone_typed(
    signed_bot: tuple[BotServer, Any], connector: StandInConnector, json_lines: io.StringIO,
    clock,
):
    bot, (posted, bearers) = signed_bot
    await say(bot, connector, ALEX, "my queue")  # the PMO's chat is known
    pat = Person(bot, connector, name="Pat Contributor")
    receipt = await submit_idea(pat, IDEA)
    reference = receipt.text.split("Reference: ")[1].split()[0]
    idea = await bot.services.ideas.idea_of(pat.object_id, reference)
    await until(lambda: cards_to(connector, ALEX, reference, "POST"))
    await press(bot, ALEX, idea, Move.ALLOCATE, portfolio="local-policing", message=ALLOCATED)
    await press(bot, ALEX, await current(bot.services, idea), Move.APPROVE, root_causes=True,
                message=APPROVED)
    await until(lambda: [r for r in connector.sent_to(pat.conversation_id)
                         if "Good news: your idea is approved" in r.text_seen])
    [report] = await say(bot, connector, ALEX, "report")
    link = _link_of(Reply(report))
    page = await bot.get(link)
    assert page.status == 200
    await until(lambda: _nothing_owed(bot, clock))
    sent = {row.id for row in await _sent_rows(bot)}

    text = json_lines.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]

    # Each turn: every line it logged names its request, activity and conversation.
    for turn in posted:
        assert turn.request_id, turn
        logged = [line for line in lines if line.get("request_id") == turn.request_id]
        assert any(line["event"] == "http.request" for line in logged), turn
        assert all(line.get("activity_id") == turn.activity_id
                   and line.get("conversation_id") == turn.conversation_id
                   for line in logged), (turn, logged)
    assert {line["activity_type"] for line in lines if line["event"] == "http.request"
            and line["route"] == "/api/messages"} == {"message", "card_submit", "invoke"}
    # The board pack's request has its own id, and its line names the route, not the link.
    [opened] = [line for line in lines if line.get("request_id") == page.headers[REQUEST_ID_HEADER]
                and line["event"] == "http.request"]
    assert opened["route"] == "/reports/{token}" and opened["status"] == 200
    requests = {turn.request_id for turn in posted} | {page.headers[REQUEST_ID_HEADER]}
    assert {line["request_id"] for line in lines if "request_id" in line} == requests
    # Each send from the outbox logs its delivery's id and kind; every row sent has its line.
    sends = [line for line in lines if line["event"] == "outbox.sent"]
    assert {line["delivery_id"] for line in sends} == sent
    assert all(line["outbox_kind"] and line["outbox_worker"] for line in sends)
    # Nothing else is logged outside a request, a send or a scheduled pass.
    assert {line["event"] for line in lines
            if not WORK_IDS & line.keys()} <= STARTING_AND_STOPPING

    # Nothing anyone typed, no token and no secret, on any line.
    planted = [*IDEA.values(), ALLOCATED, APPROVED, APP_PASSWORD, REPORT_SECRET, BOT_TOKEN,
               link.rsplit("/", 1)[-1], *bearers]
    for canary in planted:
        for word in re.findall(r"\S*canary\S*", canary) or [canary]:
            assert word not in text, f"{word!r} is in the log"


def _link_of(reply: Reply) -> str:
    [url] = [node["url"] for node in walk(reply.card) if node.get("type") == "Action.OpenUrl"]
    return "/" + url.split("/", 3)[-1]


async def _sent_rows(bot: BotServer) -> list[Any]:
    async with bot.engine.connect() as connection:
        return list(await connection.execute(
            select(tables.outbox.c.id).where(tables.outbox.c.state == "sent")))


async def _nothing_owed(bot: BotServer, clock) -> bool:
    """Every message due by now is sent (or given up)."""
    status = await SqlOutboxQueue(bot.engine).status(clock.now())
    return status.oldest_pending_seconds is None
