"""GET /healthz: what a load balancer sees, with the database up and with it gone."""

from __future__ import annotations

import asyncio
import shutil
import socket
from pathlib import Path

from support.bot_server import BotServer, serving
from support.connector import StandInConnector
from support.logs import events

from bot.config import Settings


async def test_healthy_when_the_database_answers(bot: BotServer):
    response = await bot.get("/healthz")

    assert response.status == 200
    body = await response.json()
    assert {key: body[key] for key in ("status", "database")} == {"status": "ok",
                                                                  "database": "ok"}


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def unhealthy(database_url: str, connector: StandInConnector, logs,
                    before_asking=None, **options) -> None:
    settings = Settings(database_url=database_url, **options)
    async with serving(settings, connector.url, migrate=False, organisation=None) as bot:
        if before_asking:
            before_asking()
        response = await bot.get("/healthz")
        body = await response.json()
        again = await bot.get("/healthz")
        # aiosqlite stops the thread of a connection that failed to open without waiting for
        # it; let that thread finish while this test's event loop still runs.
        await asyncio.sleep(0.1)

    assert response.status == 503
    assert body == {"status": "unhealthy", "database": "unreachable"}
    assert again.status == 503
    failures = events(logs, "health.database_failed")
    assert len(failures) == 2  # one line per check, saying what failed
    assert all(f["error"] for f in failures)


async def test_unhealthy_when_postgresql_does_not_answer(connector: StandInConnector, logs):
    """The outbox worker runs too: it logs each failed poll and stops cleanly at shutdown."""
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/iip"

    await unhealthy(url, connector, logs)

    assert events(logs, "outbox.batch_failed")
    assert events(logs, "outbox.worker_stopped")


async def test_unhealthy_when_the_sqlite_folder_is_gone(
    connector: StandInConnector, logs, tmp_path: Path
):
    folder = tmp_path / "var"

    def remove_folder() -> None:
        # The bot's background passes may be opening the database as the folder goes: a
        # journal created between rmtree's listing and its rmdir would make rmtree fail. A
        # rename takes the folder away at once; nothing is created in it after that.
        moved = folder.rename(tmp_path / "removed")
        shutil.rmtree(moved)

    await unhealthy(f"sqlite+aiosqlite:///{folder}/iip.sqlite3", connector, logs,
                    before_asking=remove_folder, outbox_worker=False)
