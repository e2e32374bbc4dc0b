"""End-to-end: the real service, driven through Microsoft's Teams emulator (the Playground).

Each test module gets its own bot (a SQLite file under tmp, the demo organisation loaded) and
its own Playground on a free port: a fresh Playground per module keeps its in-memory log short.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from support.playground_client import PlaygroundClient
from support.playground_stack import PLAYGROUND_BIN, PROJECT_ROOT, Stack, serve_stack
from support.submission_steps import CHROMIUM, async_playwright

ROOT_CONFTEST = (Path(__file__).parents[1] / "conftest.py").resolve()


def unavailable(config: pytest.Config, reason: str) -> NoReturn:
    """tests/conftest.py's unavailable(): skip here, fail under CI.

    It is reached through pytest's plugin manager: both files are modules named `conftest`, so
    this one cannot import the other by name.
    """
    for plugin in config.pluginmanager.get_plugins():
        path = getattr(plugin, "__file__", None)
        if path and Path(path).resolve() == ROOT_CONFTEST:
            plugin.unavailable(reason)
    raise RuntimeError(f"{ROOT_CONFTEST} is not loaded")


def require_playground(config: pytest.Config) -> None:
    if not PLAYGROUND_BIN.exists():
        unavailable(config, f"{PLAYGROUND_BIN.relative_to(PROJECT_ROOT)} is missing: "
                            "run `npm ci`")
    if shutil.which("node") is None:
        unavailable(config, "node is not on PATH: the Teams Playground needs it")


@pytest.fixture
def missing(request: pytest.FixtureRequest) -> Callable[[str], NoReturn]:
    """unavailable(reason) for this test: skip here, fail under CI."""
    return lambda reason: unavailable(request.config, reason)


@pytest.fixture
def chromium(missing: Callable[[str], NoReturn]) -> Path:
    """Debian's Chromium, driven by Python Playwright: skip here, fail under CI, without them."""
    if async_playwright is None:
        missing("Python playwright is not installed: pip install -e '.[dev]'")
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return CHROMIUM


@pytest.fixture
def playground_installed(request: pytest.FixtureRequest) -> None:
    """For tests that start the Playground themselves."""
    require_playground(request.config)


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Stack]:
    """The bot and a Playground pointed at it, for the whole module."""
    require_playground(request.config)
    with serve_stack(tmp_path_factory.mktemp("e2e-stack")) as running:
        yield running


@pytest.fixture
async def chat(stack: Stack) -> AsyncIterator[PlaygroundClient]:
    """The Playground's current user, in their personal chat with the bot."""
    async with PlaygroundClient(stack.playground_url) as client:
        yield client
