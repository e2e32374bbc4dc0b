"""Cards about submitted ideas: the contributor's list and timeline, withdrawal, staff notices."""

from __future__ import annotations

from datetime import date, datetime

from microsoft_teams.cards import Column, ColumnSet, Container, Fact, FactSet, TextInput

from bot.domain.ideas import UNDECIDED, IdeaDetail, IdeaSummary, update_due
from bot.domain.intake import Step
from bot.domain.organisation import Organisation
from cards.actions import CardAction
from cards.base import (
    CardMessage,
    card_message,
    heading,
    paragraph,
    plain,
    problem,
    subheading,
    submit,
)
from cards.intake import SECTION_NAMES


def my_ideas_card(ideas: list[IdeaSummary], page: int, pages: int, total: int) -> CardMessage:
    if not ideas:
        text = ("You have not submitted any ideas yet. Type **new idea** to suggest one.")
        return card_message([heading("My ideas"), paragraph(text)], summary="My ideas",
                            fallback_text=text.replace("**", ""),
                            actions=[submit("New idea", CardAction.NEW_IDEA, inputs=False)])
    body = [heading("My ideas"),
            paragraph(f"{total} idea{'s' if total != 1 else ''}, newest first"
                      + (f" · page {page} of {pages}" if pages > 1 else ""), subtle=True)]
    for idea in ideas:
        facts = [Fact(title="Status", value=idea.status_label),
                 Fact(title="Last change", value=_day(idea.updated_at))]
        if idea.update_due:
            facts.append(Fact(title="Update due by", value=_day(idea.update_due)))
        body.append(Container(
            separator=True, spacing="Medium",
            select_action=submit("Open", CardAction.IDEA_STATUS, inputs=False,
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


def timeline_card(idea: IdeaDetail) -> CardMessage:
    summary = idea.summary
    facts = [Fact(title="Status", value=summary.status_label),
             Fact(title="Submitted", value=_day(idea.submitted_at))]
    if summary.update_due:
        facts.append(Fact(title="Update due by", value=_day(summary.update_due)))
    body = [heading(idea.reference), plain(idea.title), FactSet(facts=facts),
            subheading("What has happened")]
    for entry in idea.history:
        line = f"{_day(entry.at)}: {entry.to_status.label}"
        body.append(paragraph(line))
        if entry.message_to_contributor:
            body.append(plain(entry.message_to_contributor, italic=True))
        if entry.reason and entry.action == "withdrawn":
            body.append(plain(f"Reason given: {entry.reason}", italic=True))
    actions = []
    if idea.status in UNDECIDED:
        actions.append(submit("Withdraw", CardAction.WITHDRAW, inputs=False,
                              reference=idea.reference))
    actions.append(submit("My ideas", CardAction.MY_IDEAS, inputs=False))
    return card_message(body, summary=f"{idea.reference}: {summary.status_label}",
                        fallback_text=f"{idea.reference} is {summary.status_label.lower()}.",
                        actions=actions)


def withdraw_confirm_card(idea: IdeaDetail, error: str | None = None) -> CardMessage:
    body = [
        heading(f"Withdraw {idea.reference}?"),
        plain(idea.title),
        paragraph("The PMO team and the portfolio are told. This cannot be undone, but "
                  "you can always submit the idea again later."),
    ]
    if error:
        body.append(problem(error))
    body.append(TextInput(id="reason", label="Why are you withdrawing it? (optional)",
                          is_multiline=True, max_length=500))
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


def not_found_card(message: str) -> CardMessage:
    return card_message([paragraph(message),
                         paragraph("Type **my ideas** to see yours.", subtle=True)],
                        summary="Idea not found", fallback_text=message,
                        actions=[submit("My ideas", CardAction.MY_IDEAS, inputs=False)])


class StaffCards:
    """The cards the idea service queues for the PMO team and SPOCs."""

    def triage(self, idea: IdeaDetail, contributor_name: str,
               organisation: Organisation) -> CardMessage:
        names = {p.key: p.name for p in organisation.portfolios}
        names |= {c.key: c.name for c in organisation.categories}
        facts = [
            Fact(title="Category", value=names.get(idea.category_key, idea.category_key)),
            Fact(title="Suggested portfolio",
                 value=names.get(idea.portfolio_key, idea.portfolio_key)),
            Fact(title="Submitted", value=_day(idea.submitted_at)),
            Fact(title="Update due by", value=_day(update_due(idea.submitted_at))),
        ]
        body = [heading(f"New idea to triage: {idea.reference}"), plain(idea.title),
                plain(f"From {contributor_name or 'a contributor'}", italic=True),
                FactSet(facts=facts)]
        for step in (Step.PROBLEM, Step.PROPOSAL, Step.BENEFIT):
            body += [subheading(SECTION_NAMES[step]), plain(getattr(idea, step.value))]
        return card_message(body, summary=f"New idea {idea.reference}: {idea.title}",
                            fallback_text=f"New idea {idea.reference} to triage: {idea.title}")

    def withdrawn(self, idea: IdeaDetail, contributor_name: str,
                  reason: str | None) -> CardMessage:
        body = [heading(f"{idea.reference} was withdrawn"), plain(idea.title),
                plain(f"{contributor_name or 'The contributor'} withdrew it.")]
        if reason:
            body.append(ColumnSet(columns=[
                Column(width="auto", items=[paragraph("Reason:", subtle=True)]),
                Column(width="stretch", items=[plain(reason)]),
            ]))
        return card_message(body, summary=f"{idea.reference} was withdrawn",
                            fallback_text=f"{idea.reference} was withdrawn by its contributor.")


def _day(moment: date | datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"
