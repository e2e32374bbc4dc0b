"""`iip person export|erase` and `iip idea history` on SQLite and PostgreSQL: what they write,
their confirmation, and their exit codes."""

from __future__ import annotations

import csv
import io
import json
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from support.cli import on_database
from support.decisions import current, decide
from support.organisation import ALEX
from support.personal_data import NAME, PERSON, seed_one_of_everything
from support.tables import count, rows

from bot.app import build_services
from bot.domain.lifecycle import Move
from bot.domain.personal_data import pseudonym_of
from bot.domain.trail import TRAIL_FIELDS
from storage import tables

FORMULA = "=HYPERLINK(\"http://x.example\")"


@pytest.fixture
async def seeded(engine, clock) -> Any:
    services = build_services(engine, clock)
    seed = await seed_one_of_everything(services, engine, clock)
    clock.advance(hours=1)
    await decide(services, ALEX, await current(services, seed.own), Move.UPDATE,
                 message=FORMULA)
    return seed


@pytest.fixture
def iip(database_url, monkeypatch, capsys):
    return on_database(database_url, monkeypatch, capsys)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_the_export_is_written_to_a_new_file_only_its_owner_may_read(
        seeded, iip, tmp_path: Path):
    out = tmp_path / "sar.json"
    code, said, _ = await iip("person", "export", "--aad-id", PERSON, "--output", str(out))
    assert code == 0 and str(out) in said
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["person"]["name"] == NAME
    assert document["ideas"][0]["reference"] == seeded.own.reference
    # Never over a file that exists: nothing is written, and it says why.
    code, _, err = await iip("person", "export", "--aad-id", PERSON, "--output", str(out))
    assert code == 2 and "was not written" in err
    assert json.loads(out.read_text(encoding="utf-8")) == document


async def test_the_export_goes_to_standard_output_without_a_file(seeded, iip):
    code, said, _ = await iip("person", "export", "--aad-id", PERSON)
    assert code == 0 and json.loads(said)["feedback"][0]["rating"] == "4"


@pytest.mark.parametrize("action", [("export",), ("erase", "--yes")])
async def test_what_is_not_an_object_id_is_exit_2_with_the_reason(iip, engine, capsys, action):
    with pytest.raises(SystemExit) as exited:
        await iip("person", *action, "--aad-id", "alex@example.com")
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "'alex@example.com' is not an Entra object id" in captured.err
    assert await count(engine, tables.audit_log) == 0


async def test_erase_without_a_terminal_or_yes_changes_nothing(seeded, iip, engine):
    audited = await count(engine, tables.audit_log)
    code, _, err = await iip("person", "erase", "--aad-id", PERSON)
    assert code == 2 and "pass --yes" in err
    assert await count(engine, tables.audit_log) == audited
    assert await count(engine, tables.people, tables.people.c.name == NAME) == 1


@pytest.mark.parametrize(("answer", "erased"), [("yes", True), ("no", False), ("", False)])
async def test_erase_asks_to_confirm_on_a_terminal(seeded, iip, engine, monkeypatch, answer,
                                                   erased):
    monkeypatch.setattr(sys, "stdin", Terminal(answer + "\n"))
    code, said, err = await iip("person", "erase", "--aad-id", PERSON)
    assert pseudonym_of(PERSON) in err and "cannot be undone" in err
    assert code == (0 if erased else 2)
    assert await count(engine, tables.people, tables.people.c.name == NAME) == (
        0 if erased else 1)
    assert ("Erased" in said) is erased


async def test_erase_with_yes_then_again_changes_nothing_the_second_time(seeded, iip, engine):
    code, said, _ = await iip("person", "erase", "--aad-id", PERSON, "--yes")
    assert code == 0 and f"from now on {pseudonym_of(PERSON)!r}" in said
    assert "feedback" in said and "idea_drafts" in said
    audited = await count(engine, tables.audit_log)
    code, said, _ = await iip("person", "erase", "--aad-id", PERSON, "--yes")
    assert code == 0 and "Nothing about" in said and "nothing changed" in said
    assert await count(engine, tables.audit_log) == audited


async def test_history_as_csv_is_every_entry_in_time_order_with_names(seeded, iip):
    code, said, _ = await iip("idea", "history", seeded.own.reference.lower())
    assert code == 0
    [header, *entries] = list(csv.reader(io.StringIO(said)))
    assert tuple(header) == TRAIL_FIELDS
    table = [dict(zip(header, entry, strict=True)) for entry in entries]
    assert [(e["source"], e["action"]) for e in table] == [
        ("history", "submitted"), ("audit", "idea.submitted"),
        ("history", "allocate"), ("audit", "idea.allocate"),
        ("history", "update"), ("audit", "idea.update")]
    assert [e["at"] for e in table] == sorted(e["at"] for e in table)
    assert (table[0]["actor"], table[0]["actor_name"], table[0]["to_status"]) == (
        PERSON, NAME, "submitted")
    assert (table[2]["actor_name"], table[2]["from_status"], table[2]["to_status"]) == (
        "Alex Wilber", "submitted", "business_assessment")
    assert table[2]["message"].startswith("Thank you")
    # A message a spreadsheet would run as a formula is written as text.
    assert table[4]["message"] == "'" + FORMULA


async def test_history_as_json_has_the_reference_title_and_entries(seeded, iip):
    code, said, _ = await iip("idea", "history", seeded.own.reference, "--format", "json")
    assert code == 0
    trail = json.loads(said)
    assert (trail["reference"], trail["title"]) == (seeded.own.reference,
                                                     "Digital pocket notebooks")
    assert all(set(entry) == set(TRAIL_FIELDS) for entry in trail["entries"])
    assert trail["entries"][4]["message"] == FORMULA
    assert trail["entries"][1]["detail"]["portfolio"] == "local-policing"


async def test_history_after_erasure_names_the_pseudonym(seeded, iip):
    assert (await iip("person", "erase", "--aad-id", PERSON, "--yes"))[0] == 0
    code, said, _ = await iip("idea", "history", seeded.own.reference, "--format", "json")
    assert code == 0
    first = json.loads(said)["entries"][0]
    assert (first["actor"], first["actor_name"]) == (PERSON, pseudonym_of(PERSON))
    assert NAME not in said


@pytest.mark.parametrize(("given", "reason"), [
    ("IIP-2026-9999", "No idea has the reference IIP-2026-9999."),
    ("notebooks", "'notebooks' is not an idea reference"),
])
async def test_history_of_an_unknown_reference_is_exit_2_with_the_reason(
        seeded, iip, engine, given, reason):
    code, said, err = await iip("idea", "history", given)
    assert (code, said) == (2, "") and reason in err
    assert await rows(engine, tables.ideas)  # there are ideas: just not that one
