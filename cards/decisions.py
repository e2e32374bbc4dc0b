"""Cards of triage and decisions: the staff's idea card with its buttons, and what the
contributor, the news channel and the staff are told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from microsoft_teams.cards.core import (
    AdaptiveCard,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    ExecuteAction,
    Fact,
    FactSet,
    RefreshDefinition,
    ShowCardAction,
    TextInput,
)

from bot.domain.ideas import (
    LONDON,
    UNDECIDED,
    DeclineReason,
    IdeaDetail,
    Status,
    update_due,
)
from bot.domain.lifecycle import (
    NEEDS_ROOT_CAUSE,
    TRIAGE_DECLINE_REASONS,
    Decision,
    Move,
    Party,
    Question,
    deciders,
    followers_of,
    latest_question,
    moves_for,
)
from bot.domain.messages import CardMessage
from bot.domain.organisation import Organisation, people_named
from cards.actions import CardAction
from cards.base import (
    as_markdown_text,
    card_message,
    day_text,
    fill_inputs,
    heading,
    paragraph,
    plain,
    problem,
    subheading,
    submit,
)

SELF_DECISIONS = ("You submitted this idea. Self-decisions are allowed in this "
                  "organisation, so you may decide it yourself.")
REFRESH_VERB = "refresh"
MAX_REFRESH_USERS = 60

_BUTTONS = {
    Move.ALLOCATE: "Allocate", Move.DECLINE_AT_TRIAGE: "Decline at triage",
    Move.APPROVE: "Approve", Move.DECLINE: "Decline", Move.DEFER: "Defer",
    Move.ESCALATE: "Escalate", Move.REALLOCATE: "Re-allocate", Move.ASK: "Ask a question",
    Move.UPDATE: "Send an update", Move.DELIVER: "Mark delivered", Move.REVISIT: "Revisit now",
    Move.REOPEN: "Reopen",
}
# The buttons' order: decisions first, then talking to the contributor, re-allocating last.
# Teams shows six buttons and folds the rest under "...": an assessment card has seven moves,
# so the one folded away is the rarest (Re-allocate), not "Send an update".
_ORDER = [Move.ALLOCATE, Move.DECLINE_AT_TRIAGE, Move.APPROVE, Move.DECLINE, Move.DEFER,
          Move.ESCALATE, Move.DELIVER, Move.REVISIT, Move.REOPEN, Move.ASK, Move.UPDATE,
          Move.REALLOCATE]
# What a move does, said at the top of its questions (the only sign of which move is open
# when it was chosen from the "..." menu).
_WHAT_HAPPENS = {
    Move.ALLOCATE: "Pass it to the portfolio that will assess it. The contributor is told.",
    Move.DECLINE_AT_TRIAGE: "Close it at triage. The contributor is told why, with your "
                            "message.",
    Move.APPROVE: "Approve it. The contributor is told, with your message.",
    Move.DECLINE: "Decline it. The contributor is told why, with your message.",
    Move.DEFER: "Keep it for later. The contributor is told when it will be looked at again.",
    Move.ESCALATE: "Pass it to change governance to plan its delivery, timeline and budget. "
                   "The contributor is told.",
    Move.REALLOCATE: "Move it to another portfolio to assess. The contributor is told.",
    Move.ASK: "Ask the contributor a question; they can answer on their card. The status "
              "stays as it is.",
    Move.UPDATE: "Send the contributor an update. The status stays as it is.",
    Move.DELIVER: "Mark it delivered. The contributor is thanked and, if they agreed, named "
                  "in the news channel.",
    Move.REVISIT: "Bring it back for assessment now. The contributor is told.",
    Move.REOPEN: "Reopen it for triage. The contributor is told it is being looked at "
                 "again (with your message, if you write one), not your reason.",
}


class DecisionCards:
    """Implements bot.services.decisions.DecisionViews. `today` (UK date) sets the earliest
    revisit date a deferral may choose."""

    def __init__(self, today: Callable[[], date]) -> None:
        self._today = today

    def idea_card(self, idea: IdeaDetail, viewer: frozenset[Party],
                  organisation: Organisation, *, notice: str | None = None,
                  typed: dict[str, Any] | None = None) -> CardMessage:
        """The idea as this member of staff sees it: the moves they may make, or none; `typed`
        puts back what they wrote when their press was refused."""
        names = _names(organisation)
        facts = [Fact(title="Status", value=_status(idea)),
                 Fact(title="Category", value=names.get(idea.category_key, idea.category_key)),
                 Fact(title="Portfolio", value=names.get(idea.portfolio_key, idea.portfolio_key)),
                 Fact(title="Submitted", value=day_text(idea.submitted_at))]
        if idea.status in UNDECIDED:
            facts.append(Fact(title="Update due by", value=day_text(update_due(idea.submitted_at))))
        if idea.revisit_on:
            facts.append(Fact(title="Revisit on", value=day_text(idea.revisit_on)))
        if idea.duplicate_of:
            facts.append(Fact(title="Duplicate of", value=idea.duplicate_of))
        body = [heading(idea.reference), plain(idea.title),
                plain(f"From {idea.contributor_name or 'a contributor'}", italic=True),
                FactSet(facts=facts)]
        latest = _latest_move(idea, organisation)
        if latest:
            body.append(plain(latest, italic=True))
        for label, text in (("Problem", idea.problem), ("Proposal", idea.proposal),
                            ("Benefit", idea.benefit)):
            body += [subheading(label), plain(text)]
        question = latest_question(idea)
        if question is not None:
            body.append(_question(question, idea, organisation))
        moves = sorted((m for m in moves_for(idea.status, viewer) if m is not Move.WITHDRAW),
                       key=_ORDER.index)
        if any(m in NEEDS_ROOT_CAUSE for m in moves):
            body.append(Container(separator=True, spacing="Medium", items=[
                subheading("Root cause (needed to approve, decline or escalate)"),
                TextInput(id="root_cause_problem", label="What is the problem behind the idea?",
                          is_multiline=True, max_length=1000,
                          value=idea.root_cause_problem or None),
                TextInput(id="root_cause_implicated",
                          label="Which processes, systems or issues are implicated?",
                          is_multiline=True, max_length=1000,
                          value=idea.root_cause_implicated or None),
            ]))
        elif idea.root_cause_problem:
            # Decided: the answers recorded, to read (no longer to edit).
            body.append(Container(separator=True, spacing="Medium", items=[
                subheading("Root cause"),
                paragraph("The problem behind the idea:", subtle=True),
                plain(idea.root_cause_problem),
                paragraph("Processes, systems or issues implicated:", subtle=True),
                plain(idea.root_cause_implicated or "Not recorded."),
            ]))
        if notice:
            # Last, just above the buttons: where the eye is when a pressed card comes back.
            # It may name people (who decided first), so none of it is read as Markdown.
            body.append(problem(as_markdown_text(notice)))
        if Party.RECUSED in viewer:
            body.append(paragraph(_recused(idea, organisation)))
        elif not moves:
            body.append(paragraph(_read_only(viewer), subtle=True))
        elif Party.CONTRIBUTOR in viewer and organisation.allow_self_decisions:
            body.append(paragraph(SELF_DECISIONS, subtle=True))
        card = card_message(
            body,
            summary=(f"New idea to triage: {idea.title}" if idea.status is Status.SUBMITTED
                     else f"{idea.reference}: {_status(idea)}"),
            # No title here: a client that cannot show the card reads this as Markdown.
            fallback_text=f"{idea.reference} ({_status(idea)})",
            actions=[_move_action(m, idea, organisation, self._today()) for m in moves],
        )
        followers = followers_of(idea, organisation)
        if followers:
            card.card["refresh"] = RefreshDefinition(
                action=_execute("Refresh", REFRESH_VERB, idea),
                user_ids=followers[:MAX_REFRESH_USERS],
            ).model_dump(exclude_none=True, by_alias=True)
        if typed:
            fill_inputs(card.card, typed)
        return card

    def withdrawn(self, idea: IdeaDetail, contributor_name: str,
                  reason: str | None) -> CardMessage:
        body = [heading(f"{idea.reference} was withdrawn"), plain(idea.title),
                plain(f"{contributor_name or 'The contributor'} withdrew it.")]
        if reason:
            body += [paragraph("The reason they gave:", subtle=True), plain(reason)]
        return card_message(body, summary=f"{idea.reference} was withdrawn",
                            fallback_text=f"{idea.reference} was withdrawn by its contributor.")

    def refused(self, reason: str) -> CardMessage:
        return card_message([paragraph(reason)], summary="Nothing changed",
                            fallback_text=reason)

    def contributor_notice(self, idea: IdeaDetail, decision: Decision,
                           organisation: Organisation,
                           duplicate: IdeaDetail | None) -> CardMessage:
        names = _names(organisation)
        portfolio = names.get(idea.portfolio_key, "the portfolio")
        title, text = _notice_words(decision, idea, portfolio)
        body = [heading(title), subheading(idea.reference), plain(idea.title), paragraph(text)]
        if decision.what_changed:  # typed by staff: shown as written, never as Markdown
            body += [paragraph("What changed:", subtle=True), plain(decision.what_changed)]
        if duplicate is not None:
            body += [paragraph("The original idea:"),
                     plain(f"{duplicate.reference}: {duplicate.title}")]
        if decision.message:
            body += [paragraph("The message for you:", subtle=True),
                     plain(decision.message)]
        actions = [submit("See its story", CardAction.IDEA_STATUS, inputs=False,
                          reference=idea.reference)]
        if decision.move is Move.ASK:
            body.append(TextInput(id="answer", label="Your answer", is_multiline=True,
                                  is_required=True, max_length=2000,
                                  error_message="Please write your answer."))
            actions.insert(0, submit("Send answer", CardAction.ANSWER_QUESTION,
                                     reference=idea.reference))
        return card_message(body, summary=f"{idea.reference}: {title}",
                            fallback_text=f"{title}: {idea.reference}. {text}",
                            actions=actions)

    def recognition(self, idea: IdeaDetail, what_changed: str) -> CardMessage:
        who = idea.contributor_name or "a colleague"
        return card_message(
            [heading("You said, we did"), plain(idea.title),
             plain(f"Suggested by {who}", italic=True),
             paragraph("What changed:", subtle=True), plain(what_changed)],
            summary=f"You said, we did: {idea.title}",
            fallback_text="You said, we did: an idea from a colleague has been delivered.",
        )

    def answer_for_staff(self, idea: IdeaDetail, question: str, answer: str) -> CardMessage:
        who = idea.contributor_name or "The contributor"
        return card_message(
            [heading(f"An answer about {idea.reference}"), plain(idea.title),
             paragraph("The question:", subtle=True), plain(question),
             plain(f"{who} answered:", italic=True), plain(answer)],
            summary=f"An answer about {idea.reference}",
            fallback_text=f"The contributor answered the question about {idea.reference}.",
            actions=[submit("Open the idea", CardAction.OPEN_IDEA, inputs=False,
                            reference=idea.reference)],
        )


def _move_action(move: Move, idea: IdeaDetail, organisation: Organisation,
                 today: date) -> ShowCardAction:
    """A button that opens the move's questions, with a confirm button that sends them."""
    inputs = _inputs_for(move, idea, organisation, today)
    return ShowCardAction(
        title=_BUTTONS[move],
        card=AdaptiveCard(version="1.5", body=[paragraph(_WHAT_HAPPENS[move]), *inputs],
                          actions=[_execute(f"Confirm: {_BUTTONS[move].lower()}", move.value,
                                            idea)]),
    )


def _inputs_for(move: Move, idea: IdeaDetail, organisation: Organisation,
                today: date) -> list:
    key = move.value
    message_input = TextInput(
        id=f"{key}.message", label="Message to the contributor, in plain words",
        is_multiline=True, max_length=2000,
        is_required=move not in (Move.ALLOCATE, Move.REALLOCATE, Move.DELIVER, Move.REVISIT,
                                 Move.REOPEN),
        error_message="Please write a message to the contributor.",
    )
    note_input = TextInput(id=f"{key}.note", label="Internal note (not shown to the contributor)",
                           is_multiline=True, max_length=2000)
    inputs: list = []
    if move in (Move.ALLOCATE, Move.REALLOCATE):
        inputs.append(ChoiceSetInput(
            id=f"{key}.portfolio", label="Portfolio", style="compact", is_required=True,
            value=idea.portfolio_key if move is Move.ALLOCATE else None,
            choices=[Choice(title=p.name, value=p.key) for p in organisation.portfolios],
            error_message="Please choose a portfolio.",
        ))
    if move in (Move.DECLINE, Move.DECLINE_AT_TRIAGE):
        reasons = [r for r in DeclineReason
                   if move is Move.DECLINE or r in TRIAGE_DECLINE_REASONS]
        inputs += [
            ChoiceSetInput(id=f"{key}.reason", label="Why is it declined?", style="expanded",
                           is_required=True, error_message="Please choose a reason.",
                           choices=[Choice(title=r.label.capitalize(), value=r.value)
                                    for r in reasons]),
            TextInput(id=f"{key}.duplicate_of",
                      label="If a duplicate: the original idea's reference",
                      placeholder="IIP-2026-0042", max_length=20),
        ]
    if move is Move.DEFER:
        tomorrow = (today + timedelta(days=1)).isoformat()
        inputs.append(DateInput(id=f"{key}.revisit_on", label="Look at it again on",
                                is_required=True, min=tomorrow,
                                error_message="Please choose a date in the future."))
    if move is Move.DELIVER:
        inputs += [
            TextInput(id=f"{key}.what_changed", label="What changed", is_multiline=True,
                      is_required=True, max_length=1000,
                      error_message="Please say what changed."),
            TextInput(id=f"{key}.benefit_seen", label="The benefit seen so far",
                      is_multiline=True, max_length=1000),
        ]
    if move is Move.REOPEN:  # its reason is the internal note: no second one
        return [
            TextInput(id=f"{key}.reason",
                      label="Why is it reopened? (only the staff see this)",
                      is_multiline=True, is_required=True, max_length=2000,
                      error_message="Please say why it is reopened."),
            message_input,
        ]
    return [*inputs, message_input, note_input]


def _execute(title: str, verb: str, idea: IdeaDetail) -> ExecuteAction:
    return ExecuteAction(title=title, verb=verb,
                         data={"action": verb, "idea": idea.id, "version": idea.version})


def _notice_words(decision: Decision, idea: IdeaDetail, portfolio: str) -> tuple[str, str]:
    move = decision.move
    revisit = day_text(decision.revisit_on) if decision.revisit_on else "a later date"
    if move in (Move.DECLINE, Move.DECLINE_AT_TRIAGE):
        reason = decision.reason.label if decision.reason else "not taken forward"
        return "Your idea was declined", f"It was declined: {reason}."
    return {
        Move.ALLOCATE: ("Your idea is being assessed",
                        f"The PMO team has passed it to {portfolio}, whose business lead "
                        "will assess it."),
        Move.REALLOCATE: ("Your idea has moved", f"It is now with {portfolio} for assessment."),
        Move.APPROVE: ("Good news: your idea is approved", "It will be taken forward."),
        Move.ESCALATE: ("Your idea has been escalated",
                        "It is worth doing but needs the force's change governance to plan "
                        "its delivery, timeline and budget."),
        Move.DEFER: ("Your idea is deferred",
                     "It is kept, not lost, and will be looked at again on "
                     f"{revisit}."),
        Move.ASK: ("A question about your idea", "The business lead assessing it asks:"),
        Move.UPDATE: ("An update on your idea", "The team looking at it sends this update."),
        Move.DELIVER: ("You said, we did: thank you",
                       "Your idea has been delivered. Thank you for making things better."),
        Move.REVISIT: ("Your idea is being looked at again",
                       f"{portfolio} is assessing it again."),
        Move.REOPEN: ("Your idea has been reopened", "The PMO team will look at it again."),
    }.get(move, ("An update on your idea", ""))


def _latest_move(idea: IdeaDetail, organisation: Organisation) -> str | None:
    """Who made the idea's last move, and when, for the card that replaces the pressed one."""
    for entry in reversed(idea.history):
        try:
            move = Move(entry.action)
        except ValueError:  # submitted, answered: not a decision
            continue
        person = organisation.person(entry.actor)
        who = (person.name if person else None) or (
            idea.contributor_name if entry.actor == idea.contributor_object_id else None)
        at = entry.at.astimezone(LONDON)
        said = f"{who or 'Someone'} {move.label} on {day_text(at)} at {at:%H:%M}."
        return f"{said} Why: {entry.reason}" if move is Move.REOPEN and entry.reason else said
    return None


def _recused(idea: IdeaDetail, organisation: Organisation) -> str:
    """Why the contributor, on the staff, has no buttons on their own idea, and who decides."""
    found = deciders(idea, organisation)
    portfolio = _names(organisation).get(idea.portfolio_key, "the portfolio")
    who = []
    if found.business_leads:
        who.append(f"{_people(organisation, found.business_leads)} for {portfolio}")
    if found.pmo:
        who.append(f"{_people(organisation, found.pmo)} for the PMO team")
    if not who:
        return ("You submitted this idea, so you cannot decide it, and nobody else can at "
                "the moment: the organisation file names no one else who may.")
    return f"You submitted this idea, so others decide it: {' and '.join(who)}."


def _people(organisation: Organisation, ids: tuple[str, ...]) -> str:
    names = [p.name for p in people_named(organisation, ids)] or ["someone not yet named"]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _question(question: Question, idea: IdeaDetail, organisation: Organisation) -> Container:
    """The latest question asked of the contributor, and their answer (or that none came)."""
    person = organisation.person(question.asked.actor)
    asked = question.asked.at.astimezone(LONDON)
    items = [subheading("Latest question to the contributor"),
             paragraph(f"{person.name if person else 'Someone'} asked on {day_text(asked)}:",
                       subtle=True),
             plain(question.asked.message_to_contributor or "")]
    if question.answer is not None and question.answered is not None:
        who = idea.contributor_name or "The contributor"
        items += [paragraph(f"{who} answered on {day_text(question.answered.at)}:",
                            subtle=True), plain(question.answer)]
    else:
        items.append(paragraph("No answer yet.", subtle=True))
    return Container(separator=True, spacing="Medium", items=items)


def _read_only(viewer: frozenset[Party]) -> str:
    if not viewer:
        return "Only the PMO team and the portfolio's business leads can act on this idea."
    return "There is nothing for you to do on this idea now."


def _names(organisation: Organisation) -> dict[str, str]:
    return ({p.key: p.name for p in organisation.portfolios}
            | {c.key: c.name for c in organisation.categories})


def _status(idea: IdeaDetail) -> str:
    return idea.summary.status_label
