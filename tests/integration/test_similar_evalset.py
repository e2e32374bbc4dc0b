"""The evaluation set that sets similar ideas' thresholds (tests/fixtures/similar): its ideas
import whole through `iip import sharepoint` into the demo organisation, and every query names
an idea that a search can find, so that a score measured on it measures the ranking, not a
broken row."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.cli import on_database
from support.decisions import load_demo_organisation
from support.tables import rows

from bot.app import build_services
from bot.domain.ideas import DeclineReason, Status
from bot.domain.legacy import LIVE_TITLE_LIMIT, ColumnMap, LegacyIdea, check_rows
from bot.domain.similar import query_of, searchable
from storage import tables

SET = Path(__file__).parents[1] / "fixtures" / "similar"

# The force's published split of outcomes (DOMAIN.md), in percent.
PUBLISHED = {
    (Status.APPROVED, None): 17.8,
    (Status.DEFERRED, None): 7.6,
    (Status.DECLINED, DeclineReason.IN_PROGRESS): 15.9,
    (Status.DECLINED, DeclineReason.ALREADY_EXISTS): 12.3,
    (Status.DECLINED, DeclineReason.DUPLICATE): 3.9,
    (Status.DECLINED, DeclineReason.NOT_VIABLE): 32.9,
    (Status.WITHDRAWN, None): 0.6,
    (Status.BUSINESS_ASSESSMENT, None): 8.7,
}

# Rows that repeat an earlier idea under another outcome than "duplicate" (its README lists
# them): a later copy declined as already in progress, or withdrawn by its contributor.
REPEATS = {"357": "343", "141": "84", "211": "120", "355": "307"}


def table(name: str) -> list[dict[str, str]]:
    """A file of the set as its rows (the ideas as SharePoint writes them, with a BOM)."""
    with (SET / name).open(encoding="utf-8-sig", newline="") as lines:
        return list(csv.DictReader(lines))


def read_ideas() -> list[LegacyIdea]:
    """The ideas as the import reads them, every row valid."""
    with (SET / "ideas.csv").open(encoding="utf-8-sig", newline="") as lines:
        checked = check_rows(lines, ColumnMap(), datetime.now(UTC))
    assert checked.problems == []
    return checked.ideas


def words(text: str) -> str:
    return " ".join(text.casefold().split())


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):
    return on_database(database_url, monkeypatch, capsys)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_every_idea_imports_and_every_query_names_one_a_search_can_find(
        cli, engine, clock):
    await load_demo_organisation(build_services(engine, clock))
    code, out, err = await cli("import", "sharepoint", str(SET / "ideas.csv"))
    assert (code, err) == (0, "")
    listed = table("ideas.csv")
    assert f"ideas.csv: {len(listed)} idea(s) imported." in out
    # Nothing set aside or noted: every category and portfolio is the demo organisation's,
    # every title fits a new idea's, every duplicate names a row of the list.
    assert "note:" not in out and "new categories" not in out and "new portfolios" not in out
    assert "longer than a new idea's" not in out and "names no item" not in out

    ideas = {idea["legacy_id"]: idea for idea in await rows(engine, tables.ideas)}
    assert set(ideas) == {row["ID"] for row in listed}
    assert {idea["category_key"] for idea in ideas.values()} <= {
        "process", "technology", "wellbeing", "public-service", "cost"}
    by_reference = {idea["reference"]: idea for idea in ideas.values()}
    duplicates = [idea for idea in ideas.values() if idea["decline_reason"] == "duplicate"]
    assert duplicates and all(idea["duplicate_of"] in by_reference for idea in duplicates)
    # An idea some other row of the list repeats would make the top result ambiguous.
    repeated = {by_reference[idea["duplicate_of"]]["legacy_id"] for idea in duplicates}
    assert all(ideas[copy]["submitted_at"] > ideas[first]["submitted_at"]
               for copy, first in REPEATS.items())
    repeated |= {*REPEATS, *REPEATS.values()}

    for row in table("pairs.csv"):
        expected = ideas.get(row["expected_id"])
        assert expected is not None, row
        assert expected["status"] != "withdrawn", row
        assert expected["decline_reason"] != "duplicate", row
        assert row["expected_id"] not in repeated, row
    for row in table("near_misses.csv"):
        resembled = ideas.get(row["shares_words_with"])
        assert resembled is not None and resembled["status"] != "withdrawn", row


def test_the_set_is_as_large_as_its_measures_need():
    ideas, pairs, near_misses = (table(name) for name in
                                 ("ideas.csv", "pairs.csv", "near_misses.csv"))
    assert len(ideas) >= 320
    assert len(pairs) >= 70
    assert len(near_misses) >= 40
    assert list(pairs[0]) == ["query_title", "query_problem", "expected_id", "note"]
    assert list(near_misses[0]) == ["query_title", "query_problem", "shares_words_with",
                                    "note"]


def test_its_outcomes_follow_the_forces_published_split():
    ideas = read_ideas()
    split = Counter((idea.status, idea.decline_reason) for idea in ideas)
    assert set(split) == set(PUBLISHED)
    for status, share in PUBLISHED.items():
        assert abs(100 * split[status] / len(ideas) - share) < 0.5, status


def test_no_query_repeats_its_source_and_each_says_enough_to_search_on():
    ideas = {row["ID"]: row for row in table("ideas.csv")}
    for row in table("pairs.csv"):
        source = ideas[row["expected_id"]]
        assert words(row["query_title"]) != words(source["Title"]), row
        assert words(row["query_problem"]) != words(source["Problem"]), row
    for row in [*table("pairs.csv"), *table("near_misses.csv")]:
        assert 0 < len(row["query_title"]) <= LIVE_TITLE_LIMIT, row
        assert searchable(query_of(row["query_title"], row["query_problem"])) is not None, row
    queries = [words(row["query_title"]) for row in [*table("pairs.csv"),
                                                      *table("near_misses.csv")]]
    assert len(set(queries)) == len(queries)


def test_the_ideas_file_is_in_the_form_sharepoint_exports():
    """UTF-8 with a byte-order mark and Windows line endings, as "Export to CSV" writes."""
    raw = (SET / "ideas.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\n") == raw.count(b"\r\n") > 320
