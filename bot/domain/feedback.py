"""Feedback about the bot itself, sent from the help card's form."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.errors import InvalidText
from bot.domain.text import Answer, clean_text

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


_RATINGS_OFFERED = frozenset(rating.value for rating in Rating)


@dataclass(frozen=True, slots=True)
class Feedback:
    comment: str
    rating: Rating | None
    may_contact: bool


@dataclass(frozen=True, slots=True)
class FeedbackForm:
    """The feedback form's answers as sent, before they are checked."""

    comment: Answer = None
    rating: Answer = None
    may_contact: bool = False


def parse_feedback(form: FeedbackForm) -> Feedback:
    """Validate the feedback form's answers; raise InvalidText with a kind message if wrong."""
    comment = clean_text(form.comment, field="comment", label="Your feedback",
                         limit=COMMENT_LIMIT)
    rating_value = form.rating or None
    if rating_value is not None and rating_value not in _RATINGS_OFFERED:
        raise InvalidText("rating", "Please choose one of the ratings offered.")
    rating = Rating(rating_value) if isinstance(rating_value, str) else None
    return Feedback(comment=comment, rating=rating, may_contact=form.may_contact)
