"""Microsoft's token-signing keys, fetched without holding up the bot.

The SDK checks every inbound token against keys it downloads with a blocking `requests.get`
and no timeout, on the event loop: once a day each process stops every turn while
login.botframework.com answers, and if it never answers, neither does the bot. Here the
download is asynchronous and bounded in time, one download serves every turn waiting for it,
and when a refresh fails the keys already held stay in use for a while (Microsoft rolls its
keys over weeks, not minutes) instead of turning every request away.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import structlog
from botframework.connector.auth import AuthenticationConstants, jwt_token_extractor

log = structlog.get_logger(__name__)

FetchJson = Callable[[str], Awaitable[Any]]

# Where the Bot Framework channel (Teams) publishes the keys its tokens are signed with.
CHANNEL_METADATA_URL = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL

FETCH_TIMEOUT_SECONDS = 10.0
# After a failed refresh, the keys held are used this long before the next attempt.
RETRY_AFTER = timedelta(minutes=5)
# How old the SDK lets its keys grow before it refreshes them (it reads datetime.now()).
_SDK_MAX_AGE = timedelta(days=1)


class SigningKeysUnavailable(ConnectionError):
    """Microsoft's signing keys could not be fetched, and none are held: the request cannot
    be checked now (the messaging route answers 503, and Teams tries again)."""


class SigningKeys(jwt_token_extractor._OpenIdMetadata):
    """The keys published at one OpenID metadata URL, refreshed through `fetch_json`.

    A subclass of the SDK's own key cache, so that the SDK's token extractor can read it (it
    asks for a key by id, and gets the public key and its endorsements); it is handed to the
    token check (bot.channel.inbound_tokens), never installed in the SDK."""

    def __init__(self, url: str, fetch_json: FetchJson) -> None:
        super().__init__(url)
        self._fetch_json = fetch_json
        self._refreshing = asyncio.Lock()

    async def _refresh(self) -> None:
        seen = self.last_updated
        async with self._refreshing:
            if self.last_updated != seen:  # another turn refreshed them while this one waited
                return
            try:
                metadata = await self._fetch_json(self.url)
                keys = (await self._fetch_json(metadata["jwks_uri"]))["keys"]
                if not isinstance(keys, list):
                    raise TypeError("keys is not a list")
            except (OSError, TimeoutError, aiohttp.ClientError, KeyError, TypeError,
                    ValueError) as error:
                reason = f"{type(error).__name__}: {error}"[:200]
                if not self.keys:
                    log.error("signing_keys.unavailable", url=self.url, reason=reason)
                    raise SigningKeysUnavailable(reason) from error
                log.warning("signing_keys.refresh_failed", url=self.url, reason=reason,
                            retry_in_seconds=RETRY_AFTER.total_seconds())
                self.last_updated = datetime.now() - _SDK_MAX_AGE + RETRY_AFTER
                return
            self.keys = keys
            self.last_updated = datetime.now()
            log.info("signing_keys.refreshed", url=self.url, keys=len(keys))


def fetch_json_with(session: aiohttp.ClientSession,
                    timeout: float = FETCH_TIMEOUT_SECONDS) -> FetchJson:
    """GET a JSON document on the app's pooled session, giving up after `timeout` seconds."""
    limit = aiohttp.ClientTimeout(total=timeout)

    async def fetch_json(url: str) -> Any:
        async with session.get(url, timeout=limit) as response:
            response.raise_for_status()
            return await response.json(content_type=None)

    return fetch_json
