"""The real bot service on a loopback port, wired to a database and a stand-in connector."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import ENGINE, SERVICES, create_app
from bot.channel.messenger import BearerTokens
from bot.channel.signing_keys import FetchJson
from bot.config import Settings
from bot.services.organisation import read_organisation_file

DEMO_ORGANISATION = Path(__file__).parents[2] / "bot" / "demo" / "organisation.toml"

# For tests of the HTTP edge whose outcome does not depend on the database's dialect (refusals,
# tokens, connector faults): SQLite only, to keep the folder fast. A fresh PostgreSQL database
# costs about half a second; everything that stores something runs on both.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

# Tests and benchmarks drive people at machine speed, far past the per-person turn limit that
# keeps a script from flooding the portal: unless a test is about that limit, it is lifted.
MACHINE_SPEED = {"turns_per_minute": 1e9, "turn_burst": 1_000_000_000}


def at_machine_speed(settings: Settings) -> Settings:
    """These settings with the turn limit lifted (where this copy of the bot has one: a
    pydantic model here, a dataclass in older copies, such as a benchmark's --baseline)."""
    if hasattr(settings, "model_copy"):
        known = set(type(settings).model_fields)
        return settings.model_copy(
            update={k: v for k, v in MACHINE_SPEED.items() if k in known})
    known = {f.name for f in dataclasses.fields(settings)}
    return dataclasses.replace(settings,
                               **{k: v for k, v in MACHINE_SPEED.items() if k in known})


# Every 5xx the bot answered but 503 (which says "try again": the database or Microsoft's keys
# are unreachable), as "<status> <body>": read and emptied by the never_a_server_error check.
SERVER_ERRORS: list[str] = []


async def _noted(response: aiohttp.ClientResponse) -> aiohttp.ClientResponse:
    body = await response.read()
    if response.status >= 500 and response.status != 503:
        SERVER_ERRORS.append(f"{response.status} {body[:200]!r}")
    return response


@dataclass
class BotServer:
    app: web.Application
    url: str
    session: aiohttp.ClientSession
    connector_url: str
    # The headers every activity is posted with unless a test gives its own (a signed token).
    signed: Callable[[], dict[str, str]] | None = None

    async def post(self, activity: dict[str, Any], *, headers: dict[str, str] | None = None,
                   service_url: str | None = None) -> aiohttp.ClientResponse:
        """POST an activity as Teams would, its serviceUrl pointed at the stand-in connector."""
        body = copy.deepcopy(activity)
        if isinstance(body, dict) and "serviceUrl" in body:
            body["serviceUrl"] = service_url or self.connector_url
        if headers is None and self.signed is not None:
            headers = self.signed()
        return await _noted(await self.session.post(f"{self.url}/api/messages", json=body,
                                                    headers=headers or {}))

    async def post_raw(self, data: bytes, *, content_type: str | None = "application/json",
                       headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
        """POST exactly these bytes to /api/messages (no serviceUrl rewriting)."""
        sent = dict(headers or {})
        if content_type is not None:
            sent["Content-Type"] = content_type
        # skip_auto_headers keeps aiohttp from adding a Content-Type of its own.
        return await _noted(await self.session.post(
            f"{self.url}/api/messages", data=data, headers=sent,
            skip_auto_headers=["Content-Type"]))

    async def get(self, path: str) -> aiohttp.ClientResponse:
        return await _noted(await self.session.get(f"{self.url}{path}"))

    @property
    def services(self):
        return self.app[SERVICES]

    @property
    def engine(self) -> AsyncEngine:
        return self.app[ENGINE]


async def start_bot(
    settings: Settings, connector_url: str, *, clock=None,
    organisation: Path | None = DEMO_ORGANISATION, migrate: bool = True,
    fetch_signing_keys: FetchJson | None = None, tokens: BearerTokens | None = None,
    limit_turns: bool = False,
) -> tuple[BotServer, web.AppRunner]:
    """The bot on a loopback port; `limit_turns` keeps the per-person turn limit set. Similar
    ideas rank by characters alone unless `settings` turn the sentence model on themselves:
    loading it takes seconds and hundreds of MB for every bot a test starts."""
    if not limit_turns:
        settings = at_machine_speed(settings)
    if "similar_model" not in getattr(settings, "model_fields_set", {"similar_model"}):
        settings = settings.model_copy(update={"similar_model": False})
    app = create_app(settings, clock=clock, migrate=migrate,
                     fetch_signing_keys=fetch_signing_keys, tokens=tokens)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    if organisation is not None:
        await app[SERVICES].organisation.replace(read_organisation_file(organisation), "test")
    server = BotServer(app=app, url=f"http://127.0.0.1:{port}",
                       session=aiohttp.ClientSession(), connector_url=connector_url)
    return server, runner


@asynccontextmanager
async def serving(settings: Settings, connector_url: str, **options: Any
                  ) -> AsyncIterator[BotServer]:
    """`async with serving(settings, url) as bot:` runs the bot until the block ends."""
    server, runner = await start_bot(settings, connector_url, **options)
    try:
        yield server
    finally:
        await server.session.close()
        await runner.cleanup()
