"""Teams' Retry-After read in both its forms and bounded, and pauses of a refused tenant."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.delivery.throttling import (
    DEFAULT_RETRY_AFTER_SECONDS,
    MAX_RETRY_AFTER_SECONDS,
    SHORTEST_HOLD_SECONDS,
    TenantPauses,
    hold_seconds,
    retry_after_seconds,
)

NOW = datetime(2026, 12, 6, 9, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("header", "seconds"), [
    ("1", 1.0),
    ("120", 120.0),
    (" 30 ", 30.0),  # surrounding spaces are no junk
    ("1.5", 1.5),
    ("0", 0.0),
    ("000007", 7.0),
    ("99999999", 99999999.0),  # read as sent; the hold clamps it
    ("Sun, 06 Dec 2026 09:00:45 GMT", 45.0),
    ("Sun, 06 Dec 2026 10:00:45 +0100", 45.0),
    ("Sun, 06 Dec 2026 09:00:45 -0000", 45.0),  # no zone: taken as UTC
    ("Sun, 06 Dec 2026 08:59:00 GMT", 0.0),  # already past: go now
    ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
])
def test_a_readable_retry_after(header: str, seconds: float) -> None:
    assert retry_after_seconds(header, NOW) == seconds


def test_a_date_far_in_the_future_is_read_as_very_long() -> None:
    assert retry_after_seconds("Fri, 31 Dec 9999 23:59:59 GMT", NOW) > 250_000_000_000


@pytest.mark.parametrize("header", [
    None, "", "   ", "inf", "Infinity", "-inf", "nan", "NaN", "1e308", "1E3", "-5", "+5",
    "0x10", "1_000", "5 seconds", "5s", "5, 10", "١٢", "soon", "tomorrow",
    "Sun, 06 Dec 2026 25:61:00 GMT", "Foo, 99 Bar 2026 09:00:00 GMT",
    "9" * 13, "9" * 5000, "1." + "0" * 500, "1" * 100_000,
    "Sun, 06 Dec 2026 09:00:45 GMT" + " " * 10 + "x" * 100,
])
def test_an_unreadable_retry_after_is_none(header: str | None) -> None:
    assert retry_after_seconds(header, NOW) is None


@pytest.mark.parametrize(("retry_after", "held"), [
    (None, DEFAULT_RETRY_AFTER_SECONDS),
    (float("nan"), DEFAULT_RETRY_AFTER_SECONDS),
    (float("inf"), DEFAULT_RETRY_AFTER_SECONDS),
    (-3.0, DEFAULT_RETRY_AFTER_SECONDS),
    (0.0, SHORTEST_HOLD_SECONDS),  # never straight back at a connector that said stop
    (0.2, SHORTEST_HOLD_SECONDS),
    (2.5, 2.5),
    (MAX_RETRY_AFTER_SECONDS, MAX_RETRY_AFTER_SECONDS),
    (1e308, MAX_RETRY_AFTER_SECONDS),
    (99999999.0, MAX_RETRY_AFTER_SECONDS),
])
def test_a_hold_is_bounded_whatever_the_connector_said(retry_after: float | None,
                                                       held: float) -> None:
    assert hold_seconds(retry_after) == held


def test_the_longest_hold_is_a_setting() -> None:
    assert hold_seconds(600.0, longest=30.0) == 30.0
    assert hold_seconds(None, longest=2.0) == 2.0
    assert hold_seconds(10.0, longest=30.0) == 10.0


@pytest.mark.parametrize("header", [
    "1", "120", "inf", "1e308", "nan", "-5", "", "garbage", "9" * 5000,
    "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT",
])
def test_whatever_the_header_the_hold_is_between_a_second_and_the_longest(header: str) -> None:
    held = hold_seconds(retry_after_seconds(header, NOW), longest=300.0)
    assert SHORTEST_HOLD_SECONDS <= held <= 300.0


def test_a_refused_tenant_is_paused_for_longer_each_time_up_to_the_longest() -> None:
    pauses = TenantPauses(first=60.0, longest=200.0)
    assert pauses.refused("t", now=0.0) == 60.0
    assert pauses.until("t") == 60.0
    assert pauses.refused("t", now=70.0) == 120.0
    assert pauses.refused("t", now=200.0) == 200.0
    assert pauses.refused("t", now=500.0) == 200.0
    assert pauses.until("u") == 0.0  # other tenants are not paused


def test_refusals_during_a_pause_neither_start_nor_lengthen_another() -> None:
    """The sends under way when the pause began come back refused too."""
    pauses = TenantPauses(first=60.0)
    assert pauses.refused("t", now=0.0) == 60.0
    assert pauses.refused("t", now=0.1) is None
    assert pauses.refused("t", now=59.0) is None
    assert pauses.until("t") == 60.0


def test_a_send_that_goes_through_ends_the_doubling() -> None:
    pauses = TenantPauses(first=60.0)
    pauses.refused("t", now=0.0)
    pauses.refused("t", now=61.0)
    pauses.recovered("t")
    assert pauses.until("t") == 0.0
    assert pauses.refused("t", now=300.0) == 60.0
