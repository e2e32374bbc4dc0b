"""Microsoft 365 Agents Playground: the local Teams client the bot is developed against."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from types import TracebackType

import structlog

log = structlog.get_logger(__name__)

DEFAULT_PORT = 56150
# The Playground drives the bot as the demo's PMO member, signed in as no one: it listens on
# loopback only. It has no option for that, so a preloaded script makes every server in its
# process listen there (see playground_loopback.cjs).
HOST = "127.0.0.1"
LOOPBACK_PRELOAD = Path(__file__).with_name("playground_loopback.cjs")
_LISTENING = re.compile(rb"Listening on (\d+)")


class PlaygroundError(RuntimeError):
    """The Playground could not be started as asked."""


def playground_command(project_root: Path) -> Path:
    command = project_root / "node_modules" / ".bin" / "agentsplayground"
    if not command.exists():
        raise PlaygroundError(
            f"{command} is missing: run `npm ci` (or `make run`, which does it) first."
        )
    return command


def _with_preload(node_options: str) -> str:
    return f'{node_options} --require "{LOOPBACK_PRELOAD}"'.strip()


class Playground:
    """Runs the Playground against `bot_endpoint` on `port`; `async with` starts and stops it.

    It silently moves to another port when its own is taken, so the port it reports is checked.
    """

    def __init__(self, project_root: Path, bot_endpoint: str, port: int = DEFAULT_PORT,
                 log_folder: Path | None = None) -> None:
        self._command = playground_command(project_root)
        self._endpoint = bot_endpoint
        self.port = port
        self._cwd = log_folder or project_root
        self._process: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    async def __aenter__(self) -> Playground:
        return await self.start()

    async def start(self) -> Playground:
        """Start it and wait until it listens on its port; PlaygroundError if it cannot."""
        env = {**os.environ, "TEAMSAPPTESTER_BROWSER": "none",
               "APPLICATION_INSIGHTS_NO_STATSBEAT": "true", "IIP_PLAYGROUND_HOST": HOST,
               "NODE_OPTIONS": _with_preload(os.environ.get("NODE_OPTIONS", ""))}
        self._cwd.mkdir(parents=True, exist_ok=True)
        self._process = await asyncio.create_subprocess_exec(
            str(self._command), "-e", self._endpoint, "-c", "msteams", "--disable-telemetry",
            "-p", str(self.port),
            cwd=self._cwd, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            actual = await asyncio.wait_for(self._listening_port(), timeout=60)
        except (TimeoutError, PlaygroundError):
            await self.stop()
            raise
        if actual != self.port:
            await self.stop()
            raise PlaygroundError(
                f"Port {self.port} is taken (the Playground moved to {actual}). Stop whatever "
                f"is using it, or choose another port."
            )
        self._drain = asyncio.create_task(self._forward_output())
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.stop()

    async def wait(self) -> int:
        """Until the Playground exits on its own; its exit code."""
        assert self._process is not None
        return await self._process.wait()

    async def stop(self) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=10)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._drain is not None:
            self._drain.cancel()

    async def _listening_port(self) -> int:
        assert self._process is not None and self._process.stdout is not None
        while line := await self._process.stdout.readline():
            if match := _LISTENING.search(line):
                return int(match.group(1))
        raise PlaygroundError("The Playground exited before it started listening.")

    async def _forward_output(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        while line := await self._process.stdout.readline():
            log.debug("playground.output", line=line.decode(errors="replace").rstrip())
