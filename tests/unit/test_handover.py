"""Which portfolios a new organisation file would leave with open ideas and nobody who has
followed them (bot.domain.handover)."""

from __future__ import annotations

from typing import Any

import pytest
from support.organisation import ADELE, ALEX, ISAIAH, MEGAN, demo_data, organisation_from

from bot.domain.errors import OrganisationError
from bot.domain.handover import OPEN, Orphaned, orphaned_portfolios, reassign_target
from bot.domain.ideas import Status
from bot.domain.organisation import Organisation


def changed(**portfolios: dict[str, Any] | None) -> Organisation:
    """The demo organisation with some portfolios changed (None: retired)."""
    data = demo_data()
    kept = []
    for record in data["portfolios"]:
        change = portfolios.get(record["key"].replace("-", "_"), {})
        if change is not None:
            kept.append(record | change)
    data["portfolios"] = kept
    return organisation_from(data)


DEMO = changed()


def test_open_means_anything_not_delivered_declined_or_withdrawn():
    assert {Status.SUBMITTED, Status.BUSINESS_ASSESSMENT, Status.ESCALATED,
            Status.APPROVED, Status.DEFERRED} == OPEN


def test_the_first_load_and_the_same_file_strand_nothing():
    assert orphaned_portfolios(None, DEMO) == ()
    assert orphaned_portfolios(DEMO, DEMO) == ()


def test_a_retired_portfolio_is_orphaned():
    assert orphaned_portfolios(DEMO, changed(crime_and_justice=None)) == (
        Orphaned("crime-and-justice", "Crime and Justice", retired=True),)


def test_its_only_spoc_replaced_by_someone_new_orphans_a_portfolio():
    after = changed(crime_and_justice={"spocs": [ADELE]})
    [found] = orphaned_portfolios(DEMO, after)
    assert (found.key, found.retired) == ("crime-and-justice", False)
    assert "none of its SPOCs or deputies" in found.why


@pytest.mark.parametrize("change", [
    # Local Policing's SPOC goes, its deputy stays: Isaiah has followed every idea.
    {"local_policing": {"spocs": [ADELE], "deputies": [ISAIAH]}},
    # One of two SPOCs goes.
    {"people_and_wellbeing": {"spocs": [ADELE]}},
    # The only SPOC stays on as a deputy under a new SPOC.
    {"crime_and_justice": {"spocs": [ADELE], "deputies": [MEGAN]}},
    # A deputy becomes the SPOC.
    {"local_policing": {"spocs": [ISAIAH], "deputies": []}},
])
def test_someone_who_followed_the_portfolio_staying_orphans_nothing(change):
    assert orphaned_portfolios(DEMO, changed(**change)) == ()


def test_every_orphaned_portfolio_is_named_in_the_old_files_order():
    after = changed(local_policing={"spocs": [MEGAN], "deputies": []},
                    digital_and_data=None)
    assert [(o.key, o.retired) for o in orphaned_portfolios(DEMO, after)] == [
        ("local-policing", False), ("digital-and-data", True)]
    assert ALEX in DEMO.pmo  # the PMO follows every idea, but is no portfolio's follower


def test_the_portfolio_to_reassign_to_must_be_in_the_new_file():
    after = changed(crime_and_justice=None)
    assert reassign_target(None, after) is None
    assert reassign_target("local-policing", after) == "local-policing"
    with pytest.raises(OrganisationError, match="--reassign-to crime-and-justice: the new "
                                                "file has no portfolio with that key"):
        reassign_target("crime-and-justice", after)
