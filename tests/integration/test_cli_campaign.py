"""`iip campaign create`: a draft campaign whose id is the last line; bad input stores nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.cli import run_cli
from support.tables import count, rows

from bot.cli_campaigns import cli_actor
from bot.domain.ideas import uk_day
from storage import tables
from storage.engine import make_engine

AGENT = "6e2f1b7a-0c4d-4a5e-9f10-2b3c4d5e6f70"
OPENS = uk_day(datetime.now(UTC)) + timedelta(days=7)
CLOSES = OPENS + timedelta(days=30)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db' / 'iip.sqlite3'}"
    monkeypatch.setenv("IIP_DATABASE_URL", url)
    monkeypatch.setenv("IIP_LOG_LEVEL", "WARNING")
    return url


def stored(url: str) -> tuple[list[dict[str, object]], int]:
    """(campaign rows, audit rows) as the database holds them."""

    async def read() -> tuple[list[dict[str, object]], int]:
        engine = make_engine(url)
        try:
            return await rows(engine, tables.campaigns), await count(engine, tables.audit_log)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def create(*extra: str, audience: str = "everyone", opens: str = OPENS.isoformat()) -> int:
    return run_cli(["campaign", "create", "--name", "STAR fund", "--theme", "Research",
                    "--description", "Proposals for the national research fund.",
                    "--opens", opens, "--closes", CLOSES.isoformat(),
                    "--audience", audience, *extra])


def test_a_campaign_is_created_and_its_id_printed_last(
        database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert create("--question", "How much funding is needed?", "--question", "For how long?",
                  "--image", "https://intranet.example.police.uk/star.png") == 0
    out = capsys.readouterr().out.splitlines()
    [campaign], audited = stored(database)
    assert out[-1] == str(campaign["id"])
    assert "Created campaign 'STAR fund' (star-fund) as a draft" in out[0]
    assert (campaign["state"], campaign["audience_kind"], campaign["questions"]) == (
        "draft", "everyone", ["How much funding is needed?", "For how long?"])
    assert campaign["created_by"] == cli_actor() and cli_actor().startswith("cli:")
    assert audited == 1


def test_a_file_audience_is_read_from_the_csv(
        database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    people = tmp_path / "agents.csv"
    people.write_text(f"object_id,name\r\n{AGENT},Alex\r\n", encoding="utf-8-sig")
    assert create(audience=f"file:{people}") == 0
    [campaign], _ = stored(database)
    assert campaign["audience_members"] == [AGENT]
    assert capsys.readouterr().out.splitlines()[-1] == str(campaign["id"])


@pytest.mark.parametrize(("options", "message"), [
    (dict(audience="all"), "The audience 'all' is not one the portal knows."),
    (dict(opens="2020-01-06"), "which has passed"),
    (dict(extra=("--image", "http://x.example/a.png")), "must be a secure web address"),
    (dict(extra=("--question", "a?", "--question", "b?", "--question", "c?", "--question",
                 "d?")), "at most 3 questions"),
    (dict(audience="file:missing.csv"), "missing.csv cannot be read"),
])
def test_bad_input_is_refused_with_exit_2_and_nothing_stored(
        database: str, capsys: pytest.CaptureFixture[str],
        options: dict[str, object], message: str) -> None:
    assert run_cli(["db", "upgrade"]) == 0
    capsys.readouterr()
    extra = options.pop("extra", ())
    assert create(*extra, **options) == 2  # type: ignore[arg-type]
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("iip: the campaign was not created; nothing changed:\n")
    assert message in captured.err
    assert stored(database) == ([], 0)


def test_a_csv_with_malformed_ids_names_its_lines(
        database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    people = tmp_path / "agents.csv"
    people.write_text(f"{AGENT}\nalexw@example.com\n", encoding="utf-8")
    assert create(audience=f"file:{people}") == 2
    assert (f"  - {people}: line 2: 'alexw@example.com' is not an Entra object id (a GUID).\n"
            in capsys.readouterr().err)


def test_a_day_that_is_not_a_day_is_refused_by_the_parser(
        database: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        create(opens="next week")
    assert exited.value.code == 2
    assert "'next week' is not a day; write it like 2027-01-04" in capsys.readouterr().err
