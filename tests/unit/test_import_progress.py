"""The long commands' progress bar (`iip import sharepoint`, `iip similar reindex`): drawn on a
terminal only, never into a log or a pipe."""

from __future__ import annotations

import io
import sys

import pytest

from bot.cli_progress import progress_bar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("label", ["Importing", "Indexing"])
@pytest.mark.parametrize(("stream", "drawn"), [(Terminal, True), (io.StringIO, False)])
def test_the_bar_is_drawn_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch,
                                             stream: type[io.StringIO], drawn: bool,
                                             label: str):
    out = stream()
    monkeypatch.setattr(sys, "stderr", out)
    with progress_bar(1_000, label) as advance:
        advance(400)
        advance(600)
    written = out.getvalue()
    assert (label in written) is drawn
    assert bool(written) is drawn
