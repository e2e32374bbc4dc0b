"""Optional diversity answers about a contributor, asked once, remembered and changeable.

They let the board see who the portal reaches. Every answer may be "prefer not to say";
reports suppress small numbers, and a copy is kept with each idea as it was when submitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.errors import InvalidText
from bot.domain.text import Answer, clean_text

PREFER_NOT = "prefer_not_to_say"
PREFER_NOT_LABEL = "Prefer not to say"
# An idea imported from the list kept before the bot, whose row held no answer: the person was
# never asked, which is not the same as choosing not to say.
NOT_RECORDED = "not_recorded"

FUNCTIONS = (
    ("response", "Response policing"),
    ("neighbourhood", "Neighbourhood policing"),
    ("investigation", "Investigation"),
    ("intelligence", "Intelligence"),
    ("custody", "Custody"),
    ("contact", "Contact management"),
    ("operational-support", "Operational support"),
    ("business-support", "Business support"),
    ("other", "Other"),
)

GRADES = (
    ("constable", "Constable"),
    ("sergeant", "Sergeant"),
    ("inspector", "Inspector or chief inspector"),
    ("superintendent", "Superintendent or above"),
    ("staff-junior", "Police staff, junior grades"),
    ("staff-middle", "Police staff, middle grades"),
    ("staff-senior", "Police staff, senior grades"),
    ("none", "Not applicable"),
)

ROLE_TYPES = (
    ("officer", "Police officer"),
    ("staff", "Police staff"),
    ("special", "Special constable"),
    ("volunteer", "Volunteer"),
)

LOCATION_LIMIT = 60


@dataclass(frozen=True, slots=True)
class Profile:
    department: str = PREFER_NOT
    function: str = PREFER_NOT
    location: str = PREFER_NOT
    grade: str = PREFER_NOT
    role_type: str = PREFER_NOT


@dataclass(frozen=True, slots=True)
class ProfileAnswers:
    """The profile card's answers as sent, before they are checked."""

    department: Answer = None
    function: Answer = None
    location: Answer = None
    grade: Answer = None
    role_type: Answer = None


def parse_profile(answers: ProfileAnswers, departments: Sequence[str]) -> Profile:
    """Validate the profile card's answers; anything left blank is "prefer not to say"."""
    location = answers.location
    location = (clean_text(location, field="location", label="Your location",
                           limit=LOCATION_LIMIT, required=False)
                if location not in (None, PREFER_NOT) else "")
    return Profile(
        department=_one_of(answers.department, departments, "department"),
        function=_one_of(answers.function, [k for k, _ in FUNCTIONS], "function"),
        location=location or PREFER_NOT,
        grade=_one_of(answers.grade, [k for k, _ in GRADES], "rank or grade"),
        role_type=_one_of(answers.role_type, [k for k, _ in ROLE_TYPES], "role"),
    )


def _one_of(value: Answer, allowed: Sequence[str], what: str) -> str:
    if value in (None, "", PREFER_NOT):
        return PREFER_NOT
    if not isinstance(value, str) or value not in allowed:
        raise InvalidText(what, f"Please choose your {what} from the list, or leave it blank.")
    return value
