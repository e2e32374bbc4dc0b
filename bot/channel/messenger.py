"""Speaking first: the Bot Connector REST API over one pooled aiohttp session.

msrest (what the SDK sends with) runs `requests` in a thread pool per call; proactive sends
and broadcasts go through this instead, with a cached token and our own pacing and retries.
"""
# botbuilder ships no type stubs; pyright reads the types from its source instead.
# pyright: reportMissingTypeStubs=false

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, Protocol, cast
from urllib.parse import quote

import aiohttp
import structlog
from botbuilder.integration.aiohttp import ConfigurationServiceClientCredentialFactory
from botframework.connector.auth import AppCredentials, AuthenticationConstants

from bot.channel.activities import ADAPTIVE_CARD
from bot.channel.marking import CardMarking
from bot.config import Settings
from bot.delivery.throttling import retry_after_seconds
from bot.delivery.verdicts import SERVICE_URL_REFUSED
from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.messages import CardMessage
from bot.domain.service_urls import ServiceUrlPolicy
from bot.services.ports import SendResult

log = structlog.get_logger(__name__)

REQUEST_TIMEOUT_SECONDS = 15


class ConnectorTokens:
    """Bearer tokens for the Bot Connector; none in anonymous mode (local runs)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._credentials: AppCredentials | None = None
        self._creating = asyncio.Lock()
        self._issued: dict[str, str] = {}

    async def headers(self) -> dict[str, str]:
        if self._settings.anonymous:
            return {}
        credentials = self._credentials or await self._create_credentials()
        # MSAL keeps the token until shortly before it expires; the call may block on refresh.
        token = await asyncio.to_thread(credentials.get_access_token)
        self._issued = {"Authorization": f"Bearer {token}"}
        return self._issued

    async def refresh(self, rejected: dict[str, str]) -> None:
        """The Bot Connector refused these headers (401): the next call gets a new token.

        The SDK's credentials ignore `force_refresh` and hand back the cached token until it
        expires, so fresh credentials, with an empty cache, are made instead; once only for
        the many sends that were refused the same token."""
        if rejected and rejected == self._issued:
            self._credentials = None
            self._issued = {}

    async def _create_credentials(self) -> AppCredentials:
        async with self._creating:
            if self._credentials is None:
                factory = ConfigurationServiceClientCredentialFactory(SimpleNamespace(
                    APP_ID=self._settings.app_id, APP_PASSWORD=self._settings.app_password,
                    APP_TYPE=self._settings.app_type,
                    APP_TENANTID=self._settings.app_tenant_id,
                ))
                # Declared as msrest's Authentication; every factory of the SDK makes these.
                self._credentials = cast(AppCredentials, await factory.create_credentials(
                    self._settings.app_id,
                    AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
                    AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL,
                    True,
                ))
            return self._credentials


class BearerTokens(Protocol):
    """The Authorization header for calls to the Bot Connector ({} when anonymous)."""

    async def headers(self) -> dict[str, str]: ...

    async def refresh(self, rejected: dict[str, str]) -> None:
        """Forget the token in `rejected`, which the Bot Connector refused."""
        ...


class BotConnectorMessenger:
    """Implements bot.services.ports.Messenger; `throttled` is told of every 429 answered.
    Every activity sent (a reply, a proactive send, a card updated) is marked by `marking`."""

    def __init__(self, session: aiohttp.ClientSession, tokens: BearerTokens,
                 service_urls: ServiceUrlPolicy, marking: CardMarking,
                 throttled: Callable[[], None] | None = None) -> None:
        self._session = session
        self._tokens = tokens
        self._service_urls = service_urls
        self._marking = marking
        self._throttled = throttled or (lambda: None)

    async def send(self, address: ConversationAddress, message: CardMessage) -> SendResult:
        url = _conversation_url(address, "activities")
        return await self._call("POST", url, _activity(address, message))

    async def replace(self, address: ConversationAddress, activity_id: str,
                      message: CardMessage) -> SendResult:
        url = _conversation_url(address, f"activities/{quote(activity_id, safe='')}")
        body = {**_activity(address, message), "id": activity_id}
        return await self._call("PUT", url, body)

    async def post_reply(self, service_url: str, conversation_id: str,
                         reply_to_id: str | None, body: dict[str, Any]) -> SendResult:
        """Send an activity into a conversation, as a reply to `reply_to_id` when given."""
        base = f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}"
        url = (f"{base}/activities/{quote(reply_to_id, safe='')}" if reply_to_id
               else f"{base}/activities")
        return await self._call("POST", url, body)

    async def open_personal_chat(
        self, object_id: str, tenant_id: str | None, via: ConversationAddress
    ) -> tuple[SendResult, ConversationAddress | None]:
        body = {
            "isGroup": False,
            "bot": {"id": via.bot_id},
            "members": [{"id": object_id}],
            "tenantId": tenant_id,
            "channelData": {"tenant": {"id": tenant_id}},
        }
        result, answer = await self._request("POST", f"{_base(via)}/v3/conversations", body)
        fields = _json_object(answer)
        conversation_id = fields.get("id") if fields is not None else None
        if result.status not in (200, 201) or not conversation_id:
            return result, None
        return result, ConversationAddress(
            conversation_id=conversation_id, kind=ConversationKind.PERSONAL,
            service_url=via.service_url, tenant_id=tenant_id, bot_id=via.bot_id,
            channel_id=via.channel_id, object_id=object_id,
        )

    async def member_addresses(
        self, address: ConversationAddress,
    ) -> tuple[str | None, str | None] | None:
        """Implements bot.services.ports.MemberDirectory: GET the member of a personal chat
        (TeamsChannelAccount), for the `email` and `userPrincipalName` a message never
        carries."""
        member = address.user_id or address.object_id
        if member is None:
            return None
        url = _conversation_url(address, f"members/{quote(member, safe='')}")
        result, answer = await self._request("GET", url, None)
        fields = _json_object(answer)
        if result.status != 200 or fields is None:
            return None
        return _text_field(fields, "email"), _text_field(fields, "userPrincipalName")

    async def _call(self, method: str, url: str, body: dict[str, Any]) -> SendResult:
        """Send an activity: the one way out for them all, so the marking is added here."""
        result, _answer = await self._request(method, url, self._marking.activity(body))
        return result

    async def _request(self, method: str, url: str,
                       body: dict[str, Any] | None) -> tuple[SendResult, Any]:
        """One call; a call refused for its token (401) is made once more with a new one.
        Nothing, token included, goes to a URL that is not the Bot Connector's."""
        refusal = self._service_urls.refusal(url)
        if refusal is not None:
            log.error("connector.service_url_refused", reason=refusal)
            return SendResult(status=None, error=SERVICE_URL_REFUSED), None
        headers = await self._tokens.headers()
        result, answer = await self._once(method, url, body, headers)
        if result.status == 401 and headers:
            await self._tokens.refresh(headers)
            result, answer = await self._once(method, url, body, await self._tokens.headers())
        return result, answer

    async def _once(self, method: str, url: str, body: dict[str, Any] | None,
                    headers: dict[str, str]) -> tuple[SendResult, Any]:
        # A GET (a member lookup) has no body.
        encoded = None if body is None else wire_json(body)
        typed = {} if body is None else {"Content-Type": "application/json; charset=utf-8"}
        try:
            async with self._session.request(
                method, url, data=encoded, headers={**headers, **typed},
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS),
            ) as response:
                answer = await _json_or_none(response)
                if response.status < 300:
                    fields = _json_object(answer)
                    activity_id = fields.get("id") if fields is not None else None
                    return SendResult(status=response.status, activity_id=activity_id), answer
                if response.status == 429:
                    self._throttled()
                return SendResult(
                    status=response.status,
                    retry_after=retry_after_seconds(response.headers.get("Retry-After"),
                                                    datetime.now(UTC)),
                    error=_error_code(answer),
                ), answer
        except (aiohttp.ClientError, TimeoutError) as error:
            return SendResult(status=None, error=type(error).__name__), None


def _base(address: ConversationAddress) -> str:
    return address.service_url.rstrip("/")


def _conversation_url(address: ConversationAddress, rest: str) -> str:
    return f"{_base(address)}/v3/conversations/{quote(address.conversation_id, safe='')}/{rest}"


def _activity(address: ConversationAddress, message: CardMessage) -> dict[str, Any]:
    return {
        "type": "message",
        "from": {"id": address.bot_id},
        "conversation": {"id": address.conversation_id},
        "summary": message.summary,
        "attachments": [{"contentType": ADAPTIVE_CARD, "content": message.card}],
    }


def wire_json(body: dict[str, Any]) -> bytes:
    """`body` as UTF-8 JSON, not JSON's \\u escapes: a card's text outside ASCII (an accent,
    an emoji) then counts one to four bytes against Teams' 28 KB message limit, not six to
    twelve. Text holding a lone surrogate (no UTF-8 can carry one) keeps the escapes."""
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body, separators=(",", ":")).encode("ascii")


async def _json_or_none(response: aiohttp.ClientResponse) -> Any:
    try:
        return await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return None


def _text_field(fields: dict[str, Any], name: str) -> str | None:
    """A field of a JSON answer that is short text, or None (an address is at most 320)."""
    value = fields.get(name)
    return value.strip() if isinstance(value, str) and 0 < len(value.strip()) <= 320 else None


def _json_object(answer: object) -> dict[str, Any] | None:
    """A JSON answer that is an object (whose keys are always strings), or None."""
    return cast("dict[str, Any]", answer) if isinstance(answer, dict) else None


def _error_code(answer: Any) -> str | None:
    fields = _json_object(answer)
    details = _json_object(fields.get("error")) if fields is not None else None
    if details is None:
        return None
    code = details.get("code")
    return str(code)[:100] if code else None

