"""Building the async engine for SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from storage.uk_days import register_sqlite_functions

# How long a turn waits for SQLite's one connection before giving up loudly (a turn that
# waited for a connection it already held would otherwise wait for ever).
SQLITE_QUEUE_TIMEOUT_SECONDS = 30.0
_sqlite_queues: WeakKeyDictionary[Engine, WeakKeyDictionary[asyncio.AbstractEventLoop,
                                                            asyncio.Lock]] = WeakKeyDictionary()


def make_engine(url: str, **options: Any) -> AsyncEngine:
    """An engine tuned for the bot: on SQLite, WAL and one connection that callers of
    `connect` take in turn (see there); on PostgreSQL, a pool. Its errors never carry the
    values bound to a statement: they are people's words, and errors are logged."""
    options.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        _make_parent_folder(url)
        if ":memory:" not in url:  # see connect()
            options.setdefault("pool_size", 1)
            options.setdefault("max_overflow", 0)
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    options.setdefault("pool_size", 10)
    options.setdefault("max_overflow", 10)
    options.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **options)


@asynccontextmanager
async def connect(engine: AsyncEngine, *,
                  begin: bool = False) -> AsyncGenerator[AsyncConnection, None]:
    """A connection, in a transaction that commits on leaving if `begin`.

    SQLite lets one writer in at a time and makes the others poll for the lock with growing
    sleeps: under a burst of decisions a few lost that lottery for seconds, and some gave up
    with "database is locked". So on SQLite a process has one connection, and callers queue
    for it in order of arrival (SQLAlchemy's own pool queue lets a newcomer overtake a waiter
    it has just woken). The busy timeout still covers other processes on the same file."""
    async with _queue_for(engine), engine.connect() as connection:
        if begin:
            async with connection.begin():
                yield connection
        else:
            yield connection


def _queue_for(engine: AsyncEngine) -> Any:
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return nullcontext()
    by_loop = _sqlite_queues.setdefault(engine.sync_engine, WeakKeyDictionary())
    lock = by_loop.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    return _held(lock)


@asynccontextmanager
async def _held(lock: asyncio.Lock) -> AsyncGenerator[None, None]:
    async with asyncio.timeout(SQLITE_QUEUE_TIMEOUT_SECONDS):
        await lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _make_parent_folder(url: str) -> None:
    path = url.split(":///", 1)[-1].split("?", 1)[0]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    register_sqlite_functions(dbapi_connection)
