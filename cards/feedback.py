"""The feedback form on the bot itself, and its answers."""

from __future__ import annotations

from microsoft_teams.cards.core import Choice, ChoiceSetInput, Fact, FactSet, TextInput, ToggleInput

from bot.domain.feedback import COMMENT_LIMIT, Feedback, FeedbackForm, Rating
from cards.actions import CardAction
from cards.base import CardMessage, card_message, heading, paragraph, plain, problem, submit


def feedback_form_card(answers: FeedbackForm | None = None,
                       error: str | None = None) -> CardMessage:
    """The form; shown again with the person's answers and `error` when they need a change."""
    answers = answers or FeedbackForm()
    comment = answers.comment
    body = [
        heading("Feedback on the portal bot"),
        paragraph("What works, what does not, what is missing? The PMO team reads every answer."),
    ]
    if error:
        body.append(problem(error))
    body += [
        ChoiceSetInput(
            id="rating",
            label="How easy is the bot to use?",
            style="compact",
            is_required=False,
            value=rating if isinstance(rating := answers.rating, str)
            and rating in set(Rating) else None,
            choices=[Choice(title=r.label, value=r.value) for r in Rating],
            placeholder="Choose an answer (optional)",
        ),
        TextInput(
            id="comment",
            label="Your feedback",
            is_multiline=True,
            is_required=True,
            max_length=COMMENT_LIMIT,
            placeholder="Tell us in a sentence or two",
            error_message="Please write your feedback before sending it.",
            value=comment if isinstance(comment, str) else None,
        ),
        ToggleInput(
            id="may_contact",
            title="The PMO team may contact me about this",
            label="May we contact you?",
            value="true" if answers.may_contact else "false",
            value_on="true",
            value_off="false",
        ),
    ]
    return card_message(
        body,
        summary="Feedback on the portal bot",
        fallback_text="Type your feedback on the portal bot; the PMO team reads every answer.",
        actions=[submit("Send feedback", CardAction.SEND_FEEDBACK)],
    )


def feedback_thanks_card() -> CardMessage:
    return card_message(
        [
            heading("Thank you for your feedback"),
            paragraph("It is stored for the PMO team, who use it to improve the bot."),
        ],
        summary="Thank you for your feedback",
        fallback_text="Thank you for your feedback. It is stored for the PMO team.",
    )


def feedback_for_pmo_card(feedback: Feedback, author_name: str) -> CardMessage:
    """What the PMO team receives when someone sends feedback on the bot."""
    facts = [
        Fact(title="Ease of use", value=feedback.rating.label if feedback.rating else "Not given"),
        Fact(title="May we contact them?", value="Yes" if feedback.may_contact else "No"),
    ]
    return card_message(
        [
            heading("New feedback on the portal bot"),
            plain(f"From {author_name or 'someone'}"),
            FactSet(facts=facts),
            plain(feedback.comment),
        ],
        summary=f"New feedback on the portal bot from {author_name or 'someone'}",
        fallback_text=f"New feedback on the portal bot: {feedback.comment}",
    )
