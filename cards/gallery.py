"""Every card the bot can send, filled with sample data, for review and schema checks."""

from __future__ import annotations

from collections.abc import Iterator

from bot.domain.feedback import Feedback, Rating
from cards.base import CardMessage
from cards.feedback import feedback_for_pmo_card, feedback_form_card, feedback_thanks_card
from cards.help import help_card
from cards.notices import (
    failure_card,
    no_identity_card,
    stale_action_card,
    unknown_text_card,
)
from cards.welcome import channel_welcome_card, welcome_card

SAMPLE_CONTACT = "E-mail iip.pmo@example.police.uk, or call extension 4471 (Monday to Friday)."


def gallery() -> Iterator[tuple[str, CardMessage]]:
    """(name, card) for each card and state, named as the files `iip cards gallery` writes."""
    yield "welcome", welcome_card()
    yield "welcome-named", welcome_card("Alex")
    yield "welcome-channel", channel_welcome_card()
    yield "help", help_card(SAMPLE_CONTACT)
    yield "help-no-contact", help_card("")
    yield "feedback-form", feedback_form_card()
    yield "feedback-form-error", feedback_form_card(
        {"rating": "4", "comment": "x" * 1200, "may_contact": "true"},
        "Your feedback is 1,200 characters long; the limit is 1,000.",
    )
    yield "feedback-thanks", feedback_thanks_card()
    yield "feedback-for-pmo", feedback_for_pmo_card(
        Feedback(comment="The help card is **great** but <b>long</b> on a phone.",
                 rating=Rating.EASY, may_contact=True),
        "Megan Bowen",
    )
    yield "unknown-text", unknown_text_card()
    yield "stale-action", stale_action_card()
    yield "no-identity", no_identity_card()
    yield "failure", failure_card()
