"""The Bot Framework adapter, with connector clients reused across turns.

The SDK builds a new ConnectorClient and UserTokenClient on every turn, and building one is
slow (msrest's retry policy set-up). Caching them per app id, service URL and audience keeps
a turn's cost to the work the bot does.

Tokens are checked by bot.channel.inbound_tokens, against the signing keys the app hands in
(the SDK's own check fetches them itself, blocking the event loop). The SDK also lets in a
signed token that carries no expiry (PyJWT checks `exp` only when it is there), which would
stay valid for ever: such tokens are refused here.
"""

from __future__ import annotations

from types import SimpleNamespace

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes, CallerIdConstants, ResourceResponse
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

from bot.channel.errors import on_turn_error
from bot.channel.inbound_tokens import ChannelTokens
from bot.channel.messenger import BotConnectorMessenger
from bot.channel.replies import send_reply
from bot.channel.signing_keys import SigningKeys
from bot.channel.turn_limits import TurnLimit
from bot.config import Settings
from bot.domain.turn_limits import TurnLimiter


class TokenWithoutExpiry(PermissionError):
    """The token is signed, but says nothing of when it stops being valid."""


def require_expiry(claims: ClaimsIdentity | None) -> None:
    """Refuse the claims of a token that has no numeric `exp`; anonymous turns carry no token."""
    if claims is None or claims.authentication_type == AuthenticationConstants.ANONYMOUS_AUTH_TYPE:
        return
    expiry = claims.claims.get("exp")
    if not isinstance(expiry, int | float) or isinstance(expiry, bool):
        raise TokenWithoutExpiry("the token has no expiry (exp)")


class CachingConnectorFactory(ConnectorFactory):
    """Hands out one ConnectorClient per (service URL, audience) for the factory's app id."""

    def __init__(self, inner: ConnectorFactory,
                 clients: dict[tuple[str, str, str], ConnectorClient], app_id: str) -> None:
        self._inner = inner
        self._clients = clients
        self._app_id = app_id

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._app_id, service_url, audience or "")
        client = self._clients.get(key)
        if client is None:
            # The SDK's factory declares `audience: str` and reads "" as it reads None.
            client = await self._inner.create(service_url, audience or "")
            self._clients[key] = client
        return client


class PortalAuthentication(BotFrameworkAuthentication):
    """The SDK's authentication, with tokens checked by `tokens`, the clients it builds kept
    for the next turn, and tokens without an expiry refused."""

    def __init__(self, inner: BotFrameworkAuthentication, tokens: ChannelTokens,
                 anonymous: bool) -> None:
        self._inner = inner
        self._tokens = tokens
        self._anonymous = anonymous
        self._connector_clients: dict[tuple[str, str, str], ConnectorClient] = {}
        self._token_clients: dict[str, UserTokenClient] = {}

    def _wrap(self, factory: ConnectorFactory, claims: ClaimsIdentity) -> ConnectorFactory:
        app_id = _app_id(claims)
        return CachingConnectorFactory(factory, self._connector_clients, app_id)

    async def authenticate_request(self, activity: Activity,
                                   auth_header: str) -> AuthenticateRequestResult:
        if not auth_header:  # let in without an app id, refused with one: nothing to fetch
            result = await self._inner.authenticate_request(activity, auth_header)
        else:
            result = self._channel_result(await self._tokens.identity(
                auth_header, activity.channel_id, activity.service_url))
        require_expiry(result.claims_identity)
        if result.connector_factory is not None:
            result.connector_factory = self._wrap(result.connector_factory,
                                                  result.claims_identity)
        return result

    def _channel_result(self, claims: ClaimsIdentity) -> AuthenticateRequestResult:
        """What the SDK answers for a channel's token once checked (a skill's is refused)."""
        result = AuthenticateRequestResult()
        result.claims_identity = claims
        result.audience = self._inner.get_originating_audience()
        if not self._anonymous:
            result.caller_id = CallerIdConstants.public_azure_channel
        result.connector_factory = self._inner.create_connector_factory(claims)
        return result

    async def authenticate_streaming_request(self, auth_header: str,
                                             channel_id_header: str) -> AuthenticateRequestResult:
        """Refused: the app serves POST /api/messages only, never a streaming connection."""
        raise PermissionError("streaming connections are not served")

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._wrap(self._inner.create_connector_factory(claims_identity), claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        app_id = _app_id(claims_identity)
        client = self._token_clients.get(app_id)
        if client is None:
            client = await self._inner.create_user_token_client(claims_identity)
            self._token_clients[app_id] = client
        return client

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        """Refused: this is for calls back from a skill, and the bot hosts none."""
        raise PermissionError("skill calls are not served")

    async def close(self) -> None:
        """Release the HTTP sessions held by the cached connector clients."""
        clients, self._connector_clients = self._connector_clients, {}
        for client in clients.values():
            await client.__aexit__(None, None, None)


def _app_id(claims: ClaimsIdentity | None) -> str:
    if claims is None:
        return ""
    return claims.get_claim_value("aud") or claims.get_claim_value("appid") or ""


class PortalAdapter(CloudAdapter):
    """The SDK's adapter, with the turn's messages sent by `send_reply` through `messenger`
    (on the app's pooled HTTP session); everything else goes the SDK's way."""

    def __init__(self, authentication: PortalAuthentication,
                 messenger: BotConnectorMessenger) -> None:
        super().__init__(authentication)
        self._messenger = messenger

    async def send_activities(self, context: TurnContext,
                              activities: list[Activity]) -> list[ResourceResponse]:
        responses = []
        for activity in activities:
            if activity.type == ActivityTypes.message:
                responses.append(await send_reply(self._messenger, activity))
            else:
                responses += await super().send_activities(context, [activity])
        return responses


def make_adapter(settings: Settings, messenger: BotConnectorMessenger,
                 signing_keys: SigningKeys) -> tuple[PortalAdapter, PortalAuthentication]:
    """The adapter for these settings, replying through `messenger` and checking tokens
    against `signing_keys`; anonymous (no token needed) when there is no app id."""
    configuration = SimpleNamespace(
        APP_ID=settings.app_id,
        APP_PASSWORD=settings.app_password,
        # The SDK only allows an empty app id (no authentication) for the MultiTenant type.
        APP_TYPE="MultiTenant" if settings.anonymous else settings.app_type,
        APP_TENANTID=settings.app_tenant_id,
    )
    authentication = PortalAuthentication(
        ConfigurationBotFrameworkAuthentication(configuration),
        ChannelTokens(settings.app_id, signing_keys), settings.anonymous)
    adapter = PortalAdapter(authentication, messenger)
    adapter.on_turn_error = on_turn_error
    adapter.use(TurnLimit(TurnLimiter(settings.turns_per_minute, settings.turn_burst)))
    return adapter, authentication
