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

_PATTERNS: tuple[tuple[Finding, re.Pattern[str]], ...] = (
    (Finding.EMAIL, re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (Finding.PHONE, re.compile(r"(?<![\d/])(?:\+44\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\d)")),
    # Two prefix letters (never D, F, I, Q, U, V; O not second), six digits, a suffix A-D.
    (Finding.NI_NUMBER, re.compile(
        r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
        r"\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE)),
    # Current plates (AB12 CDE) and older prefix plates (A123 BCD).
    (Finding.VEHICLE, re.compile(r"\b(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[A-Z]\d{1,3}\s?[A-Z]{3})\b")),
    (Finding.CRIME_REFERENCE, re.compile(
        r"\b(?:crime|incident|occurrence|log|cad|urn)\s*(?:ref(?:erence)?|no\.?|number|#)?"
        r"\s*[:#]?\s*(?=[A-Z0-9/-]*\d{3})[A-Z0-9][A-Z0-9/-]{2,}", re.IGNORECASE)),
    (Finding.ADDRESS, re.compile(
        rf"\b\d{{1,4}}[A-Z]?\s+[A-Z][A-Za-z' -]{{2,40}}.{{0,40}}?\b{_POSTCODE}\b",
        re.IGNORECASE | re.DOTALL)),
)


@dataclass(frozen=True, slots=True)
class SensitiveText:
    field: str
    findings: tuple[Finding, ...]


def find_sensitive(text: str) -> tuple[Finding, ...]:
    """What kinds of personal or operational detail `text` seems to hold, in a fixed order."""
    return tuple(finding for finding, pattern in _PATTERNS if pattern.search(text))


def check_fields(fields: dict[str, str]) -> list[SensitiveText]:
    """The fields (by name) that seem to hold sensitive details, and what each seems to hold."""
    return [SensitiveText(name, found) for name, text in fields.items()
            if text and (found := find_sensitive(text))]
