"""`search`: anyone looks through earlier ideas and known initiatives, as colleagues may see
them (bot.domain.similar.Audience.COLLEAGUES): reference, public title, status and outcome,
never who suggested an idea.

Pure: what a search is given and what it may show; bot.services.search runs it.
"""

from __future__ import annotations

from bot.domain.ideas import find_reference
from bot.domain.similar import searchable

# The most results one search shows.
SEARCH_RESULTS = 10
# The most characters of a search a card's input takes (the start says what it is about).
SEARCH_LIMIT = 200
HINT = ("Please give a few more words about the problem or the idea, such as **custody "
        "handover delays**: a word or two would only bring up ideas at random.")


def reference_only(text: str) -> str | None:
    """The idea reference `text` names when it says nothing else worth searching on (such as
    "IIP-2026-0042"): that idea is looked up, rather than ideas like the words."""
    reference = find_reference(text[:SEARCH_LIMIT * 5])
    if reference is None or searchable(text) is not None:
        return None
    return reference
