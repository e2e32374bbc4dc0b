"""Running the `iip` command line in-process without leaving its logging set-up behind."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import structlog

from bot.cli import main


def run_cli(argv: Sequence[str]) -> int:
    """`iip ARGV`, returning its exit code; the root logger and structlog are restored after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    alembic_level = logging.getLogger("alembic").level
    config = structlog.get_config()
    try:
        return main(list(argv))
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.getLogger("alembic").setLevel(alembic_level)
        structlog.configure(**config)
