"""Spotting personal or operational details in an idea before it is submitted.

Ideas are read by many people, so the bot warns when the text looks like it holds an e-mail
address, a phone number, a National Insurance number, a vehicle registration, a crime or
incident reference, or an address. It only warns: the person removes the detail or confirms
it is needed. Matches are never stored or logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Finding(StrEnum):
    EMAIL = "an e-mail address"
    PHONE = "a phone number"
    NI_NUMBER = "a National Insurance number"
    VEHICLE = "a vehicle registration"
    CRIME_REFERENCE = "a crime or incident reference"
    ADDRESS = "a house number and postcode"


_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"
# The longest text looked at: more than any field holds (2,000 characters), so the whole of
# every field is checked, and a bound on the work whatever reaches here.
MAX_CHECKED_LENGTH = 4000

# Each pattern runs in time linear in the text (tests/unit/test_linear_patterns.py): every
# unbounded repetition is possessive (`++`, `*+`) and starts only where its run starts, and
# everything else is bounded, so no match attempt rescans what an earlier one read.
_PATTERNS: tuple[tuple[Finding, re.Pattern[str]], ...] = (
    (Finding.EMAIL, re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+")),
    (Finding.PHONE, re.compile(r"(?<![\d/])(?:\+44\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\d)")),
    # Two prefix letters (never D, F, I, Q, U, V; O not second), six digits, a suffix A-D.
    (Finding.NI_NUMBER, re.compile(
        r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
        r"\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE)),
    # Current plates (AB12 CDE) and older prefix plates (A123 BCD).
    (Finding.VEHICLE, re.compile(r"\b(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[A-Z]\d{1,3}\s?[A-Z]{3})\b")),
    # A keyword, then a reference of up to 40 characters holding three digits in a row.
    (Finding.CRIME_REFERENCE, re.compile(
        r"\b(?:crime|incident|occurrence|log|cad|urn)\s*+(?:ref(?:erence)?|no\.?|number|#)?"
        r"\s*+[:#]?\s*+(?=[A-Z0-9/-]{0,37}\d{3})[A-Z0-9][A-Z0-9/-]{2,39}", re.IGNORECASE)),
    # A house number, a street (a capital and two letters at least), a postcode soon after.
    (Finding.ADDRESS, re.compile(
        rf"\b\d{{1,4}}[A-Z]?\s++[A-Z][A-Za-z' -]{{2}}.{{0,78}}?\b{_POSTCODE}\b",
        re.IGNORECASE | re.DOTALL)),
)


@dataclass(frozen=True, slots=True)
class SensitiveText:
    field: str
    findings: tuple[Finding, ...]


def find_sensitive(text: str) -> tuple[Finding, ...]:
    """What kinds of personal or operational detail `text` seems to hold, in a fixed order."""
    checked = text[:MAX_CHECKED_LENGTH]
    return tuple(finding for finding, pattern in _PATTERNS if pattern.search(checked))


def check_fields(fields: dict[str, str]) -> list[SensitiveText]:
    """The fields (by name) that seem to hold sensitive details, and what each seems to hold."""
    return [SensitiveText(name, found) for name, text in fields.items()
            if text and (found := find_sensitive(text))]
