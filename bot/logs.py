"""Structured logging: one JSON object a line (or readable lines for a terminal).

What a line may carry is decided here, once: ids and counts, never what people wrote. The
context each line carries (a turn's request, activity and conversation ids; an outbox send's
delivery id; a scheduled pass's run id) is bound where the work starts, with structlog's
contextvars. An exception is written as its type and where it was raised, never its message:
messages quote their inputs (a library's validation error quotes the value it refused, a
KeyError its key), and the inputs here are people's words."""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Iterable
from typing import IO, Any

import structlog
from structlog.typing import EventDict, ExcInfo, WrappedLogger

# Libraries that write what they carry when asked for DEBUG (aiosqlite each statement with its
# values, SQLAlchemy the rows it reads, msrest request bodies, urllib3 URLs): what they have to
# say at WARNING is all an operator needs, whatever IIP_LOG_LEVEL says (matplotlib's fonts,
# drawing a board pack, and the sentence model's loading, said by similar.model_loaded, are
# only noise).
_CHATTY_LIBRARIES = ("aiosqlite", "sqlalchemy", "asyncpg", "msrest", "msal", "urllib3",
                     "requests_oauthlib", "oauthlib", "matplotlib", "PIL",
                     "sentence_transformers", "transformers")
REDACTED = "[redacted]"
# A secret shorter than this is not looked for in lines: it would blank out ordinary words.
_SHORTEST_SECRET = 8


def configure_logging(level: str = "INFO", fmt: str = "json", *,
                      secrets: Iterable[str] = (), stream: IO[str] | None = None) -> None:
    """Route structlog and the standard library's loggers through one renderer, to `stream`
    (standard error by default). `secrets` (the app password, the report secret...) are
    blanked out of any line that would carry them, as a last guard."""
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = (structlog.dev.ConsoleRenderer(colors=False) if fmt == "console"
                else structlog.processors.JSONRenderer())
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, first_line_of_asyncio],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.ExceptionRenderer(exception_without_message),
            renderer,
            Redact(secrets),
        ],
    ))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic narrates every step; storage.migrate logs what matters (from and to revision).
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # msrest warns on every card button press that Teams' `trigger` field is not in the SDK's
    # model (and each warning walks the stack); the bot validates what it reads itself.
    logging.getLogger("msrest.serialization").setLevel(logging.ERROR)
    for name in _CHATTY_LIBRARIES:
        library = logging.getLogger(name)
        library.setLevel(max(library.getEffectiveLevel(), logging.WARNING))


def first_line_of_asyncio(_logger: WrappedLogger, _name: str,
                          event_dict: EventDict) -> EventDict:
    """asyncio's report of a failed task or callback follows its first line with reprs (the
    task's, naming its exception, message and all): only that first line is kept; the
    exception itself is rendered apart, without its message."""
    event = event_dict.get("event")
    if event_dict.get("logger") == "asyncio" and isinstance(event, str):
        event_dict["event"] = event.split("\n", 1)[0]
    return event_dict


def exception_without_message(exc_info: ExcInfo) -> str:
    """The traceback of `exc_info` (and of the exceptions it was raised from), each exception
    named by its type alone."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc_info[1]
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines[:0] = ["Traceback (most recent call last):\n",
                     *traceback.format_list(traceback.extract_tb(current.__traceback__)),
                     f"{_qualified(current)}\n"]
        cause = current.__cause__ or (None if current.__suppress_context__
                                      else current.__context__)
        if cause is not None:
            lines[:0] = ["\nThe above exception was the direct cause of the following:\n\n"
                         if current.__cause__ is not None else
                         "\nDuring handling of the above exception, another occurred:\n\n"]
        current = cause
    return "".join(lines).rstrip("\n")


def _qualified(error: BaseException) -> str:
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else (
        f"{kind.__module__}.{kind.__qualname__}")


class Redact:
    """The last processor: blanks out the given secrets wherever a rendered line has them,
    as written or as JSON escapes them."""

    def __init__(self, secrets: Iterable[str]) -> None:
        import json

        found = {s for s in secrets if len(s) >= _SHORTEST_SECRET}
        found |= {json.dumps(s)[1:-1] for s in found}
        # The longest first, so that a secret holding another is blanked out whole.
        self._secrets = sorted(found, key=len, reverse=True)

    def __call__(self, _logger: WrappedLogger, _name: str, rendered: Any) -> Any:
        if not isinstance(rendered, str):
            return rendered
        line: str = rendered
        for secret in self._secrets:
            if secret in line:
                line = line.replace(secret, REDACTED)
        return line


_NAME = re.compile(r"[A-Za-z0-9_.:/-]{1,64}")


def loggable_name(value: object) -> str:
    """A name a card or Teams sends (a button's action or verb, an invoke's name), as a log
    line may carry it: as sent when it is shaped like the names the bot gives, otherwise only
    that it was not one (a forged card could put anyone's words there)."""
    if isinstance(value, str) and _NAME.fullmatch(value):
        return value
    return "(not a name)" if value is not None else "(none)"
