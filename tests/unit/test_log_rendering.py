"""What a rendered log line may hold: exceptions by type and place, never their messages;
the bot's secrets blanked out; a card's names only when shaped like the bot's own."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from bot.logs import REDACTED, configure_logging, loggable_name


@pytest.fixture
def rendered() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("INFO", "json", secrets=["app-password-1234", "short"], stream=stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_an_exception_is_logged_by_type_and_place_without_its_message(rendered):
    typed = "Pat's idea about " + "lockers"  # so that no line of source holds it whole
    try:
        try:
            {"known": 1}[typed]
        except KeyError as missing:
            raise ValueError(f"could not read {typed!r}") from missing
    except ValueError:
        structlog.get_logger("test").exception("turn.failed")
        logging.getLogger("aiohttp.server").exception("Error handling request")

    ours, library = lines(rendered)
    for line in (ours, library):
        assert "lockers" not in json.dumps(line)
        trace = line["exception"]
        assert trace.index("KeyError") < trace.index("direct cause") < trace.index("ValueError")
        assert "test_an_exception_is_logged_by_type_and_place_without_its_message" in trace


def test_the_bots_secrets_are_blanked_out_of_any_line(rendered):
    structlog.get_logger("test").warning("odd", note="sent app-password-1234 by mistake",
                                         quoted='"app-password-1234"', other="short words")

    [line] = lines(rendered)
    assert line["note"] == f"sent {REDACTED} by mistake"
    assert line["quoted"] == f'"{REDACTED}"'
    assert line["other"] == "short words"  # too short to be looked for


@pytest.mark.parametrize(("sent", "logged"), [
    ("idea.submit", "idea.submit"), ("campaign.idea", "campaign.idea"),
    ("adaptiveCard/action", "adaptiveCard/action"),
    ("Pat thinks the lockers are too few", "(not a name)"), ("x" * 65, "(not a name)"),
    ({"action": "idea.submit"}, "(not a name)"), (None, "(none)"),
])
def test_a_cards_name_is_logged_only_when_shaped_like_the_bots_own(sent, logged):
    assert loggable_name(sent) == logged


async def test_each_pass_of_a_scheduled_job_logs_under_its_own_run_id(rendered):
    import asyncio

    from bot.services.jobs import repeat

    stop = asyncio.Event()
    passes = 0

    async def work() -> None:
        nonlocal passes
        passes += 1
        structlog.get_logger("test").info("jobs.queued", messages=passes)
        if passes == 2:
            stop.set()
            raise ConnectionError("the database is down")

    await asyncio.wait_for(repeat(work, 0.01, stop, failed="jobs.pass_failed"), 5)

    first, second, failed = lines(rendered)
    assert [line["event"] for line in (first, second, failed)] == [
        "jobs.queued", "jobs.queued", "jobs.pass_failed"]
    assert {line["job"] for line in (first, second, failed)} == {"jobs.pass"}
    assert first["job_run"] != second["job_run"] == failed["job_run"]


async def test_asyncio_s_report_of_a_failed_task_keeps_only_its_first_line(rendered):
    import asyncio

    typed = "Pat's idea about " + "lockers"

    class Task:
        def __repr__(self) -> str:
            return f"<Task finished exception=ValueError({typed!r})>"

    try:
        raise ValueError(typed)
    except ValueError as error:
        asyncio.get_running_loop().default_exception_handler({
            "message": "Task exception was never retrieved", "exception": error,
            "future": Task()})

    [line] = lines(rendered)
    assert line["event"] == "Task exception was never retrieved"
    assert "lockers" not in json.dumps(line) and line["exception"].endswith("ValueError")
