"""Page numbers that arrive in card data, which anyone can forge."""

from __future__ import annotations

# Far beyond any real list (at 10 a page), and small enough for any database's offsets.
MAX_PAGE = 100_000


def page_number(value: object) -> int:
    """A page to show: a whole number from 1 to MAX_PAGE; anything else is the first page,
    and a number past the end is the last one MAX_PAGE allows (the service then shows the
    list's real last page)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return 1
    return min(max(1, value), MAX_PAGE)
