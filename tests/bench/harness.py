"""What the benchmarks share: child processes over JSON lines, a progress line, memory watching,
and throw-away PostgreSQL databases.

A benchmark starts its own script again with `--role NAME` for each process it needs (so that
no two parts share an event loop or a core's worth of Python); the child prints one JSON line
when it is ready, answers commands read from stdin with JSON lines, and stops when its stdin
closes, so that it also stops if the parent dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_ADMIN_URL = os.environ.get(
    "IIP_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def put_project_on_path(root: Path = ROOT) -> None:
    """Make `bot`, `cards`, `storage` and `tests/support` importable from a script: this
    project's, or those of another copy of it (`root`, to measure a baseline)."""
    for path in (root, root / "tests"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


# ---------------------------------------------------------------------------------------------
# The child's side.
# ---------------------------------------------------------------------------------------------

def say(**fields: Any) -> None:
    """One JSON line to the parent."""
    print(json.dumps(fields), flush=True)


def ready(**fields: Any) -> None:
    say(ready=True, pid=os.getpid(), **fields)


async def stdin_lines() -> AsyncIterator[str]:
    """The parent's commands, one a line, until it closes our stdin."""
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        yield line.strip()


async def until_stdin_closes() -> None:
    async for _line in stdin_lines():
        pass


async def serve_on_loopback(runner: Any) -> str:
    """Start an aiohttp AppRunner on a free loopback port; its base URL."""
    from aiohttp import web

    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return f"http://127.0.0.1:{port}/"


# ---------------------------------------------------------------------------------------------
# The parent's side.
# ---------------------------------------------------------------------------------------------

def run_to_the_end(main: Coroutine[Any, Any, int]) -> int:
    """Run a benchmark's parent to its exit status; Ctrl-C stops it (and so its children)
    with 130 and a word rather than a traceback."""
    try:
        return asyncio.run(main)
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130


class Logged:
    """A process whose stderr goes to `log_path`: its last lines, and the errors it logged."""

    log_path: Path

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def logged_errors(self) -> list[str]:
        """Log lines at error level or worse (the IIP bot logs JSON lines), and tracebacks."""
        found = []
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return found
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                if "Traceback" in line or "Error" in line:
                    found.append(line)
                continue
            if isinstance(entry, dict) and entry.get("level") in ("error", "critical"):
                found.append(line)
        return found


class Child(Logged):
    """A child process (`script --role ...`) talking JSON lines over stdin and stdout; it runs
    in `cwd` (the project by default) with `env` added to this process's environment."""

    def __init__(self, name: str, script: Path, args: list[str], log_path: Path, *,
                 cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.script = script
        self.args = args
        self.log_path = log_path
        self.cwd = cwd or ROOT
        self.env = env
        self.process: asyncio.subprocess.Process | None = None
        self.info: dict[str, Any] = {}

    async def start(self, within: float = 60.0) -> dict[str, Any]:
        log = self.log_path.open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, str(self.script), *self.args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log,
            cwd=str(self.cwd), env={**os.environ, **self.env} if self.env else None,
            limit=64 * 1024 * 1024,
            start_new_session=True,  # Ctrl-C reaches the parent only; it stops the children
        )
        log.close()
        try:
            self.info = await self.read(within)
        except (TimeoutError, json.JSONDecodeError):
            await self.stop()
            raise RuntimeError(f"{self.name} did not start; see {self.log_path}:\n"
                               f"{self.log_tail()}") from None
        return self.info

    async def read(self, within: float | None = 60.0) -> dict[str, Any]:
        assert self.process is not None and self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), within)
        if not line:
            raise json.JSONDecodeError(f"{self.name} ended", "", 0)
        return json.loads(line)

    async def tell(self, command: str) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        await self.process.stdin.drain()

    async def ask(self, command: str, within: float | None = 60.0) -> dict[str, Any]:
        await self.tell(command)
        return await self.read(within)

    @property
    def url(self) -> str:
        return self.info["url"]

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def stop(self, within: float = 15.0) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(Exception):
            process.stdin.close()  # type: ignore[union-attr]
        try:
            await asyncio.wait_for(process.wait(), within)
        except TimeoutError:
            process.kill()  # this child only, by its own pid
            await process.wait()


def free_port() -> int:
    """A TCP port free on loopback just now, for a server that must be told its port."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Service(Logged):
    """A server run as its own command (`iip serve`), as a service manager runs it: told its
    port and everything else by `env` (added to this process's environment), ready once
    `url` + `ready_path` answers 200, stopped with SIGTERM. Its stdout and stderr go to
    `log_path`."""

    def __init__(self, name: str, command: list[str], port: int, log_path: Path, *,
                 env: dict[str, str], ready_path: str = "/healthz") -> None:
        self.name = name
        self.command = command
        self.url = f"http://127.0.0.1:{port}/"
        self.log_path = log_path
        self.env = env
        self.ready_path = ready_path
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, within: float = 120.0) -> None:
        import aiohttp

        with self.log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.command, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
                cwd=str(ROOT), env={**os.environ, **self.env}, start_new_session=True)
        deadline = time.monotonic() + within
        probe = self.url.rstrip("/") + self.ready_path
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            while self.process.returncode is None and time.monotonic() < deadline:
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(probe) as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.25)
        await self.stop()
        raise RuntimeError(f"{self.name} did not start; see {self.log_path}:\n"
                           f"{self.log_tail()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def stop(self, within: float = 40.0) -> None:
        """SIGTERM, and the time a clean shutdown takes; then SIGKILL (this process only)."""
        process = self.process
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), within)
        except TimeoutError:
            process.kill()
            await process.wait()


class Progress:
    """One line, rewritten in place on a terminal; a line every `every` seconds otherwise."""

    def __init__(self, every: float = 5.0) -> None:
        self.tty = sys.stderr.isatty()
        self.every = every
        self.last = 0.0

    def show(self, text: str, *, final: bool = False) -> None:
        now = time.monotonic()
        if self.tty:
            sys.stderr.write(f"\r\033[K{text}" + ("\n" if final else ""))
            sys.stderr.flush()
        elif final or now - self.last >= self.every:
            print(text, file=sys.stderr, flush=True)
            self.last = now

    def note(self, text: str) -> None:
        if self.tty:
            sys.stderr.write("\r\033[K")
        print(text, file=sys.stderr, flush=True)


class MemoryWatch:
    """Samples one process's resident memory in the background; keeps the peak, and every
    sample (time.monotonic(), bytes) in `history`."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak_rss = 0
        self.last_rss = 0
        self.history: list[tuple[float, int]] = []
        self.task: asyncio.Task[None] | None = None

    def sample(self) -> None:
        with contextlib.suppress(Exception):
            self.last_rss = self.process.memory_info().rss
            self.peak_rss = max(self.peak_rss, self.last_rss)
            self.history.append((time.monotonic(), self.last_rss))

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    async def __aenter__(self) -> MemoryWatch:
        self.task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self.task:
            self.task.cancel()
        self.sample()

    def high_water_mark(self) -> int | None:
        """The kernel's own peak RSS (VmHWM), to cross-check the sampling."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return None

    def cpu_seconds(self) -> float:
        try:
            times = self.process.cpu_times()
        except Exception:
            return float("nan")
        return times.user + times.system


def database_options(parser: Any, default: str = "both") -> None:
    """--database sqlite|postgresql|both and --postgres-url, as the benchmarks take them."""
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"),
                        default=default, help=f"the bot's database (default {default})")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL,
                        help="an admin URL; a fresh database is made next to it and dropped")


async def postgres_database(
    admin_url: str = POSTGRES_ADMIN_URL, prefix: str = "iip_bench",
) -> tuple[str, Callable[[], Awaitable[None]]] | str:
    """A fresh, empty database: (url, drop) or, when PostgreSQL is unreachable, why."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # unreachable or refused: say why
        await admin.dispose()
        return f"{type(error).__name__}: {error}"[:300]

    async def drop() -> None:
        try:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            await admin.dispose()

    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}", drop


class DatabaseUnavailable(Exception):
    """PostgreSQL could not be reached: `str()` says why."""


@contextlib.asynccontextmanager
async def fresh_database(kind: str, prefix: str, *, folder: Path | None = None,
                         admin_url: str = POSTGRES_ADMIN_URL) -> AsyncIterator[str]:
    """The URL of a fresh, empty database of `kind` ("sqlite" in `folder`, by default a
    temporary one, or "postgresql" next to `admin_url`), dropped afterwards;
    DatabaseUnavailable when PostgreSQL cannot be reached."""
    if kind == "sqlite":
        import tempfile

        folder = folder or Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
        yield f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}"
        return
    made = await postgres_database(admin_url, prefix=prefix)
    if isinstance(made, str):
        raise DatabaseUnavailable(made)
    url, drop = made
    try:
        yield url
    finally:
        await drop()
