"""Fixtures shared by the outbox's integration tests: a Teams connector on loopback, and the
HTTP session the worker sends through."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from support.teams_connector import TeamsConnector


@pytest.fixture
async def connector() -> AsyncIterator[TeamsConnector]:
    async with TeamsConnector() as connector:
        yield connector


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
