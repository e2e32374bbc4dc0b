"""The command line's way to its database: one engine for a command, disposed of after it.

Commands that change things bring the schema up to date first, as `iip serve` does. Those that
only read (`iip outbox status`, `iip report sla`...) leave it as it is, and on a database that
is behind the code say what to run, rather than fail on a column it does not have yet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings

if TYPE_CHECKING:
    from bot.services.bundle import Services
    from bot.services.ports import TextRanker

T = TypeVar("T")


class SchemaBehind(Exception):
    """The database's schema is older than this release's: `str()` says what to run."""


async def with_engine(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    from storage.engine import make_engine

    engine = make_engine(settings.database_url)
    try:
        return await work(engine)
    finally:
        await engine.dispose()


async def with_current_schema(settings: Settings,
                              work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """`work` on a database whose schema is this release's; SchemaBehind when it is not."""
    from storage.migrate import current_revision, head_revision

    async def checked(engine: AsyncEngine) -> T:
        at, head = await current_revision(engine), head_revision()
        if at != head:
            raise SchemaBehind(f"the database is at schema revision {at or 'none'}, older "
                               f"than this release's ({head}): run `iip db upgrade` first.")
        return await work(engine)

    return await with_engine(settings, checked)


def with_services(settings: Settings, work: Callable[[Services], Awaitable[T]], *,
                  changes: bool = True, ranker: TextRanker | None = None) -> T:
    """`work` done with the portal's services on the configured database: brought up to date
    first when it changes something, as `iip serve` would; otherwise on a current schema.
    `ranker` ranks similar ideas (None: characters alone)."""
    from bot.app import build_services
    from bot.services.clock import SystemClock
    from storage.migrate import upgrade

    async def run(engine: AsyncEngine) -> T:
        if changes:
            await upgrade(engine)
        return await work(build_services(engine, SystemClock(), ranker=ranker))

    return asyncio.run((with_engine if changes else with_current_schema)(settings, run))
