"""Which page of a staff list to show, whatever page number a card asks for."""

from __future__ import annotations

import pytest

from bot.domain.errors import InvalidText
from bot.domain.listing import search_text, window


@pytest.mark.parametrize(("requested", "total", "number", "pages"), [
    (1, 25, 1, 3), (3, 25, 3, 3), (4, 25, 3, 3), (2**62, 1000, 100, 100), (2**80, 25, 3, 3),
    (0, 25, 1, 3), (-7, 25, 1, 3), (True, 25, 1, 3), ("2", 25, 1, 3), (None, 25, 1, 3),
    (2.0, 25, 1, 3), (5, 0, 1, 1), (2, 10, 1, 1), (2, 11, 2, 2),
])
def test_a_page_that_exists_is_shown_else_the_nearest(requested, total, number, pages):
    shown = window(requested, total)
    assert (shown.number, shown.pages, shown.total) == (number, pages, total)
    assert shown.offset == (number - 1) * 10


def test_search_text_is_some_text_and_not_too_long():
    assert search_text("  notebooks ") == "notebooks"
    assert search_text("x" * 100) == "x" * 100
    for bad in ("", "   ", None, 42, "x" * 101, "a\x00b"):
        with pytest.raises(InvalidText):
            search_text(bad)
