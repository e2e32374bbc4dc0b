"""`iip similar "TEXT"` and `iip similar reindex` on SQLite and PostgreSQL: the earlier list
imported and indexed, then searched as operators search it (every idea whatever its visibility,
and the known initiatives; never a withdrawn idea or a retired initiative); bad input and bad
options; re-indexing that resumes, notices stale text, and never undoes a newer document."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine
from support.cli import on_database, run_cli
from support.tables import rows

from bot.domain.similar import MatchKind
from bot.services.similar_reindex import Reindexing
from storage import tables
from storage.match_reindex import digest_of
from storage.uow import unit_of_work_factory

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sharepoint"
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):
    """`iip ARGS` on the test's database, with the sentence model off (characters only)."""
    monkeypatch.setenv("IIP_SIMILAR_MODEL", "off")
    return on_database(database_url, monkeypatch, capsys)


async def add_initiative(engine: AsyncEngine, reference: str, title: str, description: str,
                         *, active: bool = True) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(tables.initiatives).values(
            reference=reference, title=title, description=description, stage="exists",
            active=active, created_at=NOW, updated_at=NOW, updated_by="pmo"))


@pytest.fixture
async def indexed(cli, engine: AsyncEngine, tmp_path: Path) -> dict[str, str]:
    """The list's crafted export imported (every status, private as every imported idea is),
    two initiatives (one retired), all indexed: references by the list's ID."""
    export = tmp_path / "every-status.csv"
    shutil.copyfile(FIXTURES / "every-status.csv", export)
    assert (await cli("import", "sharepoint", str(export)))[0] == 0
    await add_initiative(engine, "INI-0001", "Handheld fingerprint scanners",
                         "Officers confirm who someone is at the roadside with a handheld "
                         "fingerprint scanner linked to the national database.")
    await add_initiative(engine, "INI-0002", "Fingerprint scanner pilot on response",
                         "A handheld fingerprint scanner pilot for response officers at the "
                         "roadside.", active=False)
    code, out, err = await cli("similar", "reindex")
    assert (code, err) == (0, "")
    # Every idea but the withdrawn one, and the active initiative.
    assert out == "Indexed 13 idea(s) and initiative(s) with the model off (characters only).\n"
    return {row["legacy_id"]: row["reference"] for row in await rows(engine, tables.ideas)}


async def found(cli, *argv: str) -> list[dict[str, Any]]:
    code, out, err = await cli("similar", *argv, "--format", "json")
    assert (code, err) == (0, "")
    return json.loads(out)


async def test_operators_find_every_idea_and_initiative_best_first(cli, indexed):
    matches = await found(cli, "Radio batteries die half way through the night shift",
                          "--limit", "5")
    assert matches[0]["reference"] == indexed["101"]
    assert all(set(m) == {"reference", "title", "status", "kind", "score"} for m in matches)
    assert matches[0]["title"] == "Radio handsets that hold a charge"
    assert matches[0]["kind"] == "idea"
    assert matches[0]["status"] and isinstance(matches[0]["status"], str)
    scores = [m["score"] for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(score == round(score, 3) and 0 < score <= 1 for score in scores)

    code, out, _ = await cli("similar", "Radio batteries die half way through the night shift")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["reference", "score", "kind", "status", "title"]
    assert lines[1].startswith(indexed["101"]) and "Radio handsets that hold a charge" in lines[1]
    assert 1 <= len([line for line in lines if line.startswith("IIP-")]) <= 3


async def test_initiatives_are_found_but_not_retired_ones_nor_withdrawn_ideas(cli, indexed):
    matches = await found(cli, "Handheld fingerprint scanners to check identity at the "
                               "roadside", "--limit", "20")
    assert (matches[0]["reference"], matches[0]["kind"]) == ("INI-0001", "initiative")
    assert "INI-0002" not in {m["reference"] for m in matches}

    withdrawn = indexed["109"]  # "Car sharing to training days", withdrawn
    matches = await found(cli, "Car sharing to training days because everyone drives alone",
                          "--limit", "20")
    assert withdrawn not in {m["reference"] for m in matches}


@pytest.mark.parametrize("text", ["", "   ", "hi", "radio", "IIP-2024-0001", "🚓 🚓 🚓",
                                  "\x00\x07\x1b[2J"])
async def test_text_that_says_too_little_finds_nothing_and_is_no_error(cli, indexed, text):
    code, out, err = await cli("similar", text)
    assert (code, err) == (0, "")
    assert out.startswith("Nothing found")
    assert await found(cli, text) == []


async def test_nothing_like_the_text_says_so(cli, indexed):
    code, out, err = await cli("similar", "Zebra xylophone quartet juggling marmalade")
    assert (code, out, err) == (0, "Nothing found.\n", "")


@pytest.mark.parametrize("limit", ["0", "21", "-3", "three", "1.5"])
async def test_a_limit_outside_one_to_twenty_is_refused_with_the_reason(
        database_url, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        limit: str):
    monkeypatch.setenv("IIP_DATABASE_URL", database_url)
    with pytest.raises(SystemExit) as exited:
        run_cli(["similar", "Radio batteries die on nights", "--limit", limit])
    assert exited.value.code == 2
    assert "is not a whole number from 1 to 20; give --limit between them." \
        in capsys.readouterr().err


async def test_options_of_the_other_kind_are_refused(cli, indexed):
    code, out, err = await cli("similar", "reindex", "--limit", "3")
    assert (code, out) == (2, "")
    assert "--limit and --format are for a search" in err
    code, out, err = await cli("similar", "Radio batteries die on nights", "--batch", "10")
    assert (code, out) == (2, "")
    assert "--batch is for `iip similar reindex`" in err


async def test_reindexing_again_has_nothing_to_do_until_a_text_changes(cli, engine, indexed):
    code, out, _ = await cli("similar", "reindex")
    assert (code, out) == (0, "The index is up to date (with the model off (characters only)): "
                              "nothing to do.\n")
    async with engine.begin() as connection:
        await connection.execute(update(tables.ideas).where(tables.ideas.c.legacy_id == "108")
                                 .values(title="Drones to search for missing people"))
    assert (await cli("similar", "reindex", "--batch", "1"))[1] == (
        "Indexed 1 idea(s) and initiative(s) with the model off (characters only).\n")
    matches = await found(cli, "Drones to search for missing people on the moors")
    assert matches[0]["reference"] == indexed["108"]
    audit = await rows(engine, tables.audit_log, tables.audit_log.c.action == "similar.reindexed")
    assert [(a["actor"], a["detail"]["documents"]) for a in audit][-1] == (
        "system:iip similar reindex", 1)


class Ranker:
    """Vectors of a model named `model` (all alike: what is written is what is checked)."""

    def __init__(self, model: str | None) -> None:
        self.model = model

    async def embed(self, texts: Sequence[str]) -> list[bytes] | None:
        return None if self.model is None else [b"\x00\x00\x80\x3f" for _ in texts]


class Clock:
    def now(self) -> datetime:
        return NOW


async def test_a_run_stopped_part_way_resumes_and_a_new_model_indexes_all_again(
        engine, indexed):
    uow = unit_of_work_factory(engine)
    model = Reindexing(uow, Clock(), Ranker("a-model"))
    # Every document was made with the model off: all are stale for a model.
    stale = await model.stale()
    assert len(stale) == 13
    # Stopped after two batches of three: the next run has only the rest to do.
    done = await model.index(stale[:6], actor="test", batch=3)
    assert (done.written, done.left) == (6, 0)
    assert await model.stale() == stale[6:]
    done = await model.index(await model.stale(), actor="test")
    assert (done.written, await model.stale()) == (7, [])
    documents = await rows(engine, tables.match_documents)
    assert {(d["model"], d["vector"]) for d in documents} == {("a-model", b"\x00\x00\x80\x3f")}
    # With the model off, documents a model made will do: nothing to do.
    assert await Reindexing(uow, Clock(), Ranker(None)).stale() == []


async def test_a_document_indexed_meanwhile_is_left_as_the_bot_wrote_it(engine, indexed):
    uow = unit_of_work_factory(engine)
    idea_id = next(row["id"] for row in await rows(engine, tables.ideas)
                   if row["legacy_id"] == "101")
    async with uow() as unit:
        [read] = await unit.match_reindex.documents([(MatchKind.IDEA, idea_id)])
    # The contributor edits the idea and the bot indexes it, between reading and writing.
    newer = "Radio handsets that hold a charge\nA newer text."
    async with engine.begin() as connection:
        await connection.execute(
            update(tables.match_documents)
            .where(tables.match_documents.c.item_id == idea_id,
                   tables.match_documents.c.kind == "idea")
            .values(text=newer, digest=digest_of(newer)))
    async with uow() as unit:
        assert await unit.match_reindex.put([read], NOW) == 0
        await unit.commit()
    [document] = await rows(engine, tables.match_documents,
                            tables.match_documents.c.item_id == idea_id,
                            tables.match_documents.c.kind == "idea")
    assert document["text"] == newer
