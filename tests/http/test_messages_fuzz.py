"""A property-based fuzz of POST /api/messages: real Teams payloads mutated, random JSON and
raw bytes, sent with valid tokens (so the fuzz gets past authentication) and without them.

Whatever arrives: never a 5xx, never a failed turn, the health check still answers, and what
is refused (any 4xx) stores nothing and sends nothing (see support/fuzz_checks.py).

One bot serves the whole module, on SQLite, with the outbox worker and jobs off so that every
row counted is a request's doing; PostgreSQL gets one short run. The budget is deterministic
and small enough for CI; IIP_FUZZ_EXAMPLES=5000 runs each fuzz that many times locally.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import given
from hypothesis import strategies as st
from support.bot_server import BotServer
from support.connector import StandInConnector
from support.decisions import submit_idea
from support.fuzz_checks import MessagesFuzz, budget
from support.fuzz_strategies import (
    Body,
    conversations,
    mutated_bodies,
    random_json_bodies,
    raw_bodies,
)
from support.signing import APP_ID, BOT_FRAMEWORK_ISSUER, StandInKeyServer, signed_serving

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def keys() -> AsyncIterator[StandInKeyServer]:
    async with StandInKeyServer() as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def fuzzed_connector() -> AsyncIterator[StandInConnector]:
    async with StandInConnector() as connector:
        yield connector


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def fuzzed_bot(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path,
                     fuzzed_connector: StandInConnector, keys: StandInKeyServer,
                     ) -> AsyncIterator[BotServer]:
    """The bot as deployed, on SQLite, holding one idea of someone else's for forged card
    data to aim at."""
    path = tmp_path_factory.mktemp("fuzz") / "iip.sqlite3"
    shutil.copyfile(sqlite_template, path)
    async with signed_serving(f"sqlite+aiosqlite:///{path}", fuzzed_connector, keys,
                              outbox_worker=False, jobs=False) as bot:
        idea = await submit_idea(bot.services)
        assert idea.id == 1  # the id the strategies' card data aims at
        yield bot


@pytest.fixture
def fuzz(fuzzed_bot: BotServer, fuzzed_connector: StandInConnector,
         logs: list[dict[str, Any]]) -> MessagesFuzz:
    return MessagesFuzz(fuzzed_bot, fuzzed_connector, logs)


@budget(120)
@given(body=mutated_bodies())
async def test_a_mutated_teams_payload_is_answered_or_refused_kindly(
    fuzz: MessagesFuzz, body: Body,
):
    await fuzz.post(body)


@budget(30)
@given(turns=conversations())
async def test_odd_answers_in_a_conversation_are_answered_or_refused_kindly(
    fuzz: MessagesFuzz, turns: list[Body],
):
    for body in turns:
        await fuzz.post(body)


@budget(80)
@given(body=random_json_bodies())
async def test_random_json_is_refused_kindly(fuzz: MessagesFuzz, body: Body):
    await fuzz.post(body)


@budget(80)
@given(body=raw_bodies())
async def test_bytes_that_are_not_an_activity_are_refused_kindly(fuzz: MessagesFuzz, body: Body):
    await fuzz.post(body)


def broken_tokens(keys: StandInKeyServer, connector: StandInConnector) -> list[dict[str, str]]:
    now = int(time.time())
    good = {"iss": BOT_FRAMEWORK_ISSUER, "aud": APP_ID, "serviceurl": connector.url,
            "nbf": now - 60, "exp": now + 3600}
    return [{}, {"Authorization": ""}, {"Authorization": "Bearer"},
            {"Authorization": "Bearer not-a-jwt"},
            {"Authorization": "Bearer " + keys.token({**good, "aud": "someone-else"})},
            {"Authorization": "Bearer " + keys.token({**good, "exp": now - 600})},
            {"Authorization": "Bearer " + keys.token({**good, "serviceurl": "https://x/"})},
            {"Authorization": "Bearer " + keys.token({**good, "iss": "https://sts.example/"})},
            {"Authorization": "Basic " + keys.token(good)}]


@budget(50)
@given(body=mutated_bodies(), which=st.integers(min_value=0, max_value=8))
async def test_without_a_valid_token_nothing_gets_in(
    fuzz: MessagesFuzz, keys: StandInKeyServer, body: Body, which: int,
):
    status = await fuzz.post(body, headers=broken_tokens(keys, fuzz.connector)[which])

    assert status in (400, 401, 413, 415)
