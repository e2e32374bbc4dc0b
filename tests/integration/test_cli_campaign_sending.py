"""`iip campaign send|cancel|status|resend-failed|list`: what an operator runs and reads; bad
input is exit 2 with a kind message, and changes nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from support.cli import run_cli
from support.tables import rows

from bot.cli_campaigns import cli_actor
from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.ideas import uk_day
from storage import tables
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.outbox import SqlOutboxQueue
from storage.uow import SqlUnitOfWork

T = TypeVar("T")
TENANT = "6b1f0a2c-0000-4000-8000-000000000001"
OPENS = uk_day(datetime.now(UTC)) + timedelta(days=1)
LEASE = timedelta(seconds=60)


def person(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'iip.sqlite3'}"
    monkeypatch.setenv("IIP_DATABASE_URL", url)
    monkeypatch.setenv("IIP_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", TENANT)
    return url


def on_database(url: str, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = make_engine(url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def people_with_the_app(url: str, count: int) -> None:
    async def remember(engine: AsyncEngine) -> None:
        await upgrade(engine)
        async with SqlUnitOfWork(engine) as uow:
            for n in range(1, count + 1):
                await uow.addresses.remember(ConversationAddress(
                    conversation_id=f"a:{n}", kind=ConversationKind.PERSONAL,
                    service_url="https://smba.trafficmanager.net/uk/", tenant_id=TENANT,
                    bot_id="28:bot", object_id=person(n), user_id=f"29:{n}"),
                    datetime.now(UTC))
            await uow.commit()

    on_database(url, remember)


def created(capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert run_cli(["campaign", "create", "--name", "STAR fund", "--theme", "Research",
                    "--description", "Proposals for the research fund.", "--opens",
                    OPENS.isoformat(), "--closes", (OPENS + timedelta(days=30)).isoformat(),
                    "--audience", "everyone", *extra]) == 0
    return capsys.readouterr().out.splitlines()[-1]


def outbox(url: str) -> list[dict[str, Any]]:
    return on_database(url, lambda engine: rows(engine, tables.outbox))


def status(capsys: pytest.CaptureFixture[str], campaign: str) -> dict[str, Any]:
    assert run_cli(["campaign", "status", campaign, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_send_queues_the_call_for_the_bots_tenant_and_status_follows_it(
        database: str, capsys: pytest.CaptureFixture[str]) -> None:
    people_with_the_app(database, 3)
    campaign = created(capsys, "--remind")

    assert run_cli(["campaign", "send", campaign]) == 0

    assert "to 3 recipient(s)" in capsys.readouterr().out
    queued = outbox(database)
    assert {(r["tenant_id"], r["batch"]) for r in queued} == {(TENANT, f"campaign:{campaign}")}
    [stored] = on_database(database, lambda engine: rows(engine, tables.campaigns))
    assert (stored["state"], stored["sent_by"], stored["remind_before_close"]) == (
        "open", cli_actor(), True)
    assert status(capsys, campaign) == {"state": "open", "recipients": 3, "sent": 0,
                                        "failed": 0, "pending": 3, "unreachable": []}


def test_status_lists_the_unreachable_and_resend_failed_skips_them(
        database: str, capsys: pytest.CaptureFixture[str]) -> None:
    people_with_the_app(database, 3)
    campaign = created(capsys)
    assert run_cli(["campaign", "send", campaign]) == 0

    async def outcomes(engine: AsyncEngine) -> None:
        queue = SqlOutboxQueue(engine)
        first, second, third = await queue.claim("w", datetime.now(UTC), 10, LEASE)
        await queue.sent(first.id, "w", datetime.now(UTC), "a:1", "activity-1")
        await queue.dead(second.id, "w", "403: ConversationBlockedByUser", unreachable=True)
        await queue.dead(third.id, "w", "500: InternalServerError")

    on_database(database, outcomes)
    capsys.readouterr()

    assert status(capsys, campaign) == {
        "state": "open", "recipients": 3, "sent": 1, "failed": 2, "pending": 0,
        "unreachable": [{"recipient": person(2), "reason": "403: ConversationBlockedByUser"}]}
    assert run_cli(["campaign", "resend-failed", campaign]) == 0
    assert "Queued 1 failed call(s)" in capsys.readouterr().out
    assert status(capsys, campaign)["pending"] == 1
    assert run_cli(["campaign", "status", campaign]) == 0
    text = capsys.readouterr().out
    assert text.startswith("open: 3 recipient(s), 1 sent, 1 failed, 1 pending.")
    assert f"  {person(2)}: 403: ConversationBlockedByUser" in text


def test_cancel_calls_off_what_is_not_sent_and_a_second_send_is_refused(
        database: str, capsys: pytest.CaptureFixture[str]) -> None:
    people_with_the_app(database, 2)
    campaign = created(capsys)
    assert run_cli(["campaign", "send", campaign]) == 0
    assert run_cli(["campaign", "send", campaign]) == 2
    err = capsys.readouterr().err
    assert err.startswith("iip: campaign send was refused; nothing changed:\n")
    assert "was already sent on" in err and f"by {cli_actor()}" in err

    assert run_cli(["campaign", "cancel", campaign]) == 0

    assert "2 message(s) called off, 0 already sent" in capsys.readouterr().out
    assert sorted(r["state"] for r in outbox(database)) == ["cancelled", "cancelled"]
    assert status(capsys, campaign)["state"] == "cancelled"


def test_list_shows_each_campaign_with_its_numbers(
        database: str, capsys: pytest.CaptureFixture[str]) -> None:
    people_with_the_app(database, 1)
    campaign = created(capsys)
    assert run_cli(["campaign", "send", campaign]) == 0
    capsys.readouterr()

    assert run_cli(["campaign", "list"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{campaign}  star-fund  open  ")
    assert lines[0].endswith("everyone  reached 0, ideas 0")
    assert lines[-1] == "1 campaign(s); 0 people have stopped campaign calls."


@pytest.mark.parametrize(("argv", "message"), [
    (["campaign", "send", "42"], "There is no campaign 42."),
    (["campaign", "cancel", "42"], "There is no campaign 42."),
    (["campaign", "resend-failed", "42"], "There is no campaign 42."),
    (["campaign", "send", "1"], "Nobody has the app yet"),
])
def test_bad_input_is_exit_2_with_a_kind_message_and_nothing_changed(
        database: str, capsys: pytest.CaptureFixture[str], argv: list[str],
        message: str) -> None:
    created(capsys)

    assert run_cli(argv) == 2

    assert message in capsys.readouterr().err
    assert outbox(database) == []


@pytest.mark.parametrize("number", ["x", "-1", "1" * 12])
def test_a_campaign_number_that_is_not_one_is_refused_by_the_parser(
        database: str, capsys: pytest.CaptureFixture[str], number: str) -> None:
    with pytest.raises(SystemExit) as exited:
        run_cli(["campaign", "status", number])
    assert exited.value.code == 2
    assert "is not a campaign's number" in capsys.readouterr().err
