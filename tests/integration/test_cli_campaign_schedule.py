"""`iip campaign schedule ID --at "…"` in UK time, and `iip jobs run-due` sending the call once
its moment has come (where the scheduler runs from cron); a schedule in the past or junk
changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from support.cli import run_cli
from support.tables import rows
from test_cli_campaign_sending import (
    OPENS,
    TENANT,
    created,
    database,
    on_database,
    outbox,
    people_with_the_app,
)

from bot.cli_campaigns import cli_actor
from bot.domain.ideas import LONDON
from storage import tables

__all__ = ["database"]  # the fixture, shared with the sending commands' tests


def campaign_row(url: str) -> dict[str, object]:
    [row] = on_database(url, lambda engine: rows(engine, tables.campaigns))
    return row


def test_a_call_scheduled_in_uk_time_is_sent_by_the_next_pass_after_its_moment(
        database: str, capsys: pytest.CaptureFixture[str]) -> None:
    people_with_the_app(database, 2)
    campaign = created(capsys)
    day = OPENS + timedelta(days=3)
    moment = datetime.combine(day, time(9, 0), tzinfo=LONDON).astimezone(UTC)

    assert run_cli(["campaign", "schedule", campaign, "--at", f"{day} 09:00"]) == 0

    assert f"for {day.day} {day:%B %Y} at 09:00 (UK time)" in capsys.readouterr().out
    row = campaign_row(database)
    assert (row["state"], row["scheduled_at"], row["scheduled_by"]) == (
        "scheduled", moment, cli_actor())
    before = (moment - timedelta(seconds=1)).isoformat()
    assert run_cli(["jobs", "run-due", "--now", before]) == 0
    assert "Campaigns: 0 scheduled call(s) sent" in capsys.readouterr().out
    assert outbox(database) == []

    assert run_cli(["jobs", "run-due", "--now", moment.isoformat()]) == 0

    assert "Campaigns: 1 scheduled call(s) sent" in capsys.readouterr().out
    queued = outbox(database)
    # Sent as the command line sends it: to the bot's tenant, no one's chat following it.
    assert {(r["batch"], r["tenant_id"]) for r in queued} == {(f"campaign:{campaign}", TENANT)}
    assert len(queued) == 2
    assert campaign_row(database)["state"] == "open"


@pytest.mark.parametrize(("at", "words"), [
    ("2020-01-06 09:00", "has passed"),
    (f"{OPENS + timedelta(days=31)} 09:00", "after the campaign closes"),
])
def test_a_schedule_that_cannot_be_kept_is_refused_with_exit_2(
        database: str, capsys: pytest.CaptureFixture[str], at: str, words: str) -> None:
    campaign = created(capsys)

    assert run_cli(["campaign", "schedule", campaign, "--at", at]) == 2

    err = capsys.readouterr().err
    assert "the campaign was not scheduled; nothing changed" in err and words in err
    assert campaign_row(database)["state"] == "draft"


def test_a_moment_that_is_not_one_is_an_argument_error(
        database: str, capsys: pytest.CaptureFixture[str]) -> None:
    campaign = created(capsys)
    with pytest.raises(SystemExit):
        run_cli(["campaign", "schedule", campaign, "--at", "next tuesday"])
    assert "is not a moment" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_cli(["campaign", "schedule", "x" * 100, "--at", "2027-01-01 09:00"])
