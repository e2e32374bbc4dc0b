"""Bot Framework tokens for tests: Microsoft's signing keys on loopback, tokens signed with
them as the Bot Connector signs what it sends the bot, and the bot's own token for replies."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.channel.signing_keys import fetch_json_with
from bot.config import Settings
from support.bot_server import BotServer, serving
from support.connector import StandInConnector

APP_ID = "00000000-0000-0000-0000-00000000b07a"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # the personal message's channelData.tenant.id
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_FRAMEWORK_LOGIN = "https://login.botframework.com"
KEY_ID = "iip-test-key"
# The stand-in Bot Connector listens on loopback, where a bot with an app id sends its token
# only when told to.
STAND_IN_CONNECTOR_HOSTS = ("127.0.0.1",)


class StandInKeyServer:
    """login.botframework.com's OpenID metadata and keys, on loopback: counts the fetches,
    and can fail or hang."""

    def __init__(self) -> None:
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        self.keys = [{**jwk, "kid": KEY_ID, "use": "sig", "endorsements": ["msteams"]}]
        self.fetches: list[str] = []
        self.asked = asyncio.Event()
        self._closing = asyncio.Event()
        self.failing = False
        self.hanging = False
        self.url = ""
        self._runner: web.AppRunner | None = None

    def token(self, claims: dict) -> str:
        return jwt.encode(claims, self.private_key, algorithm="RS256",
                          headers={"kid": KEY_ID})

    async def fetch_json(self, url: str):
        """What the bot fetches from Microsoft, fetched from here instead."""
        assert url.startswith(BOT_FRAMEWORK_LOGIN), url
        fetch = fetch_json_with(self._session, timeout=0.5)
        return await fetch(self.url + url.removeprefix(BOT_FRAMEWORK_LOGIN))

    async def _serve(self, request: web.Request) -> web.Response:
        self.fetches.append(request.path)
        self.asked.set()
        if self.hanging:
            await self._closing.wait()
        if self.failing:
            return web.Response(status=500)
        if request.path.endswith("/keys"):
            return web.json_response({"keys": self.keys})
        return web.json_response({"issuer": BOT_FRAMEWORK_ISSUER,
                                  "jwks_uri": f"{BOT_FRAMEWORK_LOGIN}/v1/.well-known/keys"})

    async def __aenter__(self) -> StandInKeyServer:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._closing.set()
        await self._session.close()
        assert self._runner is not None
        await self._runner.cleanup()



class BotToken:
    """The bot's own token for the Bot Connector, as Entra would issue it: the same one until
    the Bot Connector refuses it, then a new one."""

    def __init__(self) -> None:
        self.token = "the-bots-own-token"

    async def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def refresh(self, rejected: dict[str, str]) -> None:
        if rejected == await self.headers():
            self.token = "the-bots-new-token"


def signed_by(keys: StandInKeyServer, connector: StandInConnector) -> dict[str, str]:
    now = int(time.time())
    claims = {"iss": BOT_FRAMEWORK_ISSUER, "aud": APP_ID, "serviceurl": connector.url,
              "nbf": now - 60, "exp": now + 3600}
    return {"Authorization": "Bearer " + keys.token(claims)}


@asynccontextmanager
async def signed_serving(database_url: str, connector: StandInConnector, keys: StandInKeyServer,
                         **options: Any) -> AsyncIterator[BotServer]:
    """The bot as deployed (an app id, one tenant), checking tokens against `keys`: every
    activity it is posted is signed by them unless a test gives headers of its own.
    `options` are Settings' fields, then start_bot's (clock, ...)."""
    fields = {k: options.pop(k) for k in list(options) if k in Settings.model_fields}
    settings = Settings(database_url=database_url, app_id=APP_ID,
                        app_password="not-a-real-secret", app_tenant_id=TENANT,
                        connector_hosts=STAND_IN_CONNECTOR_HOSTS, **fields)
    async with serving(settings, connector.url, fetch_signing_keys=keys.fetch_json,
                       tokens=BotToken(), **options) as server:
        server.signed = lambda: signed_by(keys, connector)
        yield server
