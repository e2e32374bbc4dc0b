"""With an app id, every request needs a valid Bot Framework token: anything less is a 401.

No test here reaches the network: `no_network` refuses to resolve any host but loopback (and
the PostgreSQL server's), so the SDK never fetches Microsoft's OpenID metadata. The only test
that gets as far as wanting it shows what happens when it cannot be fetched.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import jwt
import pytest
from support.activities import personal_message
from support.bot_server import BotServer, serving, sqlite_only
from support.connector import StandInConnector
from support.logs import events
from support.stored import stored

from bot.config import Settings

pytestmark = sqlite_only

APP_ID = "00000000-0000-0000-0000-00000000b07a"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # the personal message's channelData.tenant.id
OTHER_TENANT = "0badc0de-0000-0000-0000-000000000000"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[list[str]]:
    """Refuse to resolve any host the tests do not run themselves; yields the names refused."""
    allowed = LOOPBACK | {urlsplit(database_url.replace("+asyncpg", "")).hostname or ""}
    refused: list[str] = []
    resolve = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in allowed:
            refused.append(name)
            raise socket.gaierror(socket.EAI_NONAME, f"tests do not reach {name}")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    yield refused


@pytest.fixture
async def secured_bot(database_url: str, connector: StandInConnector, clock,
                      no_network: list[str]) -> AsyncIterator[BotServer]:
    """The bot as deployed: single tenant, with an app id and secret (never used here)."""
    settings = Settings(database_url=database_url, app_id=APP_ID,
                        app_password="not-a-real-secret", app_tenant_id=TENANT)
    async with serving(settings, connector.url, clock=clock) as server:
        yield server


def token(claims: dict, **headers) -> str:
    """A well-formed JWT, signed with a key Microsoft never published."""
    return jwt.encode(claims, "a-key-of-our-own-making-32-bytes", algorithm="HS256",
                      headers=headers or None)


BAD_TOKENS = [
    pytest.param(None, "PermissionError", id="no-header"),
    pytest.param("", "PermissionError", id="empty-header"),
    pytest.param("Bearer", "PermissionError", id="bearer-alone"),
    pytest.param("Basic dXNlcjpwYXNz", "PermissionError", id="basic-scheme"),
    pytest.param("Bearer not-a-jwt", "DecodeError", id="not-a-jwt"),
    pytest.param("Bearer aaaa.bbbb.cccc", "DecodeError", id="jwt-shaped-garbage"),
    pytest.param("Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "PermissionError", id="empty-claims"),
    pytest.param("Bearer " + token({"sub": "someone"}), "KeyError", id="jwt-without-issuer"),
    pytest.param("Bearer " + token({"iss": "https://sts.example.net/", "aud": APP_ID}),
                 "PermissionError", id="jwt-from-another-issuer"),
]


@pytest.mark.parametrize(("authorization", "reason"), BAD_TOKENS)
async def test_a_request_without_a_valid_token_is_unauthorised(
    secured_bot: BotServer, connector: StandInConnector, logs, no_network: list[str],
    authorization: str | None, reason: str,
):
    headers = {} if authorization is None else {"Authorization": authorization}

    response = await secured_bot.post(personal_message("help"), headers=headers)

    assert response.status == 401
    assert (await response.json()) == {"error": "unauthorised"}
    [logged] = events(logs, "request.unauthorised")
    assert logged["reason"] == reason
    assert (await stored(secured_bot.engine)).nothing_from_requests
    assert connector.arrivals == 0
    assert no_network == []  # decided without asking Microsoft for its signing keys


async def test_when_microsofts_signing_keys_cannot_be_fetched_the_answer_is_503(
    secured_bot: BotServer, connector: StandInConnector, logs, no_network: list[str],
):
    """A token from the Bot Framework's issuer must be checked against Microsoft's published
    keys. Here the fetch is refused before it leaves the machine, as in an outage."""
    claims = {"iss": BOT_FRAMEWORK_ISSUER, "aud": APP_ID, "serviceurl": connector.url}
    authorization = "Bearer " + token(claims, kid="a-key-id")

    response = await secured_bot.post(personal_message("help"),
                                      headers={"Authorization": authorization})

    assert response.status == 503
    assert no_network == ["login.botframework.com"]
    [logged] = events(logs, "request.auth_unavailable")
    assert logged["reason"] == "ConnectionError"
    assert (await stored(secured_bot.engine)).nothing_from_requests
    assert connector.arrivals == 0


async def test_an_activity_from_another_tenant_is_forbidden(
    secured_bot: BotServer, connector: StandInConnector, logs
):
    activity = personal_message("help")
    activity["channelData"]["tenant"]["id"] = OTHER_TENANT

    response = await secured_bot.post(activity)

    assert response.status == 403
    [refused] = events(logs, "request.refused")
    assert refused["reason"] == "the activity comes from another tenant"
    assert (await stored(secured_bot.engine)).nothing_from_requests
    assert connector.arrivals == 0


@pytest.mark.parametrize(("tenant", "status"), [
    (TENANT, 200), (OTHER_TENANT, 403), (None, 403),
], ids=["own-tenant", "other-tenant", "no-tenant"])
async def test_the_tenant_rule_holds_without_an_app_id_too(
    database_url: str, connector: StandInConnector, clock, tenant: str | None, status: int
):
    activity = personal_message("help")
    if tenant is None:
        del activity["channelData"]
    else:
        activity["channelData"]["tenant"]["id"] = tenant
    settings = Settings(database_url=database_url, app_tenant_id=TENANT)

    async with serving(settings, connector.url, clock=clock) as bot:
        response = await bot.post(activity)
        saved = await stored(bot.engine)

    assert response.status == status
    assert bool(saved.addresses) is (status == 200)
