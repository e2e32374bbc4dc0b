"""A short run of the /api/messages fuzz on PostgreSQL, which is stricter than SQLite about
the text it stores (a NUL, say): mutated Teams payloads only, the properties of
test_messages_fuzz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given
from support.bot_server import BotServer
from support.connector import StandInConnector
from support.fuzz_checks import MessagesFuzz, budget
from support.fuzz_strategies import Body, conversations, mutated_bodies
from support.signing import StandInKeyServer, signed_serving

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)


@pytest.fixture
async def fuzzed_bot(database_url: str, connector: StandInConnector,
                     ) -> AsyncIterator[BotServer]:
    async with StandInKeyServer() as keys, signed_serving(
            database_url, connector, keys, outbox_worker=False, jobs=False) as bot:
        yield bot


@pytest.fixture
def fuzz(fuzzed_bot: BotServer, connector: StandInConnector,
         logs: list[dict[str, Any]]) -> MessagesFuzz:
    return MessagesFuzz(fuzzed_bot, connector, logs)


@budget(30)
@given(body=mutated_bodies())
async def test_a_mutated_teams_payload_is_answered_or_refused_kindly_on_postgresql(
    fuzz: MessagesFuzz, body: Body,
):
    await fuzz.post(body)


@budget(15)
@given(turns=conversations())
async def test_odd_answers_in_a_conversation_are_answered_or_refused_kindly_on_postgresql(
    fuzz: MessagesFuzz, turns: list[Body],
):
    for body in turns:
        await fuzz.post(body)
