"""The scheduler's loop: a pass at once, then one every interval until told to stop; a pass
that fails is logged and the next one tries again."""

from __future__ import annotations

import asyncio

import structlog

from bot.services.jobs import MIN_WAIT_SECONDS, Scheduler, repeat


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


async def test_a_loop_wakes_sooner_when_something_is_due_before_its_interval() -> None:
    stop = asyncio.Event()
    runs: list[float] = []
    loop = asyncio.get_running_loop()

    async def work() -> None:
        runs.append(loop.time())
        if len(runs) == 3:
            stop.set()

    # Due in 0.1 s, then already due (a floor keeps it from spinning): never the 60 s.
    dues = iter([0.1, -5.0])
    await asyncio.wait_for(repeat(work, 60, stop, failed="x.failed",
                                  sooner=lambda: next(dues, None)), 5)

    first, second, third = runs
    assert 0.09 <= second - first < 1
    assert MIN_WAIT_SECONDS - 0.01 <= third - second < 1
