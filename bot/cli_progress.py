"""A progress bar for long commands (`iip import sharepoint`, `iip similar reindex`): drawn on a
terminal, and nothing at all in a log or a pipe."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A bar of `total` steps named `label` on stderr when it is a terminal; the function
    advances it by as many steps as it is given."""
    if not sys.stderr.isatty() or not total:
        yield lambda _steps: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(label, BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda steps: bar.advance(task, steps)
