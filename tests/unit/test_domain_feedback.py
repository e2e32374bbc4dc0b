"""parse_feedback: the answers of the feedback form, checked."""

from __future__ import annotations

import pytest

from bot.domain.errors import InvalidText
from bot.domain.feedback import COMMENT_LIMIT, Feedback, Rating, parse_feedback
from cards.requests import feedback_form_of


def parse(answers: dict[str, object]) -> Feedback:
    """The form's answers as the card sends them, read and then checked."""
    return parse_feedback(feedback_form_of(answers))


def test_complete_answers() -> None:
    feedback = parse({"comment": "  Works well \r\n", "rating": "4",
                               "may_contact": "true", "action": "feedback.send"})
    assert feedback == Feedback(comment="Works well", rating=Rating.EASY, may_contact=True)


def test_rating_and_consent_are_optional() -> None:
    assert parse({"comment": "ok"}) == Feedback("ok", None, False)
    assert parse({"comment": "ok", "rating": ""}).rating is None


@pytest.mark.parametrize(("sent", "expected"),
                         [("true", True), ("True", True), (True, True), ("false", False),
                          (False, False), ("yes", False), ("", False)])
def test_consent_is_only_an_explicit_true(sent: object, expected: bool) -> None:
    assert parse({"comment": "c", "may_contact": sent}).may_contact is expected


@pytest.mark.parametrize("rating", ["0", "6", "easy", "4.0", 4])
def test_a_rating_not_offered_is_refused(rating: object) -> None:
    with pytest.raises(InvalidText) as raised:
        parse({"comment": "c", "rating": rating})
    assert raised.value.field == "rating"


@pytest.mark.parametrize("answers", [{}, {"comment": ""}, {"comment": " \n "},
                                     {"comment": None}, {"rating": "5"}])
def test_a_comment_is_required(answers: dict) -> None:
    with pytest.raises(InvalidText) as raised:
        parse(answers)
    assert raised.value.field == "comment"
    assert "Your feedback is empty" in str(raised.value)


def test_the_comment_limit_is_enforced_without_cutting() -> None:
    assert parse({"comment": "a" * COMMENT_LIMIT}).comment == "a" * COMMENT_LIMIT
    with pytest.raises(InvalidText, match=f"{COMMENT_LIMIT + 1:,} characters"):
        parse({"comment": "a" * (COMMENT_LIMIT + 1)})


def test_every_rating_has_a_distinct_label() -> None:
    labels = [rating.label for rating in Rating]
    assert len(set(labels)) == len(Rating) == 5
    assert all(labels)
