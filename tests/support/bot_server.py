"""The real bot service on a loopback port, wired to a database and a stand-in connector."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import SERVICES, create_app
from bot.config import Settings
from bot.services.organisation import read_organisation_file

DEMO_ORGANISATION = Path(__file__).parents[2] / "bot" / "demo" / "organisation.toml"


@dataclass
class BotServer:
    app: web.Application
    url: str
    session: aiohttp.ClientSession
    connector_url: str

    async def post(self, activity: dict[str, Any], *, headers: dict[str, str] | None = None,
                   service_url: str | None = None) -> aiohttp.ClientResponse:
        """POST an activity as Teams would, its serviceUrl pointed at the stand-in connector."""
        body = copy.deepcopy(activity)
        if isinstance(body, dict) and "serviceUrl" in body:
            body["serviceUrl"] = service_url or self.connector_url
        response = await self.session.post(f"{self.url}/api/messages", json=body,
                                           headers=headers or {})
        await response.read()
        return response

    @property
    def services(self):
        return self.app[SERVICES]


async def start_bot(
    settings: Settings, connector_url: str, *, clock=None,
    organisation: Path | None = DEMO_ORGANISATION,
) -> tuple[BotServer, web.AppRunner]:
    app = create_app(settings, clock=clock)
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
