"""The warning about personal or operational details before an idea is submitted."""

import pytest

from bot.domain.sensitive import Finding, check_fields, find_sensitive


@pytest.mark.parametrize("text, finding", [
    ("E-mail jo.bloggs@example.police.uk about it", Finding.EMAIL),
    ("call 07700 900123 please", Finding.PHONE),
    ("ring +44 7700 900123", Finding.PHONE),
    ("the front desk on 0161 496 0000", Finding.PHONE),
    ("NI number AB123456C", Finding.NI_NUMBER),
    ("ni ab 12 34 56 c", Finding.NI_NUMBER),
    ("the car AB12 CDE was stopped", Finding.VEHICLE),
    ("an old plate A123 BCD", Finding.VEHICLE),
    ("see crime ref 12345678", Finding.CRIME_REFERENCE),
    ("incident 1234 of 01/02", Finding.CRIME_REFERENCE),
    ("URN 44/123/25", Finding.CRIME_REFERENCE),
    ("lives at 12 Acacia Avenue, Leeds LS1 4AP", Finding.ADDRESS),
])
def test_personal_and_operational_details_are_spotted(text, finding):
    assert finding in find_sensitive(text)


@pytest.mark.parametrize("text", [
    "We could save 2000 hours a year with 3 officers on 12 hour shifts",
    "Use the new ANPR system in 2026 across 14 stations",
    "Reduce form R123 to one page",
    "The log is hard to read and crime rates fell 12%",
    "QQ 12 34 56 C is the example number on the form",  # QQ is never issued
])
def test_ordinary_ideas_raise_no_warning(text):
    assert find_sensitive(text) == ()


def test_each_field_is_named_with_what_it_seems_to_hold():
    found = check_fields({"title": "Faster forms", "problem": "Ring 07700 900123 or AB12 CDE"})

    assert [f.field for f in found] == ["problem"]
    assert found[0].findings == (Finding.PHONE, Finding.VEHICLE)
