"""How the workforce digest credits a contributor, shortens what it tells, and where it begins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.digest import TOLD_LIMIT, credit, told, window_start


@pytest.mark.parametrize(("named", "name", "role", "department", "expected"), [
    (True, "Alex Wilber", "officer", "Local Policing", "Alex Wilber"),
    (False, "Alex Wilber", "officer", "Local Policing", "an officer in Local Policing"),
    (False, "Alex Wilber", "staff", None, "a member of police staff"),
    (False, None, "prefer_not_to_say", "Crime and Justice", "a colleague in Crime and Justice"),
    (False, None, None, None, "a colleague"),
    (True, "   ", "special", None, "a special constable"),  # a name Teams left blank
])
def test_a_contributor_is_named_only_with_consent(named, name, role, department,
                                                  expected) -> None:
    assert credit(named=named, name=name, role_type=role, department=department) == expected


def test_short_text_is_told_whole_and_long_text_cut_at_a_word() -> None:
    assert told("  One form\ninstead of three. ") == "One form instead of three."
    long = "Officers now write notes on tablets, " * 20
    shortened = told(long)
    assert len(shortened) <= TOLD_LIMIT and shortened.endswith("…")
    assert long.startswith(shortened[:-1])
    assert not shortened[:-1].endswith((" ", ","))


def test_text_without_spaces_is_still_cut_to_the_limit() -> None:
    assert len(told("x" * 5000)) == TOLD_LIMIT


def test_the_first_digest_looks_back_three_months_and_later_ones_continue() -> None:
    now = datetime(2026, 5, 31, 10, 0, tzinfo=UTC)
    assert window_start(None, now) == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
    last = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    assert window_start(last, now) == last
