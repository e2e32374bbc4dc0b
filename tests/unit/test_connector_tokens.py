"""The app's token for the Bot Connector: cached, and replaced once when it is refused."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.channel import messenger
from bot.channel.messenger import ConnectorTokens
from bot.config import Settings


class Credentials:
    """The SDK's app credentials: a token that stays the same for the object's life."""

    def __init__(self, number: int) -> None:
        self.number = number

    def get_access_token(self, force_refresh: bool = False) -> str:
        return f"token-{self.number}"


class CredentialFactory:
    """Stands in for the SDK's factory, which would ask Entra for the token."""

    made = 0

    def __init__(self, _configuration: Any) -> None:
        pass

    async def create_credentials(self, *_args: Any) -> Credentials:
        await asyncio.sleep(0.01)  # Entra takes a moment
        CredentialFactory.made += 1
        return Credentials(CredentialFactory.made)


@pytest.fixture
def tokens(monkeypatch: pytest.MonkeyPatch) -> ConnectorTokens:
    CredentialFactory.made = 0
    monkeypatch.setattr(messenger, "ConfigurationServiceClientCredentialFactory",
                        CredentialFactory)
    return ConnectorTokens(Settings(app_id="00000000-0000-0000-0000-000000000001",
                                    app_password="secret", app_tenant_id="tenant"))


async def test_the_token_is_reused_until_it_is_refused(tokens: ConnectorTokens) -> None:
    first = await asyncio.gather(*(tokens.headers() for _ in range(5)))
    assert first == [{"Authorization": "Bearer token-1"}] * 5
    assert CredentialFactory.made == 1

    await tokens.refresh({"Authorization": "Bearer token-1"})

    assert await tokens.headers() == {"Authorization": "Bearer token-2"}


async def test_many_refusals_of_one_token_fetch_one_new_token(tokens: ConnectorTokens) -> None:
    refused = await tokens.headers()
    await asyncio.gather(*(tokens.refresh(refused) for _ in range(5)))
    assert await tokens.headers() == {"Authorization": "Bearer token-2"}

    # A refusal of the old token arriving late does not throw the new one away.
    await tokens.refresh(refused)
    assert await tokens.headers() == {"Authorization": "Bearer token-2"}
    assert CredentialFactory.made == 2


async def test_anonymous_runs_send_no_token() -> None:
    tokens = ConnectorTokens(Settings())
    assert await tokens.headers() == {}
    await tokens.refresh({})
    assert await tokens.headers() == {}
