"""Running the `iip` command line in-process without leaving its logging set-up behind."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

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


def on_database(database_url: str, monkeypatch: Any,
                capsys: Any) -> Callable[..., Awaitable[tuple[int, str, str]]]:
    """`iip ARGS` on `database_url`, awaited off the test's loop: (exit code, stdout, stderr)."""
    monkeypatch.setenv("IIP_DATABASE_URL", database_url)
    monkeypatch.setenv("IIP_LOG_LEVEL", "WARNING")

    async def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = await asyncio.to_thread(run_cli, list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
