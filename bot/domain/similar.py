"""Similar ideas: what is searched, who may see what a search finds, and when a match counts.

Pure: the ranking itself is bot.matching's; this module holds the rules people notice (no
suggestions from a few words, colleagues never see a private idea, a "likely duplicate" is a
close match) so that the submission, `search`, the assessors' cards and `iip similar` agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.ideas import DeclineReason, Status


class MatchKind(StrEnum):
    """What a match is: an idea, or an entry of the PMO's register of known initiatives."""

    IDEA = "idea"
    INITIATIVE = "initiative"


class Audience(StrEnum):
    """Who is looking, which sets what a search may return."""

    # Anyone in the workforce (a contributor writing an idea, `search`): shared ideas and
    # initiatives only, never who submitted an idea.
    COLLEAGUES = "colleagues"
    # The PMO, assessors and operators (`iip similar`): every idea whatever its visibility.
    STAFF = "staff"


class Visibility(StrEnum):
    """Who may find an idea by searching."""

    # Colleagues may find its (public) title, status and outcome; never its contributor.
    SHARED = "shared"
    # Matched for staff only: the contributor's choice, and every idea from before searching.
    PRIVATE = "private"
    # Taken out of colleagues' searches by the PMO.
    HIDDEN = "hidden"



@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where a score (a cosine similarity in [0, 1]) starts to help, and where it flags a likely
    duplicate. Each ranking method has its own scale; tests/bench/similar.py sets both on the
    evaluation set."""

    suggest_from: float
    likely_duplicate: float


# The sentence model blended with character n-grams, and character n-grams alone (the model off
# or not installed). Measured on tests/fixtures/similar (142 pairs, 55 near misses, 60 made-up
# ideas): with the model, 0.40 still suggests every pair's idea (recall@3 1.00) while made-up
# ideas get a suggestion 15% of the time (87% at 0.30), and from 0.61 every flagged top result
# is the right idea with 2 near misses of 55 flagged (5 at 0.55). Characters alone: 0.24 keeps
# recall@3 at 0.99 (nothing higher keeps it within a point), and from 0.47 every flagged top
# result is right with 2 near misses flagged.
WITH_MODEL = Thresholds(suggest_from=0.40, likely_duplicate=0.61)
CHARACTERS_ONLY = Thresholds(suggest_from=0.24, likely_duplicate=0.47)
# Suggestions while submitting, and matches on an assessor's card.
SUGGESTIONS = 3
# What one search may return at most (`search`, `iip similar --limit`).
MOST_RESULTS = 20
# Text searched beyond this is ignored: the start of an idea says what it is about.
QUERY_CHARS = 2000
# Fewer letters or words than these say too little to match on: no suggestions, not random ones.
MIN_LETTERS = 10
MIN_WORDS = 2

_REFERENCES = re.compile(r"\b(?:IIP|INI)-\d{1,4}(?:-\d{1,9})?\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Ranked:
    """One indexed document as the index ranked it for a query (best first)."""

    kind: MatchKind
    item_id: int
    score: float


@dataclass(frozen=True, slots=True)
class IndexedText:
    """One idea or initiative as searches rank it: its text, a digest of it, and the sentence
    model's vector of it (unit float32, little-endian) when the model was on."""

    kind: MatchKind
    item_id: int
    text: str
    digest: str
    model: str | None
    vector: bytes | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Stamp:
    """What says whether a kept document is the one a ranker learned: its digest, and
    whether it holds the model's vector."""

    kind: MatchKind
    item_id: int
    digest: str
    vectored: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Position:
    """Where a reader of kept documents got to: they are read in this order."""

    updated_at: datetime
    kind: str
    item_id: int


@dataclass(frozen=True, slots=True)
class Found:
    """What the database holds of a ranked idea or initiative, to show it."""

    kind: MatchKind
    item_id: int
    reference: str
    title: str
    public_title: str | None = None
    status: Status | None = None  # ideas
    decline_reason: DeclineReason | None = None
    duplicate_of: str | None = None
    stage: str | None = None  # initiatives: "under_way" or "exists"
    supporters: int = 0


@dataclass(frozen=True, slots=True)
class Match:
    """What a person sees of an idea or initiative a search found."""

    kind: MatchKind
    item_id: int
    reference: str
    # For colleagues, the public title (the PMO may have redacted the original).
    title: str
    # In words: "Approved", "Declined", "Under way", ...
    status: str
    # Where decided, the outcome in a line; None otherwise.
    outcome: str | None
    score: float
    likely_duplicate: bool = False
    supporters: int = 0


_STAGES = {"under_way": "Under way", "exists": "Exists already"}
_OUTCOMES = {
    Status.APPROVED: "Approved: being taken forward.",
    Status.DELIVERED: "Delivered.",
    Status.DEFERRED: "Deferred, to be looked at again later.",
}


def match_of(found: Found, score: float, audience: Audience,
             thresholds: Thresholds) -> Match:
    """How a found idea or initiative is shown to `audience`."""
    title = found.title
    if audience is Audience.COLLEAGUES and found.public_title:
        title = found.public_title
    if found.kind is MatchKind.INITIATIVE:
        status, outcome = _STAGES.get(found.stage or "", "Known initiative"), None
    else:
        status = found.status.label if found.status else "Submitted"
        outcome = _outcome(found)
    return Match(kind=found.kind, item_id=found.item_id, reference=found.reference,
                 title=title, status=status, outcome=outcome, score=score,
                 likely_duplicate=score >= thresholds.likely_duplicate,
                 supporters=found.supporters)


def _outcome(found: Found) -> str | None:
    if found.status is Status.DECLINED:
        reason = found.decline_reason.label if found.decline_reason else "declined"
        original = f" of {found.duplicate_of}" if found.duplicate_of else ""
        return f"Declined: {reason}{original}."
    return _OUTCOMES.get(found.status) if found.status else None


def query_of(title: str, problem: str) -> str:
    """The text a submission is matched on: its title, then its problem."""
    return f"{title.strip()}\n{problem.strip()}".strip()


def searchable(text: object) -> str | None:
    """`text` ready to search, or None when it says too little to match on (empty, a few
    letters, only references or punctuation): no results then, rather than random ones."""
    if not isinstance(text, str):
        return None
    # A lone surrogate (JSON may carry one) is no character: the rankers encode text as UTF-8.
    start = text[:QUERY_CHARS * 2].encode("utf-8", "ignore").decode("utf-8")
    cleaned = " ".join(unicodedata.normalize("NFKC", start).split())
    cleaned = cleaned[:QUERY_CHARS]
    words = [w for w in _REFERENCES.sub(" ", cleaned).split() if any(c.isalpha() for c in w)]
    letters = sum(c.isalpha() for w in words for c in w)
    if len(words) < MIN_WORDS or letters < MIN_LETTERS:
        return None
    return cleaned
