"""Cards of the guided submission: one question a card, the check, the receipt."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from microsoft_teams.cards.core import (
    Action,
    ActionSet,
    CardElement,
    Choice,
    ChoiceSetInput,
    Container,
    Fact,
    FactSet,
    TextInput,
)

from bot.domain.intake import (
    CAMPAIGN_ANSWER_LIMIT,
    CAMPAIGN_QUESTIONS,
    TEXT_QUESTIONS,
    CampaignOption,
    Choices,
    Draft,
    Option,
    Step,
    answer_to,
)
from bot.domain.sensitive import SensitiveText
from cards.actions import CardAction
from cards.base import (
    CardMessage,
    as_markdown_text,
    card_message,
    day_text,
    heading,
    paragraph,
    plain,
    problem,
    subheading,
    submit,
)

PROMPTS: dict[Step, tuple[str, str]] = {
    Step.TITLE: ("Give your idea a short title",
                 "A few words someone could recognise it by."),
    Step.PROBLEM: ("What is the problem behind your idea?",
                   "What is wrong today, who does it affect, and why does it matter?"),
    Step.PROPOSAL: ("What do you propose?",
                    "A new approach or way of working, or an improvement to an existing "
                    "process, system or capability."),
    Step.BENEFIT: ("What difference would it make?",
                   "Time or money saved, better service to the public, safety, wellbeing."),
    Step.CATEGORY: ("Which category fits best?", "Choose the closest; the PMO can change it."),
    Step.PORTFOLIO: ("Which portfolio or department would own it?",
                     "Every idea needs the department that would run it."),
    Step.CAMPAIGN: ("Does it answer one of the current campaigns?",
                    "Choose none if it does not."),
    Step.RECOGNITION: ("If your idea is delivered, may we name you?",
                       "We celebrate delivered ideas in the force news channel. You are "
                       "thanked privately either way."),
}
SECTION_NAMES = {
    Step.TITLE: "Title", Step.PROBLEM: "Problem", Step.PROPOSAL: "Proposal",
    Step.BENEFIT: "Benefit", Step.CATEGORY: "Category", Step.PORTFOLIO: "Portfolio",
    Step.CAMPAIGN: "Campaign", Step.RECOGNITION: "Recognition",
}
# The input's own label: short, and not the heading again (a screen reader would read the
# question twice); a text answer's label says its limit.
INPUT_LABELS = {
    Step.CATEGORY: "Category", Step.PORTFOLIO: "Portfolio or department",
    Step.CAMPAIGN: "Campaign", Step.RECOGNITION: "Your answer",
}
TYPE_HINT = "You can also type your answer, **back** to go back or **cancel** to stop."


def question_card(draft: Draft, step: Step, steps: Sequence[Step], choices: Choices,
                  *, error: str | None = None, typed: str | None = None) -> CardMessage:
    """The card asking `step`; with `error`, the person's refused answer is shown again."""
    title, hint = PROMPTS[step] if step in PROMPTS else _campaign_prompt(draft, step, choices)
    number = steps.index(step) + 1 if step in steps else 1
    body: list[CardElement] = [
        paragraph(f"New idea · step {number} of {len(steps) - 1}", subtle=True),
        heading(title),
        paragraph(hint),
    ]
    if error:
        body.append(problem(error))
    body.append(_input_for(draft, step, choices, typed))
    body.append(paragraph(TYPE_HINT, subtle=True))
    actions = [submit("Next", CardAction.ANSWER, step=step.value, revision=draft.revision)]
    if number > 1 or draft.editing:
        actions.append(submit("Back", CardAction.BACK, inputs=False, step=step.value,
                              revision=draft.revision))
    actions.append(submit("Cancel", CardAction.CANCEL, inputs=False))
    return card_message(body, summary=title, fallback_text=f"{title} {hint} Type your answer.",
                        actions=actions)


def _campaign_prompt(draft: Draft, step: Step, choices: Choices) -> tuple[str, str]:
    """A campaign's own question (the PMO's words, shown as written) and whose it is."""
    call = choices.campaign(draft.campaign)
    question = _question(draft, step, choices) or "A question of the campaign"
    name = as_markdown_text(call.name) if call else "the campaign"
    return as_markdown_text(question), f"A question of the call for ideas on {name}."


def _question(draft: Draft, step: Step, choices: Choices) -> str:
    """The text of the campaign question `step` asks ("" if the campaign has no such one)."""
    call = choices.campaign(draft.campaign)
    number = CAMPAIGN_QUESTIONS.index(step)
    return call.questions[number] if call and number < len(call.questions) else ""


def _input_for(draft: Draft, step: Step, choices: Choices, typed: str | None):
    if step in CAMPAIGN_QUESTIONS:
        value = typed if typed is not None else answer_to(draft, _question(draft, step, choices))
        return TextInput(
            id="answer", label=f"Your answer (up to {CAMPAIGN_ANSWER_LIMIT:,} characters)",
            is_required=True, max_length=CAMPAIGN_ANSWER_LIMIT, is_multiline=True,
            value=value or None,
            error_message=f"Please write your answer (up to {CAMPAIGN_ANSWER_LIMIT:,} "
                          "characters).",
        )
    if step in TEXT_QUESTIONS:
        question = TEXT_QUESTIONS[step]
        value = typed if typed is not None else draft.text_of(step)
        return TextInput(
            id="answer", label=f"{question.label} (up to {question.limit:,} characters)",
            is_required=True, max_length=question.limit,
            is_multiline=step is not Step.TITLE, value=value or None,
            error_message=f"Please write {question.label.lower()} "
                          f"(up to {question.limit:,} characters).",
        )
    if step is Step.RECOGNITION:
        current = {True: "yes", False: "no"}.get(draft.named_publicly)  # type: ignore[arg-type]
        return ChoiceSetInput(
            id="answer", label=INPUT_LABELS[step], style="expanded", is_required=True,
            value=current,
            choices=[Choice(title="Yes, you may name me", value="yes"),
                     Choice(title="No, please do not name me", value="no")],
            error_message="Please choose yes or no.",
        )
    options, current = {
        Step.CATEGORY: (choices.categories, draft.category),
        Step.PORTFOLIO: (choices.portfolios, draft.portfolio),
        Step.CAMPAIGN: ((Option("none", "None of them"), *choices.campaigns),
                        draft.campaign or None),
    }[step]
    return ChoiceSetInput(
        id="answer", label=INPUT_LABELS[step], style="compact", is_required=True,
        value=current if current in {o.key for o in options} else None,
        placeholder="Choose one", choices=[Choice(title=o.name, value=o.key) for o in options],
        error_message="Please choose one from the list.",
    )


def check_card(draft_id: str, draft: Draft, choices: Choices, *, error: str | None = None,
               dropped: str | None = None) -> CardMessage:
    """The whole idea, each part with its Edit button, and Submit; `dropped` says why it no
    longer answers the campaign it did."""
    names = {o.key: o.name for o in (*choices.categories, *choices.portfolios,
                                      *choices.campaigns)}
    body: list[CardElement] = [heading("Check your idea"),
            paragraph("This is what the PMO team and the portfolio will read.")]
    if error:
        body.append(problem(error))
    for step in (Step.TITLE, Step.PROBLEM, Step.PROPOSAL, Step.BENEFIT):
        body.append(_section(step, plain(draft.text_of(step) or "Not answered yet")))
    where = [Fact(title="Category", value=names.get(draft.category or "", "Not chosen")),
             Fact(title="Portfolio", value=names.get(draft.portfolio or "", "Not chosen"))]
    if choices.campaigns or draft.campaign or dropped:
        where.append(Fact(title="Campaign", value=names.get(draft.campaign or "", "None")))
    where.append(Fact(title="Name me if delivered",
                      value={True: "Yes", False: "No"}.get(draft.named_publicly,  # type: ignore[arg-type]
                                                           "Not answered")))
    facts: list[CardElement] = [FactSet(facts=where)]
    if dropped:
        facts.append(problem(dropped))
    body.append(Container(items=facts, separator=True, spacing="Medium"))
    edits: list[Action] = [
        submit("Edit category", CardAction.EDIT, inputs=False, step=Step.CATEGORY.value),
        submit("Edit portfolio", CardAction.EDIT, inputs=False, step=Step.PORTFOLIO.value),
    ]
    if choices.campaigns:
        edits.append(submit("Edit campaign", CardAction.EDIT, inputs=False,
                            step=Step.CAMPAIGN.value))
    edits.append(submit("Edit recognition", CardAction.EDIT, inputs=False,
                        step=Step.RECOGNITION.value))
    body.append(ActionSet(actions=edits))
    body += _campaign_answers(draft, choices)
    body.append(_who_can_find_it(draft))
    return card_message(
        body,
        summary=f"Check your idea: {draft.title}",
        fallback_text="Check your idea, then submit it.",
        actions=[
            # The one button that finishes: it stands out from the seven Edit buttons.
            submit("Submit idea", CardAction.SUBMIT_IDEA, inputs=False, draft=draft_id,
                   revision=draft.revision).with_style("positive"),
            submit("Cancel", CardAction.CANCEL, inputs=False),
        ],
    )


def _campaign_answers(draft: Draft, choices: Choices) -> list[CardElement]:
    """The campaign's own questions with the draft's answers, each with its Edit button."""
    call = choices.campaign(draft.campaign)
    if call is None or not call.questions:
        return []
    parts: list[CardElement] = [subheading(f"For the call for ideas on "
                                           f"{as_markdown_text(call.name)}")]
    for number, (step, question) in enumerate(zip(CAMPAIGN_QUESTIONS, call.questions,
                                                  strict=False), start=1):
        parts.append(Container(separator=True, spacing="Medium", items=[
            plain(question, italic=True),
            plain(answer_to(draft, question) or "Not answered yet"),
            ActionSet(actions=[submit(f"Edit answer {number}", CardAction.EDIT, inputs=False,
                                      step=step.value)]),
        ]))
    return parts


# What colleagues see of an idea they find by searching (bot.domain.similar.Audience).
COLLEAGUES_SEE = ("its reference, its title, where it has got to and the outcome; never your "
                  "name, and not the rest of what you wrote")
SHARED_WORDS = (f"**Colleagues can find it** when they search earlier ideas: they see "
                f"{COLLEAGUES_SEE}. It is shared unless you keep it private.")
PRIVATE_WORDS = ("**Kept private**: only the PMO team and the portfolio's business leads will "
                 "read it, and colleagues searching earlier ideas will not find it.")


def _who_can_find_it(draft: Draft) -> Container:
    """Plainly, what colleagues will see of the idea, with the choice to keep it private (or
    to share it after all); typed, "keep it private" and "share it" do the same."""
    private = draft.private is not False
    button = (submit("Let colleagues find it", CardAction.SHARING, inputs=False,
                     answer="shared", step=Step.CHECK.value, revision=draft.revision)
              if private else
              submit("Keep it private", CardAction.SHARING, inputs=False, answer="private",
                     step=Step.CHECK.value, revision=draft.revision))
    return Container(separator=True, spacing="Medium", items=[
        subheading("Who can find it"),
        paragraph(PRIVATE_WORDS if private else SHARED_WORDS),
        paragraph(f"Type **{'share it' if private else 'keep it private'}** to change this.",
                  subtle=True),
        ActionSet(actions=[button]),
    ])


def _section(step: Step, content) -> Container:
    return Container(
        separator=True, spacing="Medium",
        items=[
            subheading(SECTION_NAMES[step]),
            content,
            ActionSet(actions=[submit(f"Edit {SECTION_NAMES[step].lower()}", CardAction.EDIT,
                                      inputs=False, step=step.value)]),
        ],
    )


def sensitive_card(draft_id: str, draft: Draft, found: Sequence[SensitiveText]) -> CardMessage:
    """Before submitting: what looks personal or operational, and where. Never blocks."""
    lines = [f"**{SECTION_NAMES[Step(f.field)]}** seems to hold "
             f"{_and([finding.value for finding in f.findings])}." for f in found]
    edits: list[Action] = [submit(f"Edit {SECTION_NAMES[Step(f.field)].lower()}", CardAction.EDIT,
                    inputs=False, step=f.field) for f in found]
    return card_message(
        [
            heading("Before you submit"),
            paragraph("Ideas are read by several people, so please leave out personal or "
                      "operational details unless the idea needs them."),
            *[paragraph(line) for line in lines],
            ActionSet(actions=edits),
        ],
        summary="Please check for personal or operational details",
        fallback_text="Your idea may contain personal or operational details. Edit it, or "
                      "confirm they are needed.",
        actions=[
            submit("They are needed: submit", CardAction.SUBMIT_IDEA, inputs=False,
                   draft=draft_id, revision=draft.revision, confirmed="yes"),
            submit("Cancel", CardAction.CANCEL, inputs=False),
        ],
    )


def receipt_card(reference: str, title: str, due: date, *,
                 notice: str | None = None) -> CardMessage:
    """`notice`: what became of the submission that the person did not expect."""
    when = day_text(due)
    return card_message(
        [
            heading("Thank you: your idea is in"),
            *([problem(notice)] if notice else []),
            FactSet(facts=[Fact(title="Reference", value=reference)]),
            plain(title),
            subheading("What happens next"),
            paragraph("The PMO team reads it and passes it to the portfolio that would own "
                      "it. Its business lead assesses it, and you hear about every decision "
                      "here."),
            paragraph(f"You will have a proper update by **{when}** at the latest."),
        ],
        summary=f"Your idea {reference} is in",
        fallback_text=f"Thank you: your idea {reference} is in. You will have an update by "
                      f"{when}.",
        actions=[submit("My ideas", CardAction.MY_IDEAS, inputs=False)],
    )


def resume_card(draft: Draft, updated_at: datetime, call: CampaignOption | None = None, *,
                previous: str | None = None, notice: str | None = None) -> CardMessage:
    """The draft in progress, to carry on or start afresh. From a call for ideas (`call`),
    both answer it, and the buttons say which; `previous`, the campaign the draft answered."""
    title = draft.title or "an untitled idea"
    body: list[CardElement] = [heading("You have an idea in progress")]
    if notice:
        body.append(problem(notice))
    body += [plain(title),
             paragraph(f"Last changed {day_text(updated_at)}. Carry on where you left off, "
                       "or start afresh (the draft is then discarded).", subtle=True)]
    tag: dict[str, str] = {}
    if call is not None:
        name = as_markdown_text(call.name)
        instead = (f" instead of the call on {as_markdown_text(previous)}, whose answers "
                   "are then removed" if previous else "")
        body.append(paragraph(f"You came from the call for ideas on {name}. Carry on, and "
                              f"this idea will answer it{instead}; or start afresh with a new "
                              "idea for it."))
        tag = {"campaign": call.key}
    return card_message(
        body,
        summary="You have an idea in progress",
        fallback_text="You have an idea in progress. Type resume, or start afresh.",
        actions=[submit("Carry on", CardAction.RESUME_DRAFT, inputs=False, **tag),
                 submit("Start afresh", CardAction.RESTART_DRAFT, inputs=False, **tag)],
    )


def cancelled_card() -> CardMessage:
    text = "Stopped. Your draft is kept: type **new idea** whenever you want to carry on."
    return card_message([paragraph(text)], summary="Your draft is kept",
                        fallback_text=text.replace("**", ""),
                        actions=[submit("Carry on now", CardAction.NEW_IDEA, inputs=False)])


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
