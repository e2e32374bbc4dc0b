"""The import's progress bar: drawn on a terminal only, never into a log or a pipe."""

from __future__ import annotations

import io
import sys

import pytest

from bot.cli_import import _progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "drawn"), [(Terminal(), True), (io.StringIO(), False)])
def test_the_bar_is_drawn_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch,
                                             stream: io.StringIO, drawn: bool):
    monkeypatch.setattr(sys, "stderr", stream)
    with _progress(1_000) as advance:
        advance(400)
        advance(600)
    written = stream.getvalue()
    assert ("Importing" in written) is drawn
    assert bool(written) is drawn
