"""What an operator does about the outbox from the command line, on each database: sees which
destinations are paused (`iip outbox status`), gives one up for good (`iip outbox drop`),
and scrapes a separate `iip outbox run` process's metrics (`--metrics-port`)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from support.cli import on_database
from support.connector import forbidden
from support.news_channel import NEWS, news_channel_known, post, queue
from support.playground_stack import free_port
from support.teams_connector import TeamsConnector

from bot.app import build_worker
from bot.config import Settings
from bot.domain.breakers import DROPPED
from bot.services.clock import SystemClock
from storage import tables

PROJECT_ROOT = Path(__file__).parents[2]
REMOVED = forbidden("BotNotInConversationRoster", "The bot is not part of the roster")


async def rows(engine: AsyncEngine, table: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        return [dict(r) for r in (await connection.execute(select(table))).mappings()]


async def news_channel_paused(engine: AsyncEngine, database_url: str,
                              connector: TeamsConnector) -> None:
    """Three posts to the news channel, which refused the first: all three wait."""
    await news_channel_known(engine, connector.url)
    connector.refuse(NEWS, REMOVED)
    await queue(engine, post("recognition:1"), post("recognition:2"), post("recognition:3"))
    async with aiohttp.ClientSession() as session:
        await build_worker(engine, Settings(database_url=database_url), SystemClock(),
                           session).run_until_empty()


async def test_status_lists_a_paused_destination_and_drop_gives_it_up_audited(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
):
    iip = on_database(database_url, monkeypatch, capsys)
    await news_channel_paused(engine, database_url, connector)

    code, out, _ = await iip("outbox", "status")
    assert code == 0
    assert "paused destinations: 1" in out and "  the news channel" in out
    assert f"conversation  {NEWS}" in out and "BotNotInConversationRoster" in out
    assert "failures      1" in out and "messages held 3" in out
    assert "UK time" in out.split("next probe")[1].splitlines()[0]

    # Not on a terminal and without --yes: refused kindly, nothing changed.
    code, _, err = await iip("outbox", "drop", "--conversation", NEWS)
    assert code == 2 and "pass --yes" in err and "Nothing changed" in err
    assert len(await rows(engine, tables.delivery_breakers)) == 1

    code, out, _ = await iip("outbox", "drop", "--conversation", NEWS, "--yes")
    assert code == 0
    assert f"Dropped {NEWS}: 3 message(s) given up, and its pause ended." in out
    posts = await rows(engine, tables.outbox)
    assert [(p["state"], p["last_error"]) for p in posts
            if p["dedupe_key"].startswith("recognition:")] == [("dead", DROPPED)] * 3
    assert await rows(engine, tables.delivery_breakers) == []
    (audit,) = [a for a in await rows(engine, tables.audit_log)
                if a["action"] == "outbox.destination_given_up"]
    assert audit["actor"].startswith("cli:") and audit["subject"] == NEWS
    assert audit["detail"]["messages"] == 3 and audit["detail"]["reason"] == DROPPED

    code, out, _ = await iip("outbox", "status")
    assert "paused destinations: none" in out
    # Dropping it again changes nothing, and says so.
    code, out, _ = await iip("outbox", "drop", "--conversation", NEWS, "--yes")
    assert code == 0 and "nothing changed" in out
    assert len([a for a in await rows(engine, tables.audit_log)
                if a["action"] == "outbox.destination_given_up"]) == 1


async def test_drop_refuses_a_conversation_id_that_is_no_id(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
):
    iip = on_database(database_url, monkeypatch, capsys)
    with pytest.raises(SystemExit) as exited:
        await iip("outbox", "drop", "--conversation", "  ", "--yes")
    assert exited.value.code == 2
    assert "as `iip outbox status` lists it" in capsys.readouterr().err


async def scrape(url: str, token: str | None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as answer:
        return answer.status, await answer.text()


async def test_a_separate_outbox_process_serves_its_metrics_behind_the_token(
    engine: AsyncEngine, database_url: str, connector: TeamsConnector, tmp_path: Path,
):
    await news_channel_known(engine, connector.url)
    await queue(engine, post("recognition:1"))
    port = free_port()
    log = tmp_path / "outbox.log"
    env = {**os.environ, "IIP_DATABASE_URL": database_url, "IIP_LOG_LEVEL": "WARNING",
           "IIP_METRICS_TOKEN": "scrape-me", "IIP_HOST": "127.0.0.1"}
    with log.open("wb") as output:
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "outbox", "run", "--metrics-port", str(port),
            cwd=PROJECT_ROOT, env=env, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        text = ""
        for _ in range(300):  # the process starts, then sends the post
            try:
                status, text = await scrape(url, "scrape-me")
            except aiohttp.ClientConnectionError:
                status = 0
            # The send is counted as it is answered, the row marked sent just after.
            if (status == 200 and 'iip_outbox_sends_total{status="sent"} 1.0' in text
                    and "iip_outbox_pending 0.0" in text):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"no scrape counted the send: {text or log.read_text()}")
        assert "iip_outbox_dead 0.0" in text
        assert (await scrape(url, None))[0] == 401
        assert (await scrape(url, "wrong"))[0] == 401
    finally:
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(worker.wait(), 20) == 0, log.read_text()
    assert [r.status for r in connector.to(NEWS)] == [200]
