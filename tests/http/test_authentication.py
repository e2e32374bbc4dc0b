"""With an app id, every request needs a valid Bot Framework token: anything less is a 401.

No test here reaches the network: `no_network` refuses to resolve any host but loopback (and
the PostgreSQL server's), so the SDK never fetches Microsoft's OpenID metadata. The only test
that gets as far as wanting it shows what happens when it cannot be fetched.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from urllib.parse import urlsplit

import jwt
import pytest
from support.activities import personal_message
from support.bot_server import BotServer, serving, sqlite_only
from support.connector import StandInConnector
from support.logs import events
from support.signing import (
    APP_ID,
    BOT_FRAMEWORK_ISSUER,
    STAND_IN_CONNECTOR_HOSTS,
    BotToken,
    StandInKeyServer,
    signed_by,
)
from support.stored import stored

from bot.app import SIGNING_KEYS
from bot.config import Settings

pytestmark = sqlite_only

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # the personal message's channelData.tenant.id
OTHER_TENANT = "0badc0de-0000-0000-0000-000000000000"

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
                        app_password="not-a-real-secret", app_tenant_id=TENANT,
                        connector_hosts=STAND_IN_CONNECTOR_HOSTS)
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
    assert logged["reason"] == "SigningKeysUnavailable"
    assert (await stored(secured_bot.engine)).nothing_from_requests
    assert connector.arrivals == 0


@pytest.mark.parametrize("authorization", [
    None, "Bearer not-a-jwt", "Basic dXNlcjpwYXNz",
], ids=["no-token", "malformed-token", "wrong-scheme"])
async def test_without_a_valid_token_another_tenant_learns_nothing_but_401(
    secured_bot: BotServer, connector: StandInConnector, logs, authorization: str | None,
):
    """The token is checked before anything the body says: an unauthenticated caller cannot
    tell which tenants the bot serves."""
    activity = personal_message("help")
    activity["channelData"]["tenant"]["id"] = OTHER_TENANT
    headers = {} if authorization is None else {"Authorization": authorization}

    response = await secured_bot.post(activity, headers=headers)

    assert response.status == 401
    assert (await response.json()) == {"error": "unauthorised"}
    assert events(logs, "request.refused") == []
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


# Tokens signed with a key Microsoft publishes (here, a stand-in for its metadata endpoints)


@pytest.fixture
async def keys() -> AsyncIterator[StandInKeyServer]:
    async with StandInKeyServer() as server:
        yield server


@pytest.fixture
async def keyed_bot(database_url: str, connector: StandInConnector, clock, keys,
                    no_network: list[str]) -> AsyncIterator[BotServer]:
    """The bot as deployed, checking tokens against the stand-in's published keys."""
    settings = Settings(database_url=database_url, app_id=APP_ID,
                        app_password="not-a-real-secret", app_tenant_id=TENANT,
                        connector_hosts=STAND_IN_CONNECTOR_HOSTS)
    async with serving(settings, connector.url, clock=clock,
                       fetch_signing_keys=keys.fetch_json, tokens=BotToken()) as server:
        yield server


async def test_a_token_signed_with_a_published_key_is_let_in(
    keyed_bot: BotServer, connector: StandInConnector, keys: StandInKeyServer, logs,
):
    message = personal_message("help")
    response = await keyed_bot.post(message, headers=signed_by(keys, connector))

    assert response.status == 200
    assert keys.fetches == ["/v1/.well-known/openidconfiguration", "/v1/.well-known/keys"]
    welcome, help_card = await connector.wait_for(2)  # a first contact: welcome, then help
    assert "What makes a good suggestion" in help_card.text_seen
    assert [welcome.headers["Authorization"], help_card.headers["Authorization"]] == [
        "Bearer the-bots-own-token"] * 2
    assert events(logs, "request.unauthorised") == []


async def test_a_reply_refused_for_a_stale_token_goes_again_with_a_new_one(
    keyed_bot: BotServer, connector: StandInConnector, keys: StandInKeyServer, logs,
):
    connector.accepted_authorization = "Bearer the-bots-new-token"
    response = await keyed_bot.post(personal_message("help"), headers=signed_by(keys, connector))

    assert response.status == 200
    refused, welcome, help_card = await connector.wait_for(3)
    assert (refused.status, refused.headers["Authorization"]) == (
        401, "Bearer the-bots-own-token")
    assert "What makes a good suggestion" in help_card.text_seen
    assert [welcome.headers["Authorization"], help_card.headers["Authorization"]] == [
        "Bearer the-bots-new-token"] * 2
    assert events(logs, "turn.reply_failed") == []


async def test_a_valid_token_for_an_activity_from_another_tenant_is_forbidden(
    keyed_bot: BotServer, connector: StandInConnector, keys: StandInKeyServer, logs,
):
    activity = personal_message("help")
    activity["channelData"]["tenant"]["id"] = OTHER_TENANT

    response = await keyed_bot.post(activity, headers=signed_by(keys, connector))

    assert response.status == 403
    [refused] = events(logs, "request.refused")
    assert refused["reason"] == "the activity comes from another tenant"
    assert (await stored(keyed_bot.engine)).nothing_from_requests
    assert connector.arrivals == 0


async def test_turns_waiting_for_the_keys_share_one_fetch_of_them(
    keyed_bot: BotServer, connector: StandInConnector, keys: StandInKeyServer,
):
    responses = await asyncio.gather(*(
        keyed_bot.post(personal_message("help"), headers=signed_by(keys, connector))
        for _ in range(6)))

    assert [r.status for r in responses] == [200] * 6
    assert keys.fetches == ["/v1/.well-known/openidconfiguration", "/v1/.well-known/keys"]


async def test_when_a_refresh_fails_the_keys_held_are_kept(
    keyed_bot: BotServer, connector: StandInConnector, keys: StandInKeyServer, logs,
):
    assert (await keyed_bot.post(personal_message("help"),
                                 headers=signed_by(keys, connector))).status == 200
    held = keyed_bot.app[SIGNING_KEYS]
    held.last_updated = datetime.min  # a day later: due for a refresh
    keys.failing = True

    response = await keyed_bot.post(personal_message("help"),
                                    headers=signed_by(keys, connector))

    assert response.status == 200
    [failed] = events(logs, "signing_keys.refresh_failed")
    assert "500" in failed["reason"]
    assert len(keys.fetches) == 3  # and no second attempt for the next few minutes
    await keyed_bot.post(personal_message("help"), headers=signed_by(keys, connector))
    assert len(keys.fetches) == 3


async def test_a_key_server_that_hangs_gets_a_503_without_holding_up_the_bot(
    keyed_bot: BotServer, connector: StandInConnector, keys: StandInKeyServer, logs,
):
    keys.hanging = True
    waiting = asyncio.create_task(
        keyed_bot.post(personal_message("help"), headers=signed_by(keys, connector)))
    await asyncio.wait_for(keys.asked.wait(), 5)

    health = await keyed_bot.get("/healthz")  # the bot answers while the fetch hangs
    assert health.status == 200 and not waiting.done()

    response = await waiting
    assert response.status == 503
    [logged] = events(logs, "request.auth_unavailable")
    assert logged["reason"] == "SigningKeysUnavailable"
    assert (await stored(keyed_bot.engine)).nothing_from_requests


async def test_a_token_with_no_expiry_is_unauthorised(
    keyed_bot: BotServer, connector: StandInConnector, keys: StandInKeyServer, logs,
):
    """Signed with a published key and otherwise right, but valid for ever if let in."""
    claims = {"iss": BOT_FRAMEWORK_ISSUER, "aud": APP_ID, "serviceurl": connector.url,
              "nbf": int(time.time()) - 60}
    authorization = "Bearer " + keys.token(claims)

    response = await keyed_bot.post(personal_message("help"),
                                    headers={"Authorization": authorization})

    assert response.status == 401
    assert (await response.json()) == {"error": "unauthorised"}
    [logged] = events(logs, "request.unauthorised")
    assert logged["reason"] == "TokenWithoutExpiry"
    assert (await stored(keyed_bot.engine)).nothing_from_requests
    assert connector.arrivals == 0


@pytest.mark.parametrize("app_type", ["SingleTenant", "MultiTenant", "UserAssignedMSI"])
@pytest.mark.parametrize(("tenant", "status"), [(TENANT, 200), (OTHER_TENANT, 403)],
                         ids=["own-tenant", "other-tenant"])
async def test_a_configured_tenant_is_enforced_whatever_the_app_type(
    database_url: str, connector: StandInConnector, clock, keys: StandInKeyServer,
    no_network: list[str], app_type: str, tenant: str, status: int,
):
    settings = Settings(database_url=database_url, app_id=APP_ID, app_type=app_type,
                        app_password="" if app_type == "UserAssignedMSI" else "a-secret",
                        app_tenant_id=TENANT)
    settings.check_can_serve()
    activity = personal_message("help")
    activity["channelData"]["tenant"]["id"] = tenant

    async with serving(settings, connector.url, clock=clock,
                       fetch_signing_keys=keys.fetch_json, tokens=BotToken()) as bot:
        response = await bot.post(activity, headers=signed_by(keys, connector))
        saved = await stored(bot.engine)

    assert response.status == status
    assert bool(saved.addresses) is (status == 200)


async def test_a_signed_activity_naming_another_service_url_gets_no_token_back(
    keyed_bot: BotServer, connector: StandInConnector, keys: StandInKeyServer, logs,
):
    """The bot's token is sent to the Bot Connector's hosts only: an activity whose serviceUrl
    names another host (here a loopback name that is not listed) gets no reply, and no
    apology either."""
    elsewhere = connector.url.replace("127.0.0.1", "localhost")
    now = int(time.time())
    claims = {"iss": BOT_FRAMEWORK_ISSUER, "aud": APP_ID, "serviceurl": elsewhere,
              "nbf": now - 60, "exp": now + 3600}

    response = await keyed_bot.post(personal_message("help"), service_url=elsewhere,
                                     headers={"Authorization": "Bearer " + keys.token(claims)})

    assert response.status == 200
    (failed,) = events(logs, "turn.reply_failed")
    assert "ServiceUrlNotAllowed" in failed["reason"]
    assert events(logs, "turn.apology_failed") == []  # no apology tried there either
    refused = events(logs, "connector.service_url_refused")
    assert refused and "localhost is not a Bot Connector host" in refused[0]["reason"]
    assert connector.arrivals == 0


EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"


@pytest.mark.parametrize("claims", [
    pytest.param({"iss": EMULATOR_ISSUER, "ver": "1.0", "appid": APP_ID, "aud": APP_ID},
                 id="emulator"),
    pytest.param({"iss": BOT_FRAMEWORK_ISSUER, "ver": "1.0", "appid": "another-bot",
                  "aud": APP_ID}, id="skill"),
])
async def test_a_token_teams_never_sends_is_unauthorised_without_fetching_keys(
    keyed_bot: BotServer, connector: StandInConnector, keys: StandInKeyServer, logs,
    no_network: list[str], claims: dict,
):
    """The bot takes the Bot Framework channel's tokens only: not the Emulator's, nor a
    skill's, which would be checked against other keys, fetched from elsewhere."""
    now = int(time.time())
    authorization = "Bearer " + keys.token({**claims, "nbf": now - 60, "exp": now + 3600})

    response = await keyed_bot.post(personal_message("help"),
                                    headers={"Authorization": authorization})

    assert response.status == 401
    [logged] = events(logs, "request.unauthorised")
    assert logged["reason"] == "ForeignToken"
    assert keys.fetches == [] and no_network == []
    assert connector.arrivals == 0


@pytest.mark.parametrize("claim", [
    pytest.param({"aud": "00000000-0000-0000-0000-0000000000ff"}, id="another-apps-audience"),
    pytest.param({"serviceurl": "https://smba.trafficmanager.net/elsewhere/"},
                 id="another-service-url"),
    pytest.param({"serviceurl": None}, id="no-service-url"),
])
async def test_a_published_key_does_not_let_in_a_token_meant_for_something_else(
    keyed_bot: BotServer, connector: StandInConnector, keys: StandInKeyServer, logs,
    claim: dict,
):
    now = int(time.time())
    claims = {"iss": BOT_FRAMEWORK_ISSUER, "aud": APP_ID, "serviceurl": connector.url,
              "nbf": now - 60, "exp": now + 3600, **claim}
    claims = {name: value for name, value in claims.items() if value is not None}

    response = await keyed_bot.post(personal_message("help"),
                                    headers={"Authorization": "Bearer " + keys.token(claims)})

    assert response.status == 401
    [logged] = events(logs, "request.unauthorised")
    assert logged["reason"] == "PermissionError"
    assert (await stored(keyed_bot.engine)).nothing_from_requests
    assert connector.arrivals == 0


async def test_two_bots_in_one_process_each_check_tokens_against_their_own_keys(
    database_url: str, connector: StandInConnector, clock, no_network: list[str],
):
    """The keys are the app's own, not installed in the SDK for the whole process."""
    settings = Settings(database_url=database_url, app_id=APP_ID,
                        app_password="not-a-real-secret", app_tenant_id=TENANT,
                        connector_hosts=STAND_IN_CONNECTOR_HOSTS)
    async with StandInKeyServer() as first_keys, StandInKeyServer() as second_keys, \
            serving(settings, connector.url, clock=clock, fetch_signing_keys=first_keys.fetch_json,
                    tokens=BotToken()) as first, \
            serving(settings, connector.url, clock=clock, migrate=False,
                    fetch_signing_keys=second_keys.fetch_json, tokens=BotToken()) as second:
        answers = [
            (await first.post(personal_message("help"),
                              headers=signed_by(first_keys, connector))).status,
            (await second.post(personal_message("help"),
                               headers=signed_by(second_keys, connector))).status,
            (await first.post(personal_message("help"),
                              headers=signed_by(second_keys, connector))).status,
        ]

    assert answers == [200, 200, 401]
    assert len(first_keys.fetches) == len(second_keys.fetches) == 2
