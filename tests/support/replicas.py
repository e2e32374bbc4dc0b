"""Replicas of `iip serve`: real processes, each on its own loopback port, on one database.

They are started at once, as a deployment starts them, and each writes its JSON log lines to
a file of its own, so that a test can read what each did (which one upgraded the schema).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from support.logs import events
from support.playground_stack import PROJECT_ROOT, free_port

READY_WITHIN = 60.0
STOP_WITHIN = 35.0  # past `iip serve`'s own 30 s grace for the turns in flight


@dataclass
class Replica:
    """One `iip serve` process."""

    name: str
    url: str
    process: asyncio.subprocess.Process
    log: Path

    def kill(self) -> None:
        """SIGKILL: gone at once, as a crashed machine is, with no chance to finish anything."""
        self.process.send_signal(signal.SIGKILL)

    def events(self) -> list[dict[str, Any]]:
        """Its JSON log lines so far (anything else it printed is left out)."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict):
                    found.append(entry)
        return found

    def logged(self, event: str) -> list[dict[str, Any]]:
        return events(self.events(), event)

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    async def stop(self) -> None:
        """SIGTERM, as a deployment stops a replica; SIGKILL if it does not end in time."""
        if self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), STOP_WITHIN)
        except TimeoutError:
            self.kill()
            await self.process.wait()


def replica_environment(database_url: str, port: int, **extra: str) -> dict[str, str]:
    """What a replica runs with: this database and port, JSON logs, and nothing of the
    machine's own IIP_ or MICROSOFT_APP_ settings (no app id: it listens on loopback only)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IIP_", "MICROSOFT_APP_"))}
    env.update(IIP_DATABASE_URL=database_url, IIP_HOST="127.0.0.1", IIP_PORT=str(port),
               IIP_LOG_FORMAT="json", IIP_LOG_LEVEL="INFO", IIP_SIMILAR_MODEL="off",
               PYTHONUNBUFFERED="1", **extra)
    return env


@contextlib.asynccontextmanager
async def serving_replicas(database_url: str, folder: Path, names: Sequence[str] = ("a", "b"),
                           **settings: str) -> AsyncIterator[list[Replica]]:
    """`iip serve` once per name, all started at once on `database_url` (`settings`: more
    IIP_ variables), until the block ends; yielded once every one answers /healthz."""
    replicas = []
    try:
        for name in names:
            port = free_port()
            log = folder / f"replica-{name}.log"
            with log.open("wb") as output:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "serve", cwd=PROJECT_ROOT,
                    env=replica_environment(database_url, port, **settings),
                    stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=output)
            replicas.append(Replica(name, f"http://127.0.0.1:{port}", process, log))
        await asyncio.gather(*(_healthy(replica) for replica in replicas))
        yield replicas
    finally:
        await asyncio.gather(*(replica.stop() for replica in replicas))


async def _healthy(replica: Replica) -> None:
    """Until the replica answers /healthz with 200 (it upgrades the schema first)."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        deadline = asyncio.get_running_loop().time() + READY_WITHIN
        while True:
            if replica.process.returncode is not None:
                raise AssertionError(f"replica {replica.name} exited with "
                                     f"{replica.process.returncode}:\n{replica.tail()}")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with http.get(f"{replica.url}/healthz") as answer:
                    if answer.status == 200:
                        return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"replica {replica.name} did not answer /healthz within "
                                     f"{READY_WITHIN:g}s:\n{replica.tail()}")
            await asyncio.sleep(0.1)
