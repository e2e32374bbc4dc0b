"""Cards of the scheduler's jobs: reminders, digests and the contributor's apology.

No decision buttons here: a list sent days ago could never be kept up to date. Each idea has
an Open button that brings up its own live card (or, for its contributor, its story).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from microsoft_teams.cards.core import ActionSet, Container, Fact, FactSet

from bot.domain.ideas import IdeaDetail
from bot.domain.lifecycle import Party
from bot.domain.organisation import Organisation
from bot.domain.reminders import (
    NEAR_BREACH_DAYS,
    TRIAGE_WORKING_DAYS,
    UNANSWERED_QUESTION_DAYS,
    UNDELIVERED_MONTHS,
    Job,
    Line,
    Listing,
    Owed,
    Section,
)
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

# A list shows this many of its ideas; the rest are counted ("and 12 more").
SHOWN = 10

_TITLES = {
    Section.DUE_SOON: "Waiting for an answer",
    Section.NEAR_BREACH: f"Due within {NEAR_BREACH_DAYS} days, with no answer yet",
    Section.BREACHED: "Past their due day, with no answer yet",
    Section.AWAITING_TRIAGE: f"Awaiting triage for more than {TRIAGE_WORKING_DAYS} working days",
    Section.UNDELIVERED: f"Approved more than {UNDELIVERED_MONTHS} months ago, not delivered",
    Section.NO_PORTFOLIO: "In a portfolio that no longer exists",
    Section.UNANSWERED: f"Questions to contributors unanswered for {UNANSWERED_QUESTION_DAYS} "
                        "days",
    Section.REVISIT: "Due to be looked at again",
    Section.APOLOGY: "Still being looked at",
}
_SHORT = {
    Section.NEAR_BREACH: "near breach", Section.BREACHED: "breached",
    Section.AWAITING_TRIAGE: "awaiting triage", Section.UNDELIVERED: "not delivered",
    Section.NO_PORTFOLIO: "without a portfolio", Section.UNANSWERED: "unanswered questions",
}
_DAY_LABELS = {
    Section.DUE_SOON: "Answer due by", Section.NEAR_BREACH: "Answer due by",
    Section.BREACHED: "Answer was due by", Section.AWAITING_TRIAGE: "Submitted",
    Section.UNDELIVERED: "Approved", Section.NO_PORTFOLIO: "Submitted",
    Section.UNANSWERED: "Asked", Section.REVISIT: "Revisit on", Section.APOLOGY: "Due by",
}


class ReminderCards:
    """Implements bot.services.jobs.ReminderViews: the jobs' cards, and the staff card of an
    idea (for its revisit day) from `idea_card`."""

    def __init__(self, idea_card: Callable[..., CardMessage]) -> None:
        self._idea_card = idea_card

    def idea_card(self, idea: IdeaDetail, viewer: frozenset[Party],
                  organisation: Organisation, *, notice: str | None = None,
                  typed: Mapping[str, str] | None = None) -> CardMessage:
        return self._idea_card(idea, viewer, organisation, notice=notice, typed=typed)

    def reminder(self, owed: Owed, organisation: Organisation) -> CardMessage:
        return reminder_card(owed, organisation)


def reminder_card(owed: Owed, organisation: Organisation) -> CardMessage:
    """The card of one message a job owes."""
    names = {p.key: p.name for p in organisation.portfolios}
    if owed.job is Job.CONTRIBUTOR_APOLOGY:
        return _apology(owed.listings[0].lines[0], names)
    if owed.job is Job.SPOC_REMINDER:
        count = len(owed.ideas)
        words = f"{count} idea{'s' if count != 1 else ''}"
        intro = (f"The contributors of these ideas were promised a substantive update by the "
                 f"day shown, and have had none yet: {owed.threshold} days or fewer are left. "
                 "Open one to decide it, ask a question or send an update.")
        return _lists(f"{words} waiting for an answer", intro, owed, names,
                      summary=f"{words} due for an answer within {owed.threshold} days")
    if owed.job is Job.REVISIT:
        line = owed.listings[0].lines[0]
        return _lists(f"{line.reference} is due to be looked at again",
                      "It was deferred until now. Open it to revisit it, defer it again or "
                      "decline it.", owed, names,
                      summary=f"{line.reference} is due to be looked at again")
    if owed.job is Job.SPONSOR_WEEKLY:
        count = len(owed.ideas)
        return _lists(f"Broken promises: {count}",
                      "Ideas whose contributors were promised a substantive update within two "
                      "months, and are still waiting for it, by portfolio.", owed, names,
                      summary=f"{count} idea{'s' if count != 1 else ''} past their due day",
                      open_buttons=False)
    day = day_text(owed.on) if owed.on else owed.threshold
    counts = [f"{len(listing.lines):,} {_SHORT.get(listing.section, listing.section.value)}"
              for listing in owed.listings if listing.lines]
    return _lists(f"The PMO's digest for {day}", None, owed, names,
                  summary=f"The PMO's digest: {', '.join(counts) or 'nothing to see'}")


def _lists(title: str, intro: str | None, owed: Owed, names: dict[str, str], *, summary: str,
           open_buttons: bool = True) -> CardMessage:
    body: list[Any] = [heading(title)]
    if intro:
        body.append(paragraph(intro, subtle=True))
    several = len(owed.listings) > 1 or owed.job is Job.SPONSOR_WEEKLY
    for listing in owed.listings:
        if not listing.lines:
            continue
        if several:
            body.append(subheading(f"{_listing_title(listing, names)}: "
                                   f"{len(listing.lines):,}"))
        body += [_line(line, listing.section, names, open_buttons)
                 for line in listing.lines[:SHOWN]]
        if len(listing.lines) > SHOWN:
            body.append(paragraph(f"And {len(listing.lines) - SHOWN:,} more.", subtle=True))
    return card_message(body, summary=summary, fallback_text=summary)


def _listing_title(listing: Listing, names: dict[str, str]) -> str:
    if listing.portfolio_key is not None:
        return names.get(listing.portfolio_key, listing.portfolio_key)
    return _TITLES[listing.section]


def _line(line: Line, section: Section, names: dict[str, str], open_button: bool) -> Container:
    facts = [Fact(title="Portfolio", value=names.get(line.portfolio_key, line.portfolio_key)),
             Fact(title=_DAY_LABELS[section], value=day_text(line.day))]
    items: list[Any] = [subheading(line.reference), plain(line.title), FactSet(facts=facts)]
    if open_button:
        items.append(ActionSet(actions=[submit("Open", CardAction.OPEN_IDEA, inputs=False,
                                               reference=line.reference)]))
    return Container(separator=True, spacing="Medium", items=items)


def _apology(line: Line, names: dict[str, str]) -> CardMessage:
    """To the contributor on the due day: honest, naming who has the idea; it keeps nothing."""
    portfolio = names.get(line.portfolio_key, "the portfolio it was sent to")
    words = (f"We promised you a substantive update on your idea by {day_text(line.day)}. It "
             f"has not come yet, and I am sorry. It is still being looked at by {portfolio}, "
             "and you will hear as soon as there is news.")
    return card_message(
        [heading(f"{line.reference} is still being looked at"), plain(line.title),
         paragraph(words),
         ActionSet(actions=[submit("See its progress", CardAction.IDEA_STATUS, inputs=False,
                                   reference=line.reference)])],
        summary=f"{line.reference} is still being looked at",
        fallback_text=f"{line.reference} is still being looked at by {portfolio}. {words}",
    )


def sample_reminders() -> list[tuple[str, Owed]]:
    """One message of each job, with sample ideas, for the card gallery."""
    from datetime import date

    from bot.domain.reminders import Mark

    def line(n: int, title: str, day: date, portfolio: str = "local-policing") -> Line:
        return Line(n, f"IIP-2026-{n:04d}", title, portfolio, day,
                    Mark(Job.SPOC_REMINDER, n, "21"))

    due = (line(42, "Tablets instead of paper notebooks", date(2027, 2, 10)),
           line(43, "One rota for the custody suite", date(2027, 2, 11)))
    many = tuple(line(100 + n, f"Idea {n}", date(2027, 1, 2)) for n in range(SHOWN + 3))
    digest = tuple(Listing(section, lines) for section, lines in (
        (Section.NEAR_BREACH, due), (Section.BREACHED, many), (Section.AWAITING_TRIAGE, due),
        (Section.UNDELIVERED, ()), (Section.NO_PORTFOLIO, (line(7, "Old idea", date(
            2026, 3, 1), "retired-portfolio"),)), (Section.UNANSWERED, due[:1])))
    return [
        ("reminder-spoc", Owed(Job.SPOC_REMINDER, "spoc", "21",
                               (Listing(Section.DUE_SOON, due),))),
        ("reminder-pmo-digest", Owed(Job.PMO_DIGEST, "pmo", "2027-01-20", digest,
                                     on=date(2027, 1, 20))),
        ("reminder-sponsor-weekly", Owed(Job.SPONSOR_WEEKLY, "sponsor", "2027-W03", (
            Listing(Section.BREACHED, many, "local-policing"),
            Listing(Section.BREACHED, due, "retired-portfolio")))),
        ("reminder-apology", Owed(Job.CONTRIBUTOR_APOLOGY, "contributor", "0",
                                  (Listing(Section.APOLOGY, due[:1]),))),
        ("reminder-revisit", Owed(Job.REVISIT, "spoc", "2027-01-20",
                                  (Listing(Section.REVISIT, due[:1]),))),
    ]
