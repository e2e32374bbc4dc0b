"""Cards of the staff's lists: their queues, the deferred register, what `find` found, and
the short answer to opening an idea. Next and Previous are Action.Execute buttons: Teams
replaces the card in place with the page the bot answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from microsoft_teams.cards.core import ActionSet, Container, ExecuteAction, Fact, FactSet

from bot.domain.ideas import IdeaSummary
from bot.domain.listing import ListPage, Window
from bot.domain.requests import QueueView
from cards.actions import CardAction
from cards.base import (
    CardMessage,
    card_message,
    day_text,
    heading,
    paragraph,
    plain,
    subheading,
    submit,
)
from cards.promise import staff_fact

# A queue card's Next and Previous say which list they page (cards.requests reads it back).
TRIAGE_VIEW = QueueView.TRIAGE.value
QUEUE_VIEW = QueueView.QUEUE.value
_TITLES = {"triage": "Ideas awaiting triage", "assess": "Ideas awaiting your assessment"}
_SECTION_WORDS = {"triage": "triage", "assess": "assessment"}


def queue_card(triage: ListPage | None, assess: ListPage | None, *,
               view: str = QUEUE_VIEW, today: date | None = None) -> CardMessage:
    """A member of staff's queue: ideas to triage (the PMO's), ideas to assess (a business
    lead's), each section there only for those who hold that role, the longest waiting
    first, with its true total and a page of ten; an update overdue at `today` (UK) is
    said so."""
    sections = {name: page for name, page in (("triage", triage), ("assess", assess))
                if page is not None}
    pages = {name: page.window.number for name, page in sections.items()}
    body: list[Any] = []
    counts = []
    for name, page in sections.items():
        total = page.window.total
        body.append(heading(f"{_TITLES[name]}: {total:,}"))
        counts.append(f"{_TITLES[name]}: {total:,}")
        if not page.ideas:
            body.append(paragraph("Nothing is waiting for you here. Well done."))
            continue
        body.append(paragraph("The longest waiting first." + _page_words(page), subtle=True))
        body += [_listed(idea, today) for idea in page.ideas]
        suffix = f": {_SECTION_WORDS[name]}" if len(sections) > 1 else ""
        buttons = paging(page.window, suffix, lambda number, name=name: {
            "action": CardAction.QUEUE_PAGE.value, "view": view, **pages, name: number})
        if buttons:
            body.append(buttons)
    summary = "; ".join(counts)
    return card_message(body, summary=summary, fallback_text=summary,
                        actions=[submit("Deferred ideas", CardAction.DEFERRED, inputs=False)])


def deferred_card(page: ListPage) -> CardMessage:
    """The deferred register: every deferred idea the person may see, the soonest to look at
    again first, each with its revisit date, a page of ten."""
    total = page.window.total
    summary = f"Deferred ideas: {total:,}"
    body: list[Any] = [heading(summary)]
    if not page.ideas:
        body.append(paragraph("No idea is deferred at the moment."))
        return card_message(body, summary=summary, fallback_text=summary)
    body.append(paragraph("The soonest to look at again first." + _page_words(page),
                          subtle=True))
    body += [_listed(idea, None, revisit=True) for idea in page.ideas]
    buttons = paging(page.window, "", lambda number: {
        "action": CardAction.DEFERRED_PAGE.value, "page": number})
    if buttons:
        body.append(buttons)
    return card_message(body, summary=summary, fallback_text=summary)


def find_card(text: str, page: ListPage, *, today: date | None = None) -> CardMessage:
    """Ideas whose reference or title holds `text`, newest first."""
    total = page.window.total
    summary = f"Ideas matching “{text}”: {total:,}"
    if not page.ideas:
        words = f"No ideas match “{text}”."
        # The fallback is read as Markdown by a client that cannot show the card: no
        # typed text in it.
        return card_message([plain(words), paragraph(_FIND_HOW, subtle=True)],
                            summary=summary, fallback_text="No ideas match that text.")
    body: list[Any] = [heading(f"Ideas found: {total:,}"), plain(f"Matching “{text}”"),
                       paragraph("The newest first." + _page_words(page), subtle=True)]
    body += [_listed(idea, today) for idea in page.ideas]
    buttons = paging(page.window, "", lambda number: {
        "action": CardAction.FIND_PAGE.value, "text": text, "page": number})
    if buttons:
        body.append(buttons)
    return card_message(body, summary=summary, fallback_text=f"Ideas found: {total:,}")


_FIND_HOW = ("Type find and a few letters of its title or reference, such as "
             "**find notebooks** or **find 2026-0042**.")


def find_how_card(problem: str | None = None) -> CardMessage:
    """How to look for an idea; `problem` says what was wrong with the text given."""
    body = [paragraph(problem)] if problem else []
    body.append(paragraph(_FIND_HOW))
    text = " ".join(filter(None, [problem, _FIND_HOW.replace("**", "")]))
    return card_message(body, summary="Find an idea", fallback_text=text)


def opened_card(idea: IdeaSummary, portfolio: str, card_sent_at: datetime | None, *,
                today: date | None = None) -> CardMessage:
    """The short answer when a member of staff opens an idea: its status, and where their one
    card of it (with what they can do) is. No buttons: those are on that card only."""
    facts = [Fact(title="Status", value=idea.status_label),
             Fact(title="Portfolio", value=portfolio),
             Fact(title="Submitted", value=day_text(idea.submitted_at))]
    promise = staff_fact(idea, today)
    if promise is not None:
        facts.append(promise)
    where = ("Its card, with what you can do, follows in a moment. It stays up to date as "
             "the idea moves." if card_sent_at is None else
             "Its card, with what you can do, is kept up to date in one place: I have "
             f"brought it up to date where I sent it on {day_text(card_sent_at)}.")
    return card_message([subheading(idea.reference), plain(idea.title), FactSet(facts=facts),
                         paragraph(where, subtle=True)],
                        summary=f"{idea.reference}: {idea.status_label}",
                        fallback_text=f"{idea.reference} is {idea.status_label.lower()}.")


def _listed(idea: IdeaSummary, today: date | None, *, revisit: bool = False) -> Container:
    """One idea of a list, opened by a tap; `revisit`: with its revisit date first; an
    update overdue at `today` (UK) is said so."""
    facts = [Fact(title="Status", value=idea.status_label),
             Fact(title="Submitted", value=day_text(idea.submitted_at))]
    if revisit and idea.revisit_on:
        facts.insert(0, Fact(title="Revisit on", value=day_text(idea.revisit_on)))
    promise = staff_fact(idea, today)
    if promise is not None:
        facts.append(promise)
    return Container(
        separator=True, spacing="Medium",
        select_action=submit("Open", CardAction.OPEN_IDEA, inputs=False,
                             reference=idea.reference),
        items=[subheading(idea.reference), plain(idea.title), FactSet(facts=facts)],
    )


def _page_words(page: ListPage) -> str:
    shown = page.window
    return f" Page {shown.number:,} of {shown.pages:,}." if shown.pages > 1 else ""


def paging(shown: Window, suffix: str, data) -> ActionSet | None:
    """Previous and Next, as there are pages before and after `shown`; `data(number)`: the
    data of the button asking for page `number` (its action is the buttons' verb)."""
    verb = data(1)["action"]
    actions = []
    if shown.number > 1:
        actions.append(ExecuteAction(title=f"Previous{suffix}", verb=verb,
                                     data=data(shown.number - 1)))
    if shown.number < shown.pages:
        actions.append(ExecuteAction(title=f"Next{suffix}", verb=verb,
                                     data=data(shown.number + 1)))
    return ActionSet(actions=actions) if actions else None
