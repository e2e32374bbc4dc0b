"""The register of known initiatives' rules: each field with its kind refusal, every problem at
once, stages in the words registers use, and a register's CSV read row by row."""

from __future__ import annotations

import io

import pytest

from bot.domain.initiatives import (
    DESCRIPTION_LIMIT,
    TITLE_LIMIT,
    InitiativeForm,
    InitiativeRequest,
    InvalidInitiative,
    Stage,
    check_form,
    check_register,
    format_reference,
    parse_stage,
)

PORTFOLIOS = {"local-policing": "Local Policing",
              "digital-and-data": "Digital, Data and Technology"}
GOOD = InitiativeForm(title="Body-worn video for response", description="Every response "
                      "officer gets a camera.", stage="under_way", portfolio="local-policing",
                      contact="BWV team", link="https://intranet.example/bwv")


def problems_of(form: InitiativeForm) -> list[str]:
    with pytest.raises(InvalidInitiative) as refused:
        check_form(form, PORTFOLIOS)
    return refused.value.problems


def test_a_good_form_is_kept_cleaned():
    request = check_form(InitiativeForm(
        title="  Body-worn video\u200b for response ", description="Cameras.\r\n\r\n\r\n\r\nAll",
        stage="In progress", portfolio="Digital, Data and Technology"), PORTFOLIOS)
    assert request == InitiativeRequest(title="Body-worn video for response",
                                        description="Cameras.\n\nAll", stage=Stage.UNDER_WAY,
                                        portfolio_key="digital-and-data")


def test_every_problem_is_named_at_once():
    problems = problems_of(InitiativeForm(title="", description="x" * (DESCRIPTION_LIMIT + 1),
                                          stage="maybe", portfolio="Marine Unit",
                                          link="http://intranet.example/bwv"))
    assert len(problems) == 5
    title, description, stage, portfolio, link = problems
    assert "The title is empty" in title
    assert f"the limit is {DESCRIPTION_LIMIT:,}" in description
    assert "'maybe' is not a stage" in stage and "Under way" in stage
    assert "no portfolio 'Marine Unit'" in portfolio and "Local Policing" in portfolio
    assert "https://" in link


@pytest.mark.parametrize("link", [
    "http://intranet.example/x", "javascript:alert(1)", "https://", "https:///path",
    "https://intra net.example/x", "ftp://intranet.example", "intranet.example/x",
    "https://" + "x" * 500])
def test_links_must_be_secure_web_addresses(link: str):
    assert any("link" in problem for problem in problems_of(GOOD.__class__(
        title=GOOD.title, description=GOOD.description, stage="exists", link=link)))


def test_the_title_has_its_limit_and_optional_fields_may_be_empty():
    assert any(f"the limit is {TITLE_LIMIT}" in p for p in problems_of(InitiativeForm(
        title="x" * (TITLE_LIMIT + 1), description="d", stage="exists")))
    bare = check_form(InitiativeForm(title="t", description="d", stage="exists"), PORTFOLIOS)
    assert (bare.portfolio_key, bare.contact, bare.link) == (None, None, None)


def test_no_portfolio_can_be_named_before_the_organisation_is_loaded():
    with pytest.raises(InvalidInitiative) as refused:
        check_form(GOOD, {})
    assert "not loaded" in refused.value.problems[0]


@pytest.mark.parametrize(("words", "stage"), [
    ("In progress", Stage.UNDER_WAY), ("UNDER WAY", Stage.UNDER_WAY),
    ("under_way", Stage.UNDER_WAY),
    ("Underway", Stage.UNDER_WAY), ("in-flight", Stage.UNDER_WAY), ("Exists", Stage.EXISTS),
    ("Live", Stage.EXISTS), ("already exists", Stage.EXISTS), ("In place", Stage.EXISTS),
    ("BAU", Stage.EXISTS)])
def test_stages_in_the_words_registers_use(words: str, stage: Stage):
    assert parse_stage(words) is stage


def test_references_are_four_digits_at_least():
    assert format_reference(1) == "INI-0001"
    assert format_reference(12345) == "INI-12345"


def register(text: str) -> object:
    return check_register(io.StringIO(text, newline=""), PORTFOLIOS)


def test_a_register_reads_with_any_column_order_and_case_windows_endings_and_quoted_newlines():
    checked = check_register(io.StringIO(
        " stage ,TITLE,Description,id,Portfolio,Link,Contact,,\r\n"
        'Live,ANPR on MDTs,"Alerts reach\r\nthe car",R-1,Local Policing,,,,\r\n'
        ",,,,,,,,\r\n"
        "In progress,BWV,Cameras for all,R-2,,https://intranet.example/bwv,Sam,,\r\n",
        newline=""), PORTFOLIOS)
    assert checked.problems == []
    first, second = checked.rows
    assert (first.row, first.source_key, first.initiative.stage) == (2, "R-1", Stage.EXISTS)
    assert first.initiative.description == "Alerts reach\nthe car"
    assert first.initiative.portfolio_key == "local-policing"
    assert (second.row, second.initiative.link, second.initiative.contact) == (
        4, "https://intranet.example/bwv", "Sam")


def test_every_bad_row_is_named_with_its_row_and_column_and_repeated_ids_are_refused():
    checked = check_register(io.StringIO(
        "ID,Title,Description,Stage\n"
        "A,Good,Fine,Live\n"
        ",No id,Fine,Live\n"
        "B,Bad stage,Fine,Soon\n"
        "C,Repeated,Fine,Live\n"
        "C,Repeated again,,Live\n"
        "D,Too wide,Fine,Live,extra\n", newline=""), PORTFOLIOS)
    assert [row.source_key for row in checked.rows] == ["A"]
    assert checked.rejected == 5
    said = [str(problem) for problem in checked.problems]
    assert said[0].startswith("row 3, ID: it is empty")
    assert said[1].startswith("row 4, Stage: 'Soon' is not a stage")
    assert "row 5, ID: ID 'C' is on row 6 too; every initiative of the register has its own." \
        in said
    assert "row 6, Description: The description is empty. Please write a few words." in said
    assert "row 6, ID: ID 'C' is on row 5 too; every initiative of the register has its own." \
        in said
    assert said[-1] == "row 7: it has 5 values but the header names 4 columns."


@pytest.mark.parametrize(("text", "said"), [
    ("", "it is empty"),
    ("ID,Title,Stage\n", "no 'Description' column"),
    ("ID,Title,Title,Description,Stage\n", "names 'Title' more than once"),
])
def test_a_header_that_is_no_registers_stops_the_reading(text: str, said: str):
    checked = check_register(io.StringIO(text, newline=""), PORTFOLIOS)
    assert not checked.readable and checked.rows == []
    assert said in str(checked.problems[0])


def test_a_field_far_past_its_limit_is_not_read():
    checked = check_register(io.StringIO(
        "ID,Title,Description,Stage\nA,Title," + "d" * 10_000 + ",Live\n", newline=""),
        PORTFOLIOS)
    assert checked.rows == []
    assert "10,000 characters long; at most 2,000 are taken" in str(checked.problems[0])


def test_a_register_past_the_row_cap_is_refused_whole(monkeypatch: pytest.MonkeyPatch):
    from bot.domain import initiatives

    monkeypatch.setattr(initiatives, "MAX_ROWS", 2)
    checked = check_register(io.StringIO(
        "ID,Title,Description,Stage\n" + "".join(f"{n},T,D,Live\n" for n in range(3)),
        newline=""), PORTFOLIOS)
    assert not checked.readable
    assert "it has more than 2 rows; split it and import each part." in str(checked.problems)
