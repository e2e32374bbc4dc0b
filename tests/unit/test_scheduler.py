"""The scheduler's loop: a pass at once, then one every interval until told to stop; a pass
that fails is logged and the next one tries again."""

from __future__ import annotations

import asyncio

import structlog

from bot.services.jobs import Scheduler


class Runner:
    def __init__(self, stop: asyncio.Event, passes: int) -> None:
        self.calls = 0
        self._stop, self._passes = stop, passes

    async def run_due(self) -> list[object]:
        self.calls += 1
        if self.calls >= self._passes:
            self._stop.set()
        if self.calls == 1:
            raise ConnectionError("the database is down")
        return []


async def test_passes_go_on_after_a_failure_until_stopped() -> None:
    stop = asyncio.Event()
    runner = Runner(stop, passes=3)
    with structlog.testing.capture_logs() as logs:
        await asyncio.wait_for(Scheduler(runner, every=0.01).run(stop), 5)  # type: ignore[arg-type]
    assert runner.calls == 3
    assert [entry["event"] for entry in logs] == ["jobs.pass_failed"]
