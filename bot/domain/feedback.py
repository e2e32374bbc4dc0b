"""Feedback about the bot itself, sent from the help card's form."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.domain.errors import InvalidText
from bot.domain.text import clean_text

COMMENT_LIMIT = 1000


class Rating(StrEnum):
    VERY_EASY = "5"
    EASY = "4"
    OKAY = "3"
    HARD = "2"
    VERY_HARD = "1"

    @property
    def label(self) -> str:
        return _RATING_LABELS[self]


_RATING_LABELS = {
    Rating.VERY_EASY: "Very easy",
    Rating.EASY: "Easy",
    Rating.OKAY: "Neither easy nor hard",
    Rating.HARD: "Hard",
    Rating.VERY_HARD: "Very hard",
}


_RATINGS_OFFERED = [rating.value for rating in Rating]  # a list: forged values may be unhashable


@dataclass(frozen=True, slots=True)
class Feedback:
    comment: str
    rating: Rating | None
    may_contact: bool


def parse_feedback(values: dict[str, Any]) -> Feedback:
    """Validate the feedback form's answers; raise InvalidText with a kind message if wrong."""
    comment = clean_text(values.get("comment"), field="comment", label="Your feedback",
                         limit=COMMENT_LIMIT)
    rating_value = values.get("rating") or None
    if rating_value is not None and rating_value not in _RATINGS_OFFERED:
        raise InvalidText("rating", "Please choose one of the ratings offered.")
    rating = Rating(rating_value) if rating_value is not None else None
    may_contact = str(values.get("may_contact", "false")).lower() == "true"
    return Feedback(comment=comment, rating=rating, may_contact=may_contact)
