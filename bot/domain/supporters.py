"""Supporting an idea rather than submitting one's own: when similar ideas are suggested while
writing, what a supporter adds, and what they are told as the idea moves.

Pure: bot.services.supporters keeps the rows; bot.presenters.intake offers the suggestions.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from bot.domain.ideas import IdeaDetail
from bot.domain.intake import Draft, Step
from bot.domain.lifecycle import ALLOCATED
from bot.domain.moves import Move, Notice
from bot.domain.organisation import Organisation
from bot.domain.text import clean_text

# What a supporter adds to the idea they support (the staff read it): a few lines at most.
COMMENT_LIMIT = 1000


class Standing(StrEnum):
    """What the person writing already is to an idea a suggestion shows: its contributor
    (they cannot support it), or one of its supporters (once is enough)."""

    OWN = "own"
    SUPPORTING = "supporting"


def suggests_after(before: Draft, after: Draft, step: Step) -> bool:
    """Whether answering `step` (which turned `before` into `after`) is when similar ideas are
    looked for: once the title and the problem are both given, on the turn answering the
    problem, or from the check card only when the title or the problem changed."""
    if step not in (Step.TITLE, Step.PROBLEM) or not (after.title and after.problem):
        return False
    if before.editing:
        return after.text_of(step) != before.text_of(step)
    return step is Step.PROBLEM


def clean_comment(value: object) -> str:
    """What a supporter adds, checked ("" when they add nothing); InvalidText when it is no
    text or too long, with the words to show them."""
    return clean_text(value, field="comment", label="Your comment", limit=COMMENT_LIMIT,
                      required=False)


# What a supporter is told of each move that changes where the idea stands: the contributor's
# notice in a supporter's words. Questions and updates are the contributor's own business:
# supporters hear of neither. A withdrawal is the contributor's doing, but a supporter who gave
# up a draft of their own to back the idea would otherwise never learn that it has gone.
SUPPORTER_NOTICES: MappingProxyType[Move, Notice] = MappingProxyType({
    Move.ALLOCATE: Notice("An idea you support is being assessed",
                          "The PMO team has passed it to {portfolio}, whose business lead "
                          "will assess it."),
    Move.DECLINE_AT_TRIAGE: Notice("An idea you support was declined",
                                   "It was declined: {reason}."),
    Move.DECLINE: Notice("An idea you support was declined", "It was declined: {reason}."),
    Move.APPROVE: Notice("Good news: an idea you support is approved",
                         "It will be taken forward."),
    Move.DEFER: Notice("An idea you support is deferred",
                       "It is kept, not lost, and will be looked at again on {revisit}."),
    Move.ESCALATE: Notice("An idea you support has been escalated",
                          "It is worth doing but needs the force's change governance to plan "
                          "its delivery, timeline and budget."),
    Move.DELIVER: Notice("You said, we did: an idea you support is delivered",
                         "It has been delivered. Thank you for backing it."),
    Move.REVISIT: Notice("An idea you support is being looked at again",
                         "{portfolio} is assessing it again."),
    Move.REOPEN: Notice("An idea you support has been reopened",
                        "The PMO team will look at it again."),
    Move.REALLOCATE: Notice("An idea you support has moved",
                            "It is now with {portfolio} for assessment."),
    Move.WITHDRAW: Notice("An idea you support was withdrawn",
                          "Its contributor has withdrawn it, so it will not be assessed. If "
                          "the problem still matters to you, put it forward as an idea of "
                          "your own."),
})


def tells_supporters(move: Move) -> bool:
    """Whether the idea's supporters hear of `move`, each with their own notice."""
    return move in SUPPORTER_NOTICES


def told_of_support(idea: IdeaDetail, organisation: Organisation) -> list[str]:
    """Who among the staff hears that a colleague supports the idea: its portfolio's SPOCs and
    deputies once it is allocated to them, the PMO team while it awaits triage (or after a
    reopen)."""
    if idea.status in ALLOCATED:
        portfolio = next((p for p in organisation.portfolios if p.key == idea.portfolio_key),
                         None)
        if portfolio is not None and (portfolio.spocs or portfolio.deputies):
            return list(dict.fromkeys([*portfolio.spocs, *portfolio.deputies]))
    return list(organisation.pmo)
