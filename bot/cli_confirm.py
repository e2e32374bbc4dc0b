"""Asking an operator to confirm a change that cannot be undone, on a terminal."""

from __future__ import annotations

import sys


def confirmed(verb: str, gerund: str, warning: str) -> bool:
    """Print `warning` and ask for "yes" on a terminal; refuse when there is none to ask on (a
    script passes --yes). `verb` and `gerund` name the change: ("erase", "erasing")."""
    if not sys.stdin.isatty():
        print(f"iip: {gerund} cannot be undone, so it asks to confirm on a terminal; pass --yes "
              f"to {verb} without asking. Nothing changed.", file=sys.stderr)
        return False
    print(warning, file=sys.stderr)
    try:
        answer = input(f"Type yes to {verb}: ")
    except EOFError:
        answer = ""
    if answer.strip().lower() != "yes":
        print("Nothing changed.", file=sys.stderr)
        return False
    return True
