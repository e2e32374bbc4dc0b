"""Similar ideas for assessors: how close a match is in words, which original a duplicate may
name, and the one-press "Decline as duplicate of IIP-…" that goes through the ordinary decline.

The press carries only the idea, its version and the original's reference; everything else a
decline asks for is decided here (the reason, the message to the contributor) or read from the
card as typed (the root-cause answers an assessment decline needs), so the decision path
checks it exactly as it checks the Decline form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.domain.asked import Asked
from bot.domain.errors import Malformed
from bot.domain.ideas import UNDECIDED, DeclineReason, Status, find_reference
from bot.domain.moves import (
    CHOICE_LIMIT,
    MAX_ID,
    MESSAGE,
    MISSING,
    NO_SUCH_IDEA,
    ROOT_CAUSES,
    Decide,
    Move,
    input_id,
    whole_number,
)
from bot.domain.similar import Match, MatchKind, Visibility

# The verb (and data.action) of the one-press button on a staff card.
DECLINE_DUPLICATE = "decline_duplicate"
# Matches show on an idea's staff card while it waits for a decision.
SHOWN_WHILE = UNDECIDED
# The similar-ideas pass: how often it looks for ideas to match, and how many it matches at
# most in one pass (a backlog, such as an import's undecided ideas, is worked through in turn).
MATCH_PASS_SECONDS = 10.0
PASS_LIMIT = 20
# What tells apart the redraw of an idea's staff cards once its matches are found from other
# redraws at the same version (bot.services.staff_cards).
MATCHED = "matched"
# What the contributor is told with a one-press decline (the notice names the original).
DUPLICATE_MESSAGE = ("Thank you for taking the time to suggest this. The same idea has already "
                     "reached us, so we will not assess it a second time.")


def closeness(match: Match) -> str:
    """How close a match is, in the words an assessor reads (the ranking that found it
    judged whether it is a likely duplicate, on its own scale of scores)."""
    return "very close" if match.likely_duplicate else "similar"


def may_decline_as_duplicate(match: Match) -> bool:
    """Whether a match gets the one-press button: only an idea that is a likely duplicate (an
    initiative is not an idea to name; a looser match is for the Decline form, typed)."""
    return match.kind is MatchKind.IDEA and match.likely_duplicate


@dataclass(frozen=True, slots=True)
class ToMatch:
    """An undecided idea whose similar ideas are not found yet, and the text to match on
    (bot.domain.similar.query_of its title and problem)."""

    id: int
    reference: str
    text: str


@dataclass(frozen=True, slots=True)
class Original:
    """An idea named as the original of a duplicate: what decides whether it may be, and how
    its contributor's colleague is told of it."""

    id: int
    reference: str
    title: str
    status: Status
    visibility: Visibility
    public_title: str | None = None
    duplicate_of: str | None = None  # the idea it was itself declined as a duplicate of

    @property
    def named_as(self) -> str | None:
        """Its title as colleagues may read it (the PMO's public title, if any); None when
        its contributor kept it private: only its reference may be given."""
        if self.visibility is not Visibility.SHARED:
            return None
        return self.public_title or self.title


def original_refusal(reference: str, idea_reference: str, original: Original | None) -> str | None:
    """Why `reference` cannot be the original of the idea `idea_reference`, or None."""
    if reference == idea_reference:
        return "An idea cannot be a duplicate of itself."
    if original is None:
        return f"There is no idea {reference}."
    if original.status is Status.WITHDRAWN:
        return (f"{reference} was withdrawn by its contributor, so it cannot be the original. "
                "Please name another idea.")
    if original.duplicate_of == idea_reference:
        return (f"{reference} was itself declined as a duplicate of {idea_reference}, so it "
                "cannot be its original.")
    if original.visibility is Visibility.HIDDEN:
        return (f"{reference} is hidden by the PMO team, so it cannot be named to another "
                "contributor as the original.")
    return None


@dataclass(frozen=True, slots=True)
class DeclineDuplicate(Asked):
    """A press of "Decline as duplicate of …": the idea and version the card showed, the
    original's reference, and the root-cause answers typed on the card (an assessment decline
    needs them)."""

    idea_id: int  # 1..MAX_ID
    version: int  # as Decide's
    original: str  # a normalised idea reference
    root_causes: Mapping[str, str]

    def as_decide(self, status: Status) -> Decide:
        """The decline this press makes of an idea in `status`: at triage while submitted,
        an assessment decline otherwise (the lifecycle refuses it where neither may be)."""
        move = Move.DECLINE_AT_TRIAGE if status is Status.SUBMITTED else Move.DECLINE
        reason, duplicate_of = move.spec.inputs[:2]
        answers = {input_id(move, reason): DeclineReason.DUPLICATE.value,
                   input_id(move, duplicate_of): self.original,
                   input_id(move, MESSAGE): DUPLICATE_MESSAGE}
        if move.spec.root_cause:
            answers |= self.root_causes
        return Decide(self.idea_id, self.version, move, MappingProxyType(answers))


def parse_decline_duplicate(data: Mapping[str, object]) -> DeclineDuplicate:
    """The press the button's data describes; Malformed, with the words to show, for anything
    no card sends."""
    idea_id, version = whole_number(data.get("idea")), whole_number(data.get("version"))
    original = data.get("original")
    if idea_id is None or version is None or not isinstance(original, str):
        raise Malformed(MISSING)
    if not 1 <= idea_id <= MAX_ID:
        raise Malformed(NO_SUCH_IDEA)
    reference = find_reference(original) if len(original) <= CHOICE_LIMIT else None
    if reference is None or reference != original.strip().upper():
        raise Malformed(MISSING)
    answers: dict[str, str] = {}
    for answer in ROOT_CAUSES:
        value = data.get(answer.name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise Malformed(answer.unusable)
        if len(value) > answer.bound:
            raise Malformed(answer.far_too_long(len(value)))
        answers[answer.name] = value
    return DeclineDuplicate(idea_id, min(max(version, 0), MAX_ID + 1), reference,
                            MappingProxyType(answers))
