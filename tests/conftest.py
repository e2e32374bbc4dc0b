"""Shared fixtures: real databases (SQLite and PostgreSQL), a fixed clock, Teams payloads."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.engine import make_engine
from storage.migrate import upgrade

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT_ROOT = Path(__file__).parent.parent
ARTEFACTS = PROJECT_ROOT / "test-artefacts"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
T = TypeVar("T")
POSTGRES_ADMIN_URL = os.environ.get(
    "IIP_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def pytest_configure(config: pytest.Config) -> None:
    """Bots started by tests rank similar ideas by characters alone: loading the sentence
    model takes seconds and hundreds of MB each time. The tests of the model turn it on."""
    os.environ.setdefault("IIP_SIMILAR_MODEL", "off")


@pytest.fixture(autouse=True)
def uncached_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Logging as each test finds it: a test that runs the command line configures structlog
    for the process, and a logger it caches would keep writing past a later test's
    `structlog.testing.capture_logs`. So loggers are never cached here, and the defaults come
    back after every test."""
    configure = structlog.configure

    def without_caching(**settings: Any) -> None:
        configure(**{**settings, "cache_logger_on_first_use": False})

    monkeypatch.setattr(structlog, "configure", without_caching)
    yield
    structlog.reset_defaults()


def run_apart(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on its own loop, even from inside a running one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work()).result()


def unavailable(reason: str) -> None:
    """Skip locally when a real component is missing; under CI that is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must run every test)", pytrace=False)
    pytest.skip(reason)


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 2, 9, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


def load_activity(name: str) -> dict[str, Any]:
    """A real Teams payload from tests/fixtures/teams-activities (see its SOURCES.md)."""
    return json.loads((FIXTURES / "teams-activities" / name).read_text(encoding="utf-8"))


@pytest.fixture
def teams_activity():
    return load_activity


# Databases: every storage test runs on SQLite and on PostgreSQL, each test on a fresh,
# migrated database copied from a template migrated once per session.

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"

    async def build() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()

    run_apart(build)
    return path


async def _postgres_admin() -> AsyncEngine:
    return create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _postgres_url(database: str) -> str:
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    return f"{base}/{database}"


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """The name of a migrated template database, or None when PostgreSQL is unreachable."""
    name = f"iip_template_{uuid.uuid4().hex[:8]}"

    async def create() -> str | None:
        admin = await _postgres_admin()
        try:
            async with admin.connect() as connection:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
        except (OSError, Exception) as error:  # unreachable or refused: say why
            await admin.dispose()
            return f"{type(error).__name__}: {error}"[:300]
        await admin.dispose()
        engine = make_engine(_postgres_url(name))
        await upgrade(engine)
        await engine.dispose()
        return None

    problem = run_apart(create)
    if problem:
        yield f"!{problem}"
        return
    yield name

    async def drop() -> None:
        admin = await _postgres_admin()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    run_apart(drop)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a fresh, fully migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "iip.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    if template.startswith("!"):
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {template[1:]}")
    name = f"iip_test_{uuid.uuid4().hex[:12]}"
    admin = await _postgres_admin()
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _postgres_url(name)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def artefacts() -> Path:
    """Where tests leave what a reviewer should look at (screenshots, card JSON)."""
    ARTEFACTS.mkdir(exist_ok=True)
    return ARTEFACTS
