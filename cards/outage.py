"""What a person sees when the portal's database is not answering: nothing they sent is lost
without their knowing it."""

from __future__ import annotations

from bot.domain.feedback import FeedbackForm
from cards.base import CardMessage, card_message, paragraph, plain
from cards.feedback import feedback_form_card

NOT_SAVED = ("Sorry, I could not save that: the portal cannot reach its records just now, so "
             "nothing you sent was saved. Please try again in a few minutes.")
FEEDBACK_NOT_SAVED = ("Sorry, your feedback was not saved: the portal cannot reach its records "
                      "just now. Your words are kept below; please press Send feedback again "
                      "in a few minutes.")
# Enough of a message to copy it back; what Teams lets anyone type is far longer.
ECHO_LIMIT = 2000


def not_saved_card(typed: str | None = None) -> CardMessage:
    """The apology for a message the database could not take, with what they typed to resend."""
    body = [paragraph(f"**{NOT_SAVED}**")]
    if typed and typed.strip():
        body += [paragraph("You wrote:", subtle=True), plain(typed[:ECHO_LIMIT])]
    return card_message(body, summary="Not saved: please try again", fallback_text=NOT_SAVED)


def feedback_not_saved_card(answers: FeedbackForm) -> CardMessage:
    """The feedback form again, holding what they wrote, to send once the database is back."""
    return feedback_form_card(answers, FEEDBACK_NOT_SAVED)
