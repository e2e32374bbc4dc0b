"""The real bot and the real Teams Playground pointed at it, served from a thread of their own.

The bot listens on a free loopback port with a SQLite file database and the demo organisation
loaded; the Playground on another free port. Running both on their own event loop lets tests
on any loop, or none, talk to them over HTTP as Teams and a person would.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.playground import Playground, PlaygroundError
from support.bot_server import start_bot

PROJECT_ROOT = Path(__file__).parents[2]
PLAYGROUND_BIN = PROJECT_ROOT / "node_modules" / ".bin" / "agentsplayground"
START_WITHIN = 60.0
STOP_WITHIN = 30.0


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


@dataclass(frozen=True)
class Stack:
    """Where the running bot and Playground are, and the bot's database file."""

    bot_url: str
    playground_url: str
    database: Path

    def feedback_rows(self) -> list[dict[str, Any]]:
        """The stored feedback, read straight from the database file."""
        with contextlib.closing(sqlite3.connect(self.database)) as db:
            db.row_factory = sqlite3.Row
            return [dict(row) for row in db.execute("SELECT * FROM feedback ORDER BY id")]


@contextlib.contextmanager
def serve_stack(folder: Path, **settings: Any) -> Iterator[Stack]:
    """Run the bot and a Playground pointed at it until the block ends; `settings`, any the
    bot runs with beside its database.

    The database and the Playground's log (devTools/) are kept in `folder`.
    """
    database = folder / "iip.sqlite3"
    ready: dict[str, Any] = {}
    started = threading.Event()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def serve() -> None:
        server, runner = await start_bot(
            Settings(database_url=f"sqlite+aiosqlite:///{database}", **settings),
            connector_url="")
        playground: Playground | None = None
        try:
            playground = await start_playground(f"{server.url}/api/messages", folder)
            ready["stack"] = Stack(server.url, playground.url, database)
            started.set()
            await stop.wait()
        finally:
            # The bot first: the Playground is also its connector, so turns still running and
            # the outbox's last sends can finish instead of failing against a closed port.
            await server.session.close()
            await runner.cleanup()
            if playground is not None:
                await playground.stop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(serve())
        except BaseException as error:  # handed to the thread waiting for the start
            ready["error"] = error
        finally:
            started.set()
            loop.close()

    thread = threading.Thread(target=run, name="e2e-stack", daemon=True)
    thread.start()
    if not started.wait(START_WITHIN):
        raise TimeoutError(f"the bot and the Playground did not start within {START_WITHIN:g}s")
    if "error" in ready:
        raise ready["error"]
    try:
        yield ready["stack"]
    finally:
        with contextlib.suppress(RuntimeError):  # the loop already ended on its own
            loop.call_soon_threadsafe(stop.set)
        thread.join(STOP_WITHIN)
        if thread.is_alive():
            raise AssertionError(f"the bot and the Playground did not stop in {STOP_WITHIN:g}s")


async def start_playground(endpoint: str, folder: Path, attempts: int = 3) -> Playground:
    """A started Playground on a free port (another one if someone takes the port first)."""
    for attempt in range(1, attempts + 1):
        playground = Playground(PROJECT_ROOT, endpoint, free_port(), log_folder=folder)
        try:
            return await playground.__aenter__()  # left by serve_stack, with playground.stop()
        except PlaygroundError as error:
            if "taken" not in str(error) or attempt == attempts:
                raise
    raise AssertionError("unreachable")
