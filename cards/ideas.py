"""Cards about submitted ideas: the contributor's list and timeline, withdrawal, staff notices."""

from __future__ import annotations

from datetime import date

from microsoft_teams.cards.core import CardElement, Container, Fact, FactSet, TextInput

from bot.domain.handover import REASSIGNED
from bot.domain.ideas import HistoryEntry, IdeaDetail, IdeaSummary
from bot.domain.lifecycle import ANSWERED, reason_for_contributor, withdrawable
from cards.actions import CardAction
from cards.base import (
    CardMessage,
    card_message,
    day_text,
    heading,
    paragraph,
    plain,
    problem,
    subheading,
    submit,
)
from cards.promise import contributor_fact


def my_ideas_card(ideas: list[IdeaSummary], page: int, pages: int, total: int) -> CardMessage:
    if not ideas:
        text = ("You have not submitted any ideas yet. Type **new idea** to suggest one.")
        return card_message([heading("My ideas"), paragraph(text)], summary="My ideas",
                            fallback_text=text.replace("**", ""),
                            actions=[submit("New idea", CardAction.NEW_IDEA, inputs=False)])
    count = "1 idea. Select it" if total == 1 else f"{total} ideas, newest first. Select one"
    body: list[CardElement] = [heading("My ideas"),
            paragraph(f"{count} to see what has happened to it."
                      + (f" Page {page} of {pages}." if pages > 1 else ""), subtle=True)]
    for idea in ideas:
        facts = [Fact(title="Status", value=idea.status_label),
                 Fact(title="Last change", value=day_text(idea.updated_at))]
        promise = contributor_fact(idea)
        if promise is not None:
            facts.append(promise)
        body.append(Container(
            separator=True, spacing="Medium",
            # Its title is what a screen reader announces for the whole entry.
            select_action=submit(f"Open {idea.reference}", CardAction.IDEA_STATUS, inputs=False,
                                 reference=idea.reference),
            items=[subheading(idea.reference), plain(idea.title), FactSet(facts=facts)],
        ))
    actions = []
    if page > 1:
        actions.append(submit("Newer", CardAction.MY_IDEAS, inputs=False, page=page - 1))
    if page < pages:
        actions.append(submit("Older", CardAction.MY_IDEAS, inputs=False, page=page + 1))
    return card_message(body, summary=f"My ideas: {total}",
                        fallback_text=f"You have {total} ideas. Type status and a reference "
                                      "to see one.",
                        actions=actions)


def timeline_card(idea: IdeaDetail, notice: str | None = None) -> CardMessage:
    """One idea's story; `notice` says why this card answers what the person asked."""
    summary = idea.summary
    facts = [Fact(title="Status", value=summary.status_label),
             Fact(title="Submitted", value=day_text(idea.submitted_at))]
    promise = contributor_fact(summary)
    if promise is not None:
        facts.append(promise)
    if idea.supporters:
        facts.append(Fact(title="Supporters", value=f"{idea.supporters:,} "
                          + ("colleague supports it" if idea.supporters == 1
                             else "colleagues support it")))
    body = [heading(idea.reference)]
    if notice:
        body.append(problem(notice))
    body += [plain(idea.title), FactSet(facts=facts), *campaign_part(idea),
             subheading("What has happened")]
    for entry in idea.history:
        body += _told(entry)
    actions = []
    if withdrawable(idea.status):
        actions.append(submit("Withdraw", CardAction.WITHDRAW, inputs=False,
                              reference=idea.reference))
    actions.append(submit("My ideas", CardAction.MY_IDEAS, inputs=False))
    return card_message(body, summary=f"{idea.reference}: {summary.status_label}",
                        fallback_text=f"{idea.reference} is {summary.status_label.lower()}.",
                        actions=actions)


def campaign_part(idea: IdeaDetail) -> list[CardElement]:
    """The call for ideas the idea answers, with its answers to the call's own questions."""
    if idea.campaign_key is None:
        return []
    name = idea.campaign_name or idea.campaign_key
    parts: list[CardElement] = [subheading("Campaign"), plain(name)]
    for given in idea.campaign_answers:
        parts += [plain(given.question, italic=True), plain(given.answer)]
    return parts


# What each entry of the history was, in the contributor's words.
_WHAT_HAPPENED = {
    "submitted": "Submitted", "allocate": "Allocated for business assessment",
    "decline_at_triage": "Declined", "decline": "Declined", "approve": "Approved",
    "defer": "Deferred", "escalate": "Escalated to change governance",
    "reallocate": "Moved to another portfolio", "ask": "A question for you",
    "update": "An update for you", "deliver": "Delivered", "revisit": "Being assessed again",
    "reopen": "Reopened", "withdrawn": "Withdrawn", ANSWERED: "You answered",
    REASSIGNED: "Moved to another portfolio",
}


def _told(entry: HistoryEntry) -> list:
    """One entry of the timeline: when and what, then why, and what was said."""
    what = _WHAT_HAPPENED.get(entry.action, entry.to_status.label)
    items: list = [paragraph(f"{day_text(entry.at)}: {what}")]
    detail = entry.detail or {}
    reason = reason_for_contributor(entry)
    if reason and entry.action == "withdrawn":  # their own words
        items.append(plain(f"Reason given: {reason}", italic=True))
    elif reason:
        duplicate = detail.get("duplicate_of")
        items.append(paragraph(f"Reason: {reason}"
                               + (f" of {duplicate}." if isinstance(duplicate, str) else ".")))
    revisit = detail.get("revisit_on")
    if isinstance(revisit, str):
        day = day_text(date.fromisoformat(revisit))
        items.append(paragraph(f"To be looked at again on {day}."))
    said = detail.get("answer") if entry.action == ANSWERED else entry.message_to_contributor
    if isinstance(said, str) and said:
        items.append(plain(said, italic=True))
    return items


def withdraw_confirm_card(idea: IdeaDetail, error: str | None = None,
                          reason: str | None = None) -> CardMessage:
    """Are you sure? With `error`, the refused `reason` is shown again to correct."""
    body = [
        heading(f"Withdraw {idea.reference}?"),
        plain(idea.title),
        paragraph("The PMO team and the portfolio are told. This cannot be undone, but "
                  "you can always submit the idea again later."),
    ]
    if error:
        body.append(problem(error))
    body.append(TextInput(id="reason", label="Why are you withdrawing it? (optional)",
                          is_multiline=True, max_length=500, value=reason or None))
    return card_message(
        body,
        summary=f"Withdraw {idea.reference}?",
        fallback_text=f"Type withdraw {idea.reference} again to confirm.",
        actions=[
            submit("Withdraw it", CardAction.CONFIRM_WITHDRAW, reference=idea.reference),
            submit("Keep it", CardAction.IDEA_STATUS, inputs=False, reference=idea.reference),
        ],
    )


def withdrawn_card(idea: IdeaDetail) -> CardMessage:
    text = f"{idea.reference} is withdrawn. The PMO team has been told."
    return card_message([heading("Idea withdrawn"), plain(idea.title), paragraph(text)],
                        summary=f"{idea.reference} withdrawn", fallback_text=text,
                        actions=[submit("My ideas", CardAction.MY_IDEAS, inputs=False)])


def answer_sent_card(reference: str) -> CardMessage:
    text = (f"Thank you: your answer is added to {reference}, and the people assessing it "
            "are told.")
    return card_message([paragraph(text)], summary="Your answer is sent", fallback_text=text,
                        actions=[submit("See its story", CardAction.IDEA_STATUS, inputs=False,
                                        reference=reference)])


def not_found_card(message: str) -> CardMessage:
    return card_message([paragraph(message),
                         paragraph("Type **my ideas** to see yours.", subtle=True)],
                        summary="Idea not found", fallback_text=message,
                        actions=[submit("My ideas", CardAction.MY_IDEAS, inputs=False)])
