"""The organisation file's optional executive sponsor, who hears weekly of broken promises."""

from __future__ import annotations

import pytest
from support.organisation import MEGAN, demo_data, organisation_from

from bot.domain.errors import OrganisationError
from bot.domain.organisation import describe_changes


def test_the_sponsor_is_optional() -> None:
    assert organisation_from(demo_data()).executive_sponsor is None


def test_a_sponsor_named_among_the_people_is_taken() -> None:
    data = demo_data()
    data["settings"]["executive_sponsor"] = MEGAN.upper()
    organisation = organisation_from(data)
    assert organisation.executive_sponsor == MEGAN
    assert describe_changes(organisation_from(demo_data()), organisation) == [
        f"executive sponsor set to {MEGAN}"]


@pytest.mark.parametrize(("value", "problem"), [
    ("megan@example.com", "[settings] executive_sponsor: 'megan@example.com' is not an Entra "
                          "object id (a GUID). That looks like an e-mail address; use the "
                          "person's Entra object id."),
    ("0f8fad5b-d9cb-469f-a165-70867728950e", "[settings] executive_sponsor: "
     "0f8fad5b-d9cb-469f-a165-70867728950e is not listed under [[people]]."),
])
def test_a_sponsor_who_is_not_a_known_person_is_refused(value: str, problem: str) -> None:
    data = demo_data()
    data["settings"]["executive_sponsor"] = value
    with pytest.raises(OrganisationError) as refused:
        organisation_from(data)
    assert problem in refused.value.problems
