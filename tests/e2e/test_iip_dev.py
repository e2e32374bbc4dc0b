"""`iip dev` as a developer runs it: the bot and the Teams Playground together, Ctrl-C stops both.

The commands run as `make run` runs them, from the project root, with their own ports and a
SQLite file under tmp, so that a `make run` already going on this machine is left alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psutil
import pytest
from support.playground_client import PlaygroundClient
from support.playground_stack import PROJECT_ROOT, free_port, port_open

pytestmark = pytest.mark.e2e

IIP = Path(sys.executable).parent / "iip"
READY_WITHIN = 30.0
STOP_WITHIN = 10.0
OPEN_LINE = re.compile(r"Open (http://\S+) to chat with it")


@pytest.fixture
def environment(playground_installed: None, missing, tmp_path: Path) -> dict[str, str]:
    """A developer's environment: no app registration, a database file of this test's own."""
    if not IIP.exists():
        missing(f"{IIP} is missing: pip install -e '.[dev]' in this environment")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("IIP_", "MICROSOFT_APP_"))}
    env.update(IIP_PORT=str(free_port()),
               IIP_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'iip.sqlite3'}",
               IIP_LOG_FORMAT="console", PYTHONUNBUFFERED="1")
    return env


def iip(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(IIP), *args], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=False)


@dataclass
class Running:
    process: asyncio.subprocess.Process
    output: list[str]

    async def wait_for_line(self, pattern: re.Pattern[str], within: float) -> re.Match[str]:
        assert self.process.stdout is not None
        async with asyncio.timeout(within):
            while line := (await self.process.stdout.readline()).decode(errors="replace"):
                self.output.append(line)
                if match := pattern.search(line):
                    return match
        raise AssertionError("iip dev ended before saying where to chat:\n" + self.said)

    async def finish(self, within: float) -> int:
        """Its exit code, once it has ended (reading what it says meanwhile) within `within`."""
        assert self.process.stdout is not None
        async with asyncio.timeout(within):
            rest, code = await asyncio.gather(self.process.stdout.read(), self.process.wait())
        self.output.append(rest.decode(errors="replace"))
        return code

    @property
    def said(self) -> str:
        return "".join(self.output)


@contextlib.asynccontextmanager
async def iip_dev(playground_port: int, env: dict[str, str]) -> AsyncIterator[Running]:
    """`iip dev` in a terminal of its own (its own process group, as a shell gives it)."""
    process = await asyncio.create_subprocess_exec(
        str(IIP), "dev", "--playground-port", str(playground_port), cwd=PROJECT_ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, start_new_session=True,
    )
    try:
        yield Running(process, [])
    finally:
        if process.returncode is None:  # the test failed half-way: leave nothing behind
            for child in _descendants(process.pid):
                with contextlib.suppress(psutil.NoSuchProcess):
                    child.kill()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@contextlib.contextmanager
def port_held(port: int) -> Iterator[None]:
    """Someone else listening on `port` (on loopback, which is enough to make it taken)."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        yield


async def test_iip_dev_serves_the_bot_and_the_playground_and_ctrl_c_stops_both(
    environment: dict[str, str]
):
    environment["IIP_CLASSIFICATION"] = "OFFICIAL"  # shown on every card the Playground gets
    for step in (["db", "upgrade"], ["org", "load", "bot/demo/organisation.toml"]):
        done = iip(*step, env=environment)
        assert done.returncode == 0, f"iip {' '.join(step)} failed:\n{done.stdout}{done.stderr}"
    bot_port, playground_port = int(environment["IIP_PORT"]), free_port()

    async with iip_dev(playground_port, environment) as dev:
        match = await dev.wait_for_line(OPEN_LINE, READY_WITHIN)
        assert match.group(1) == f"http://localhost:{playground_port}"
        assert f"http://127.0.0.1:{bot_port}/api/messages" in dev.said

        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{bot_port}/healthz") as health:
                assert health.status == 200
                assert (await health.json())["status"] == "ok"
            async with http.get(f"http://localhost:{playground_port}/_debug/ping") as ping:
                assert ping.status == 200
                assert (await ping.text()).strip() == "pong"
        async with PlaygroundClient(match.group(1)) as chat:  # the two really talk
            await chat.say("help")
            help_card = await chat.next_message(
                None, lambda m: "How the Improvement and Innovation Portal" in m.text_seen)
            assert "iip.pmo@example.police.uk" in help_card.text_seen
            body = help_card.card["body"]
            assert help_card.heading == body[-1]["text"] == "OFFICIAL"

        children = _descendants(dev.process.pid)
        assert children, "the Playground should run as a child of iip dev"
        os.killpg(dev.process.pid, signal.SIGINT)  # Ctrl-C in its terminal
        code = await dev.finish(STOP_WITHIN)
        said = dev.said

        assert code == 0, said
        assert "Stopped." in said
        assert "Traceback" not in said and "[error" not in said, said
        _, alive = psutil.wait_procs(children, timeout=1)
        assert not alive, f"still running after iip dev stopped: {alive}"
        assert not port_open(bot_port), "the bot still listens"
        assert not port_open(playground_port), "the Playground still listens"


async def test_iip_dev_refuses_a_playground_port_that_is_taken(environment: dict[str, str]):
    taken = free_port()

    with port_held(taken):
        async with iip_dev(taken, environment) as dev:
            code = await dev.finish(READY_WITHIN)
            said = dev.said

    assert code != 0
    assert f"Port {taken} is taken" in said
    moved = re.search(r"moved to (\d+)", said)
    assert moved, said
    assert not port_open(int(moved.group(1))), "the Playground it started still runs"
    assert not port_open(int(environment["IIP_PORT"])), "the bot still listens"
    assert "Open http" not in said


def own_network_addresses() -> list[str]:
    """This machine's addresses that others on its networks could reach (not loopback, not
    link-local, which needs a scope to dial)."""
    found = []
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family not in (socket.AF_INET, socket.AF_INET6):
                continue
            ip = ipaddress.ip_address(address.address.split("%", 1)[0])
            if not (ip.is_loopback or ip.is_link_local):
                found.append(str(ip))
    return found


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


async def test_iip_dev_listens_on_loopback_only(environment: dict[str, str], missing):
    """The Playground chats with the anonymous bot as the demo's PMO member and SPOC: from
    another machine, neither it nor the bot may be reached."""
    outside = own_network_addresses()
    if not outside:
        missing("this machine has no network address other than loopback to try")
    playground_port = free_port()

    async with iip_dev(playground_port, environment) as dev:
        await dev.wait_for_line(OPEN_LINE, READY_WITHIN)
        bot_port = int(environment["IIP_PORT"])
        listening = [c.laddr for child in [psutil.Process(dev.process.pid),
                                           *_descendants(dev.process.pid)]
                     for c in child.net_connections(kind="inet") if c.status == "LISTEN"]

        assert answers("127.0.0.1", playground_port) and answers("127.0.0.1", bot_port)
        reachable = [(host, port) for host in outside for port in (playground_port, bot_port)
                     if answers(host, port)]
        assert reachable == [], f"reachable from the network: {reachable}"
        assert {port for _ip, port in listening} >= {playground_port, bot_port}
        assert all(ipaddress.ip_address(ip).is_loopback for ip, _port in listening), listening
        os.killpg(dev.process.pid, signal.SIGINT)
        assert await dev.finish(STOP_WITHIN) == 0, dev.said
