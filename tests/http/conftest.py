"""HTTP tests: the real service on loopback, real Teams payloads, a stand-in connector."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import structlog
from support.bot_server import SERVER_ERRORS, BotServer, serving
from support.connector import StandInConnector
from support.logs import events

from bot.config import Settings


@pytest.fixture
async def connector() -> AsyncIterator[StandInConnector]:
    async with StandInConnector() as connector:
        yield connector


@pytest.fixture
async def bot(database_url: str, connector: StandInConnector, clock) -> AsyncIterator[BotServer]:
    """The bot, anonymous as in local runs, on a fresh database holding the demo organisation."""
    async with serving(Settings(database_url=database_url), connector.url, clock=clock) as server:
        yield server


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "turn_fails: the test expects a turn to fail (turn.failed is logged)")


@pytest.fixture(autouse=True)
def logs(request: pytest.FixtureRequest) -> Iterator[list[dict[str, Any]]]:
    """Every structlog event the service logs during the test, as event dicts.

    A failed turn answers Teams 200 but may lose what the person should have seen, so it is
    an error unless the test is marked `turn_fails`.
    """
    with structlog.testing.capture_logs() as entries:
        yield entries
    if request.node.get_closest_marker("turn_fails") is None:
        failed = [{**e, "exc_info": repr(e.get("exc_info"))}
                  for e in events(entries, "turn.failed")]
        assert not failed, f"a turn failed: {failed}"


@pytest.fixture(autouse=True)
def never_a_server_error(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """aiohttp logs "Error handling request" when a handler raised: that is an HTTP 500. Any
    other 5xx the bot answered (a 501 for an invoke, say) counts too; 503 says "try again"."""
    SERVER_ERRORS.clear()
    yield
    crashes = [r.getMessage() for r in caplog.get_records("call")
               if r.name.startswith("aiohttp") and r.levelno >= logging.ERROR]
    crashes += SERVER_ERRORS
    SERVER_ERRORS.clear()
    assert not crashes, f"the service crashed handling a request: {crashes}"
