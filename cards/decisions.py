"""Cards of triage and decisions: the staff's idea card with its buttons, and what the
contributor, the news channel and the staff are told."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from microsoft_teams.cards.core import (
    ActionSet,
    AdaptiveCard,
    CardElement,
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

from bot.domain.duplicates import (
    DECLINE_DUPLICATE,
    SHOWN_WHILE,
    Original,
    closeness,
    may_decline_as_duplicate,
)
from bot.domain.ideas import (
    LONDON,
    DeclineReason,
    IdeaDetail,
    Status,
)
from bot.domain.lifecycle import (
    TRIAGE_DECLINE_REASONS,
    Decision,
    Move,
    Party,
    Question,
    deciders,
    followers_of,
    latest_question,
    moves_for,
    revisit_window,
)
from bot.domain.messages import CardMessage
from bot.domain.moves import (
    BUTTON_ORDER,
    MESSAGE,
    ROOT_CAUSES,
    Input,
    InputKind,
    Notice,
    Options,
    input_id,
)
from bot.domain.organisation import Organisation, people_named
from bot.domain.similar import Match, MatchKind, Visibility
from bot.domain.supporters import SUPPORTER_NOTICES
from bot.domain.visibility import (
    CHOICE_INPUT,
    NAMES,
    PUBLIC_TITLE_LIMIT,
    TITLE_INPUT,
    Findability,
    describe,
)
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
from cards.ideas import campaign_part
from cards.promise import staff_fact

SELF_DECISIONS = ("You submitted this idea. Self-decisions are allowed in this "
                  "organisation, so you may decide it yourself.")
REFRESH_VERB = "refresh"
MAX_REFRESH_USERS = 60

class DecisionCards:
    """Implements bot.services.decisions.DecisionViews. `today` (UK date) sets the earliest
    revisit date a deferral may choose."""

    def __init__(self, today: Callable[[], date]) -> None:
        self._today = today

    def idea_card(self, idea: IdeaDetail, viewer: frozenset[Party],
                  organisation: Organisation, *, notice: str | None = None,
                  typed: Mapping[str, str] | None = None) -> CardMessage:
        """The idea as this member of staff sees it: the moves they may make, or none; `typed`
        puts back what they wrote when their press was refused."""
        names = _names(organisation)
        facts = [Fact(title="Status", value=_status(idea)),
                 Fact(title="Category", value=names.get(idea.category_key, idea.category_key)),
                 Fact(title="Portfolio", value=names.get(idea.portfolio_key, idea.portfolio_key)),
                 Fact(title="Submitted", value=day_text(idea.submitted_at))]
        promise = staff_fact(idea.summary, self._today())
        if promise is not None:
            facts.append(promise)
        if idea.revisit_on:
            facts.append(Fact(title="Revisit on", value=day_text(idea.revisit_on)))
        if idea.duplicate_of:
            facts.append(Fact(title="Duplicate of", value=idea.duplicate_of))
        if idea.supporters:
            facts.append(Fact(title="Supporters", value=f"{idea.supporters:,}"))
        body = [heading(idea.reference), plain(idea.title),
                plain(f"From {idea.contributor_name or 'a contributor'}", italic=True),
                FactSet(facts=facts)]
        latest = _latest_move(idea, organisation)
        if latest:
            body.append(plain(latest, italic=True))
        for label, text in (("Problem", idea.problem), ("Proposal", idea.proposal),
                            ("Benefit", idea.benefit)):
            body += [subheading(label), plain(text)]
        body += campaign_part(idea)
        moves = sorted((m for m in moves_for(idea.status, viewer) if m in BUTTON_ORDER),
                       key=BUTTON_ORDER.index)
        if idea.matches is not None and idea.status in SHOWN_WHILE:
            body.append(_similar(idea, idea.matches, moves))
        question = latest_question(idea)
        if question is not None:
            body.append(_question(question, idea, organisation))
        if any(m.spec.root_cause for m in moves):
            answered = (idea.root_cause_problem, idea.root_cause_implicated)
            body.append(Container(separator=True, spacing="Medium", items=[
                subheading("Root cause (needed to approve, decline or escalate)"),
                *(TextInput(id=answer.name, label=answer.label, is_multiline=True,
                            max_length=answer.limit, value=value or None)
                  for answer, value in zip(ROOT_CAUSES, answered, strict=True)),
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
        if Party.PMO in viewer:
            body.append(_findability(idea))
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
                           duplicate: Original | None) -> CardMessage:
        names = _names(organisation)
        portfolio = names.get(idea.portfolio_key, "the portfolio")
        title, text = _notice_words(decision, idea, portfolio)
        body = [heading(title), subheading(idea.reference), plain(idea.title), paragraph(text)]
        if decision.what_changed:  # typed by staff: shown as written, never as Markdown
            body += [paragraph("What changed:", subtle=True), plain(decision.what_changed)]
        if duplicate is not None:
            body += [paragraph("The original idea:"), plain(
                f"{duplicate.reference}: {duplicate.named_as}" if duplicate.named_as
                else duplicate.reference)]
            if duplicate.named_as is None:
                body.append(paragraph("Its contributor keeps it private, so only its "
                                      "reference is given.", subtle=True))
        if decision.message:
            body += [paragraph("The message for you:", subtle=True),
                     plain(decision.message)]
        actions = [submit("See its story", CardAction.IDEA_STATUS, inputs=False,
                          reference=idea.reference)]
        if decision.move.spec.notice and decision.move.spec.notice.answer:
            body.append(TextInput(id="answer", label="Your answer", is_multiline=True,
                                  is_required=True, max_length=2000,
                                  error_message="Please write your answer."))
            actions.insert(0, submit("Send answer", CardAction.ANSWER_QUESTION,
                                     reference=idea.reference))
        return card_message(body, summary=f"{idea.reference}: {title}",
                            fallback_text=f"{title}: {idea.reference}. {text}",
                            actions=actions)

    def supporter_notice(self, idea: IdeaDetail, title: str, decision: Decision,
                         organisation: Organisation,
                         duplicate: Original | None) -> CardMessage:
        """What a supporter is told of a move: the contributor's news in a supporter's words,
        without the message or the question meant for the contributor alone."""
        notice = SUPPORTER_NOTICES[decision.move]
        portfolio = _names(organisation).get(idea.portfolio_key, "the portfolio")
        heading_text, text = _notice_words(decision, idea, portfolio, notice)
        body = [heading(heading_text), subheading(idea.reference), plain(title),
                paragraph(text)]
        if decision.what_changed:
            body += [paragraph("What changed:", subtle=True), plain(decision.what_changed)]
        if duplicate is not None:
            body += [paragraph("The original idea:"), plain(duplicate.reference)]
        # Gone for good unless its contributor puts it forward again: the problem may now
        # be the supporter's to raise.
        actions = ([submit("Put forward my own idea", CardAction.NEW_IDEA, inputs=False)]
                   if decision.move is Move.WITHDRAW else [])
        return card_message(body, summary=f"{idea.reference}: {heading_text}",
                            fallback_text=f"{heading_text}: {idea.reference}. {text}",
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


# The PMO's choices of who may find an idea, in the words of their form.
_FINDABILITY_CHOICES = (
    (Visibility.SHARED, "Shared: colleagues may find it (publish)"),
    (Visibility.PRIVATE, "Private: matched for staff only"),
    (Visibility.HIDDEN, "Hidden: out of colleagues' searches"),
)


def _findability(idea: IdeaDetail) -> Container:
    """For the PMO: who may find the idea by searching, and a form to publish it, hide it or
    give it a public title (a redaction) in place of its own."""
    setting = Findability(idea.visibility, idea.public_title)
    form = AdaptiveCard(version="1.5", body=[
        paragraph("Colleagues who find an idea see its reference, title, status and outcome, "
                  "never its contributor's name."),
        ChoiceSetInput(id=CHOICE_INPUT, label="Who may find it", style="expanded",
                       is_required=True, value=idea.visibility.value,
                       error_message="Please choose who may find it.",
                       choices=[Choice(title=title, value=choice.value)
                                for choice, title in _FINDABILITY_CHOICES]),
        TextInput(id=TITLE_INPUT, label="Title colleagues see (empty: its own title)",
                  max_length=PUBLIC_TITLE_LIMIT, value=idea.public_title or None,
                  placeholder=idea.title[:PUBLIC_TITLE_LIMIT]),
    ], actions=[ExecuteAction(title="Confirm: who may find it", verb=CardAction.FINDABILITY,
                              data={"action": CardAction.FINDABILITY, "idea": idea.id,
                                    "shown": setting.state})])
    return Container(separator=True, spacing="Medium", items=[
        subheading(f"Who may find it by searching: {NAMES[idea.visibility].lower()}"),
        plain(describe(setting, idea.title)),
        ActionSet(actions=[ShowCardAction(title="Change who may find it", card=form)]),
    ])


def _move_action(move: Move, idea: IdeaDetail, organisation: Organisation,
                 today: date) -> ShowCardAction:
    """A button that opens the move's questions, with a confirm button that sends them."""
    spec = move.spec
    button = spec.button or move.value
    inputs = [_input(move, answer, idea, organisation, today) for answer in spec.inputs]
    return ShowCardAction(
        title=button,
        card=AdaptiveCard(version="1.5", body=[paragraph(spec.what_happens), *inputs],
                          actions=[_execute(f"Confirm: {button.lower()}", move.value, idea)]),
    )


def _input(move: Move, answer: Input, idea: IdeaDetail, organisation: Organisation,
           today: date) -> TextInput | ChoiceSetInput | DateInput:
    """The form's input for one of the move's answers."""
    key = input_id(move, answer)
    required = True if answer.required else None
    if answer.kind is InputKind.CHOICE:
        return ChoiceSetInput(
            id=key, label=answer.label, is_required=required, error_message=answer.card_error,
            style="compact" if answer.options is Options.PORTFOLIOS else "expanded",
            value=idea.portfolio_key if answer.starts_as_current else None,
            choices=_options(answer.options, organisation),
        )
    if answer.kind is InputKind.DATE:
        allowed = revisit_window(today)
        return DateInput(id=key, label=answer.label, is_required=required,
                         min=allowed.first.isoformat(), max=allowed.last.isoformat(),
                         error_message=answer.card_error)
    if answer.name == MESSAGE.name:  # it says outright whether it may be left empty
        required = answer.required
    return TextInput(id=key, label=answer.label, is_multiline=answer.multiline or None,
                     max_length=answer.limit, is_required=required,
                     error_message=answer.card_error, placeholder=answer.placeholder)


def _options(options: Options | None, organisation: Organisation) -> list[Choice]:
    if options is Options.PORTFOLIOS:
        return [Choice(title=p.name, value=p.key) for p in organisation.portfolios]
    reasons = TRIAGE_DECLINE_REASONS if options is Options.TRIAGE_DECLINE_REASONS else None
    return [Choice(title=r.label.capitalize(), value=r.value) for r in DeclineReason
            if reasons is None or r in reasons]


def _execute(title: str, verb: str, idea: IdeaDetail) -> ExecuteAction:
    return ExecuteAction(title=title, verb=verb,
                         data={"action": verb, "idea": idea.id, "version": idea.version})


def _notice_words(decision: Decision, idea: IdeaDetail, portfolio: str,
                  notice: Notice | None = None) -> tuple[str, str]:
    """The notice's title and line for this decision (`notice`: words other than the
    contributor's)."""
    notice = notice or decision.move.spec.notice
    if notice is None:
        return "An update on your idea", ""
    revisit = day_text(decision.revisit_on) if decision.revisit_on else "a later date"
    reason = decision.reason.label if decision.reason else "not taken forward"
    return notice.title, notice.text.format(portfolio=portfolio, revisit=revisit,
                                            reason=reason)


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


def _similar(idea: IdeaDetail, matches: tuple[Match, ...], moves: list[Move]) -> Container:
    """The ideas and initiatives found like this one, best first, each with how close it is;
    a likely duplicate idea with a one-press decline, for those who may decline it now."""
    declines = next((m for m in moves if m in (Move.DECLINE_AT_TRIAGE, Move.DECLINE)), None)
    items: list[CardElement] = [subheading("Similar ideas and initiatives")]
    if not matches:
        items.append(paragraph("No similar ideas or known initiatives were found.",
                               subtle=True))
    elif declines is not None and declines.spec.root_cause and any(
            may_decline_as_duplicate(m) for m in matches):
        items.append(paragraph("Declining it as a duplicate records the root-cause answers "
                               "below: answer both first.", subtle=True))
    for match in matches:
        line = [_KINDS[match.kind], match.status, closeness(match)]
        if match.supporters:
            line.append(f"{match.supporters} supporter{'s' if match.supporters != 1 else ''}")
        part: list[CardElement] = [plain(f"{match.reference}: {match.title}"),
                                   paragraph(" · ".join(line), subtle=True)]
        if match.outcome:
            part.append(plain(match.outcome, italic=True))
        if declines is not None and may_decline_as_duplicate(match):
            part.append(ActionSet(actions=[ExecuteAction(
                title=f"Decline as duplicate of {match.reference}", verb=DECLINE_DUPLICATE,
                data={"action": DECLINE_DUPLICATE, "idea": idea.id, "version": idea.version,
                      "original": match.reference})]))
        items.append(Container(spacing="Small", items=part))
    return Container(separator=True, spacing="Medium", items=items)


_KINDS = {MatchKind.IDEA: "Idea", MatchKind.INITIATIVE: "Initiative"}


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
