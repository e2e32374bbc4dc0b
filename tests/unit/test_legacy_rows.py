"""Reading the SharePoint list's export: every status spelling, both date forms, the clock
changes, every problem with its row and column, the caps, the map of headers."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.domain import legacy
from bot.domain.errors import InvalidText
from bot.domain.ideas import DeclineReason, Status
from bot.domain.legacy import Column, ColumnMap, check_rows, parse_map, parse_when, slug
from bot.domain.profile import NOT_RECORDED, PREFER_NOT

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sharepoint"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
HEADER = ",".join(column.value for column in Column)


def checked_file(name: str, columns: ColumnMap | None = None) -> legacy.Checked:
    with (FIXTURES / name).open(encoding="utf-8-sig", newline="") as lines:
        return check_rows(lines, columns or ColumnMap(), NOW)


def checked_text(*rows: str, header: str = HEADER) -> legacy.Checked:
    return check_rows(io.StringIO("\r\n".join([header, *rows]) + "\r\n", newline=""),
                      ColumnMap(), NOW)


def row(**values: str) -> str:
    """A row of the default columns: a valid submitted idea unless `values` say otherwise."""
    given = {"ID": "1", "Title": "An idea", "Status": "Submitted",
             "Created": "31/01/2025 14:05"} | {k.replace("_", " "): v for k, v in values.items()}
    return ",".join(f'"{given.get(column.value, "")}"' for column in Column)


@pytest.mark.parametrize(("spelling", "status", "reason"), [
    ("Approved", Status.APPROVED, None),
    ("Deferred", Status.DEFERRED, None),
    ("Declined (in progress already)", Status.DECLINED, DeclineReason.IN_PROGRESS),
    ("Declined - In progress already", Status.DECLINED, DeclineReason.IN_PROGRESS),
    ("Declined: in progress already", Status.DECLINED, DeclineReason.IN_PROGRESS),
    ("Declined (already exists)", Status.DECLINED, DeclineReason.ALREADY_EXISTS),
    ("Declined (duplicate)", Status.DECLINED, DeclineReason.DUPLICATE),
    ("Declined (not viable)", Status.DECLINED, DeclineReason.NOT_VIABLE),
    ("Withdrawn", Status.WITHDRAWN, None),
    ("Business assessment", Status.BUSINESS_ASSESSMENT, None),
    ("Submitted", Status.SUBMITTED, None),
    ("Escalated", Status.ESCALATED, None),
    ("Delivered", Status.DELIVERED, None),
    ("  DECLINED  --  not   viable. ", Status.DECLINED, DeclineReason.NOT_VIABLE),
    ("business_assessment", Status.BUSINESS_ASSESSMENT, None),
])
def test_every_status_spelling_the_list_used(spelling: str, status: Status,
                                             reason: DeclineReason | None):
    checked = checked_text(row(Status=spelling, First_Response="01/02/2025"))
    assert checked.problems == []
    assert (checked.ideas[0].status, checked.ideas[0].decline_reason) == (status, reason)


def test_the_crafted_export_reads_whole_with_its_bom_windows_endings_and_quoted_newlines():
    checked = checked_file("every-status.csv")
    assert checked.problems == []
    assert checked.header[0] == "ID"  # the byte-order mark is not part of the first header
    assert len(checked.ideas) == 13
    by_id = {idea.legacy_id: idea for idea in checked.ideas}
    assert by_id["101"].problem == ("Handsets die half way through a night shift,\n"
                                    "so officers swap them at the station.")
    assert {idea.status for idea in checked.ideas} == set(Status)
    assert [str(note) for note in checked.notes] == [
        "row 11, Title: 166 characters, longer than the 120 a new idea may have: kept whole."]
    # In Created order, whatever the file's order.
    assert [i.created_at for i in checked.ideas] == sorted(i.created_at for i in checked.ideas)


@pytest.mark.parametrize(("text", "expected", "timed"), [
    ("31/01/2025 14:05", datetime(2025, 1, 31, 14, 5, tzinfo=UTC), True),
    ("31/01/2025", datetime(2025, 1, 31, 0, 0, tzinfo=UTC), False),
    ("1/7/2024 9:30", datetime(2024, 7, 1, 8, 30, tzinfo=UTC), True),  # summer time
    ("01/07/2024 09:30:15", datetime(2024, 7, 1, 8, 30, 15, tzinfo=UTC), True),
    ("2024-07-01T09:30", datetime(2024, 7, 1, 8, 30, tzinfo=UTC), True),
    ("2024-07-01", datetime(2024, 6, 30, 23, 0, tzinfo=UTC), False),
    ("2024-07-01T09:30:00Z", datetime(2024, 7, 1, 9, 30, tzinfo=UTC), True),
    ("2024-07-01T09:30+02:00", datetime(2024, 7, 1, 7, 30, tzinfo=UTC), True),
    # The clocks went forward at 01:00 on 30 March 2025: 01:30 never happened; it is read
    # as the clock still showed it (GMT).
    ("30/03/2025 01:30", datetime(2025, 3, 30, 1, 30, tzinfo=UTC), True),
    # They went back at 02:00 on 27 October 2024: 01:30 happened twice; the first (summer
    # time) is taken.
    ("27/10/2024 01:30", datetime(2024, 10, 27, 0, 30, tzinfo=UTC), True),
])
def test_uk_and_iso_dates_are_uk_local_time_unless_they_say(text: str, expected: datetime,
                                                            timed: bool):
    parsed = parse_when(text)
    assert parsed is not None
    assert (parsed[0].astimezone(UTC), parsed[1]) == (expected, timed)


@pytest.mark.parametrize("text", ["31/02/2025", "2025-13-01", "yesterday", "31/01/25",
                                  "31/01/0001", "31/01/2025 25:00", "1" * 41, "31-01-2025"])
def test_what_is_not_a_date_is_none(text: str):
    assert parse_when(text) is None


def test_every_problem_of_the_file_is_given_with_its_row_and_column():
    checked = checked_file("bad-rows.csv")
    assert [str(problem) for problem in checked.problems] == [
        "row 3, Status: 'Parked' is not one of the list's statuses (Submitted, Business "
        "assessment, Escalated, Approved, Delivered, Deferred, Declined (in progress already), "
        "Declined (already exists), Declined (duplicate), Declined (not viable), Withdrawn).",
        "row 4, Created: '31/02/2025' is not a date: write it like 31/01/2025 14:05, "
        "31/01/2025 or 2025-01-31T14:05.",
        "row 5, ID: ID '204' is on row 6 too; every item of the list has its own.",
        "row 6, ID: ID '204' is on row 5 too; every item of the list has its own.",
        "row 7, Title: it is empty; every idea needs one.",
        "row 8, First Response: it is before the idea was created (07/02/2025 10:00).",
        "row 8, Created By Email: 'not an address' is not an e-mail address.",
    ]
    assert [rejected.row for rejected in checked.rejected] == [3, 4, 5, 6, 7, 8]
    assert checked.rejected[0].values[1] == "Unknown status"
    # Deferred without a revisit date is allowed, and listed.
    assert [idea.legacy_id for idea in checked.ideas] == ["201", "207"]
    assert [str(note) for note in checked.notes] == [
        "row 9, Revisit Date: deferred without a revisit date: imported without one."]


def test_a_date_without_a_time_on_the_day_of_creation_is_not_before_it():
    checked = checked_text(row(Status="Approved", First_Response="31/01/2025",
                               Decision_Date="31/01/2025"))
    assert checked.problems == []
    idea = checked.ideas[0]
    assert idea.first_response_at == idea.created_at == idea.decided_at


def test_a_decision_with_no_date_is_dated_at_creation_and_listed():
    checked = checked_text(row(Status="Approved"))
    assert checked.ideas[0].decided_at is None
    assert [str(note) for note in checked.notes] == [
        "row 2, Decision Date: approved with neither a decision date nor a first response: "
        "the history dates the decision at Created."]


def test_dates_after_now_are_refused():
    checked = checked_text(row(Created="01/01/2027"))
    assert [str(p) for p in checked.problems] == ["row 2, Created: it is in the future."]


def test_missing_diversity_answers_are_not_recorded_unlike_prefer_not_to_say():
    checked = checked_file("every-status.csv")
    by_id = {idea.legacy_id: idea.profile for idea in checked.ideas}
    assert by_id["102"].department == by_id["102"].role_type == NOT_RECORDED
    assert by_id["103"].function == by_id["103"].grade == PREFER_NOT
    assert (by_id["101"].function, by_id["101"].grade, by_id["101"].role_type,
            by_id["101"].location) == ("response", "constable", "officer", "Leeds")
    assert NOT_RECORDED != PREFER_NOT


def test_a_header_without_a_required_column_stops_the_reading():
    checked = checked_text("1,An idea", header="ID,Title")
    assert checked.ideas == [] and not checked.readable
    assert str(checked.problems[0]).startswith(
        "the file: the header has no 'Status', 'Created' column")


def test_an_empty_file_is_a_problem_of_the_file():
    checked = check_rows(io.StringIO(""), ColumnMap(), NOW)
    assert [str(p) for p in checked.problems] == ["the file: it is empty: it has no header."]


def test_a_row_with_more_values_than_the_header_is_refused():
    checked = checked_text(row() + ',"spare"')
    assert [str(p) for p in checked.problems] == [
        "row 2: it has 22 values but the header names 21 columns."]


def test_the_caps_on_fields_rows_and_columns(monkeypatch: pytest.MonkeyPatch):
    long_id = checked_text(row(ID="9" * (legacy.ID_LIMIT + 1)))
    assert [str(p) for p in long_id.problems] == [
        f"row 2, ID: {legacy.ID_LIMIT + 1} characters long; at most {legacy.ID_LIMIT} are "
        "taken."]
    title = "t" * (legacy.TITLE_LIMIT + 1)
    assert checked_text(row(Title=title)).problems[0].column == "Title"
    wide = checked_text(header=",".join(f"c{n}" for n in range(legacy.MAX_COLUMNS + 1)))
    assert not wide.readable
    monkeypatch.setattr(legacy, "MAX_ROWS", 2)
    many = checked_text(row(ID="1"), row(ID="2"), row(ID="3"))
    assert [str(p) for p in many.problems] == [
        "the file: it has more than 2 rows; split it and import each part."]


def test_a_field_past_the_csv_readers_own_limit_ends_the_reading_as_a_problem():
    checked = checked_text(row(Problem="x" * 200_000))
    assert not checked.readable and checked.ideas == []
    assert "row 2 cannot be read" in str(checked.problems[0])


def test_hidden_control_characters_are_refused():
    checked = checked_text(row(Title="An\x00idea"))
    assert [p.column for p in checked.problems] == ["Title"]


def test_a_map_renames_columns_and_refuses_what_it_cannot_read():
    columns = parse_map((FIXTURES / "mapped.toml").read_text(encoding="utf-8"))
    assert columns.header(Column.TITLE) == "Idea" and columns.header(Column.CAMPAIGN) == \
        "Campaign"
    checked = checked_file("mapped.csv", columns)
    assert checked.problems == [] and [i.title for i in checked.ideas] == [
        "Fewer forms for lost property", "Lockers for response officers"]
    for text, words in [("[columns\n", "is not TOML"),
                        ('[columns]\nColour = "x"\n', "'Colour' is not a column"),
                        ('[columns]\nTitle = "A"\nID = "A"\n', "'A' is mapped to more"),
                        ('[columns]\nTitle = 3\n', "Title must be mapped to a header"),
                        ('[other]\n', "'other' is not known")]:
        with pytest.raises(InvalidText, match=words):
            parse_map(text)


def test_slugs_are_organisation_keys():
    assert slug("Digital, Data and Technology") == "digital-data-and-technology"
    assert slug("  Crime & Justice ") == "crime-justice"
    assert slug("???") == ""
    assert len(slug("a" * 100)) == 40
    assert slug("a" * 39 + " b") == "a" * 39


def test_a_name_with_nothing_to_make_a_key_of_is_refused():
    checked = checked_text(row(Category="???"))
    assert [str(p) for p in checked.problems] == [
        "row 2, Category: '???' has no letter or digit to make a key of."]


def test_revisit_dates_are_days_and_the_promise_follows_the_live_rule():
    checked = checked_text(row(Status="Deferred", Revisit_Date="01/03/2025",
                               Created="31/12/2024 23:30"))
    idea = checked.ideas[0]
    assert idea.revisit_on == date(2025, 3, 1)
    assert idea.due_on == date(2025, 2, 28) and idea.year == 2024
