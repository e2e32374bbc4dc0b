"""Similar ideas: what is searched, who may see what a search finds, and when a match counts.

Pure: the ranking itself is bot.matching's; this module holds the rules people notice (no
suggestions from a few words, colleagues never see a private idea, a "likely duplicate" is a
close match) so that the submission, `search`, the assessors' cards and `iip similar` agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


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


# Scores are cosine similarities in [0, 1] (the blend of the model's and the characters').
# Below SUGGEST_FROM a match is noise rather than help; from LIKELY_DUPLICATE it is flagged as
# a likely duplicate. Both are set by tests/bench/similar.py on the evaluation set.
SUGGEST_FROM = 0.45
LIKELY_DUPLICATE = 0.70
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
class Match:
    """What a person sees of an idea or initiative a search found."""

    kind: MatchKind
    item_id: int
    reference: str
    # For colleagues, the public title (the PMO may have redacted the original).
    title: str
    # In words: "Approved", "Declined (already exists)", "Under way", ...
    status: str
    # Where decided, the outcome in a line; None otherwise.
    outcome: str | None
    score: float
    supporters: int = 0

    @property
    def likely_duplicate(self) -> bool:
        return self.score >= LIKELY_DUPLICATE


def query_of(title: str, problem: str) -> str:
    """The text a submission is matched on: its title, then its problem."""
    return f"{title.strip()}\n{problem.strip()}".strip()


def searchable(text: object) -> str | None:
    """`text` ready to search, or None when it says too little to match on (empty, a few
    letters, only references or punctuation): no results then, rather than random ones."""
    if not isinstance(text, str):
        return None
    cleaned = " ".join(unicodedata.normalize("NFKC", text[:QUERY_CHARS * 2]).split())
    cleaned = cleaned[:QUERY_CHARS]
    words = [w for w in _REFERENCES.sub(" ", cleaned).split() if any(c.isalpha() for c in w)]
    letters = sum(c.isalpha() for w in words for c in w)
    if len(words) < MIN_WORDS or letters < MIN_LETTERS:
        return None
    return cleaned
