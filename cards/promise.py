"""The line an idea's card gives its two-month promise: due by when, answered on which day,
or, on a staff card, overdue since when. A contributor is never told that they could not be
reached: for them a notice given up on is an answer like any other."""

from __future__ import annotations

from datetime import date, timedelta

from microsoft_teams.cards.core import Fact

from bot.domain.ideas import IdeaSummary
from bot.domain.sla import Shown, standing
from cards.base import day_text


def contributor_fact(idea: IdeaSummary) -> Fact | None:
    """For the contributor's own cards: due by (even once late), or answered on."""
    found = standing(idea)
    if found is None:
        return None
    if found.answered_on is not None:
        return Fact(title="Answered on", value=day_text(found.answered_on))
    return Fact(title="Update due by", value=day_text(found.due))


def staff_fact(idea: IdeaSummary, today: date | None) -> Fact | None:
    """For a staff card, as at `today` (UK): a breach said plainly, a late answer as late, an
    answer that could not be delivered as such."""
    found = standing(idea, today)
    if found is None:
        return None
    if found.shown is Shown.OVERDUE:
        return Fact(title="Update overdue since",
                    value=day_text(found.due + timedelta(days=1)))
    if found.answered is None or found.answered_on is None:
        return Fact(title="Update due by", value=day_text(found.due))
    value = day_text(found.answered_on)
    if found.shown is Shown.ANSWERED_LATE:
        value += f", late (it was due by {day_text(found.due)})"
    if not found.answered.reachable:
        value += "; it could not be delivered: the contributor cannot be reached in Teams"
    return Fact(title="Answered on", value=value)
