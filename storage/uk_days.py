"""The UK calendar in SQL: the day a stored moment falls on in the UK, and the promise's due day
(bot.domain.ideas.uk_day and update_due), so that reports count by day inside the database.

PostgreSQL knows Europe/London and adds calendar months as the domain does (a month's missing
day becomes its last); this restates `update_due` there, and tests/integration/
test_summary_rule.py checks that the two agree. SQLite knows no time zone, so the engine gives
each of its connections the domain's own functions (`register_sqlite_functions`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from bot.domain.ideas import LONDON, SLA_MONTHS, uk_day, update_due


class uk_date(FunctionElement[date]):
    """The UK day of a moment (a Timestamp column or expression)."""

    type = Date()
    inherit_cache = True
    name = "uk_date"


class promise_due(FunctionElement[date]):
    """The two-month promise's due day for a clock started at a moment."""

    type = Date()
    inherit_cache = True
    name = "promise_due"


class uk_days_between(FunctionElement[int]):
    """Whole UK days from the second moment's day to the first's."""

    type = Integer()
    inherit_cache = True
    name = "uk_days_between"


def _london(compiler: SQLCompiler, moment: Any, **kw: Any) -> str:
    return f"CAST(timezone('{LONDON.key}', {compiler.process(moment, **kw)}) AS DATE)"


@compiles(uk_date, "postgresql")
def _uk_date_postgresql(element: uk_date, compiler: SQLCompiler, **kw: Any) -> str:
    [moment] = element.clauses
    return _london(compiler, moment, **kw)


@compiles(promise_due, "postgresql")
def _promise_due_postgresql(element: promise_due, compiler: SQLCompiler, **kw: Any) -> str:
    [moment] = element.clauses
    return f"CAST({_london(compiler, moment, **kw)} + INTERVAL '{SLA_MONTHS} months' AS DATE)"


@compiles(uk_days_between, "postgresql")
def _days_postgresql(element: uk_days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = element.clauses
    return f"({_london(compiler, later, **kw)} - {_london(compiler, earlier, **kw)})"


@compiles(uk_date, "sqlite")
def _uk_date_sqlite(element: uk_date, compiler: SQLCompiler, **kw: Any) -> str:
    return f"iip_uk_date({compiler.process(element.clauses, **kw)})"


@compiles(promise_due, "sqlite")
def _promise_due_sqlite(element: promise_due, compiler: SQLCompiler, **kw: Any) -> str:
    return f"iip_promise_due({compiler.process(element.clauses, **kw)})"


@compiles(uk_days_between, "sqlite")
def _days_sqlite(element: uk_days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = element.clauses
    return (f"CAST(julianday(iip_uk_date({compiler.process(later, **kw)})) - "
            f"julianday(iip_uk_date({compiler.process(earlier, **kw)})) AS INTEGER)")


def _stored(text: str | None) -> datetime | None:
    """A moment as SQLite holds a Timestamp: UTC, without its zone."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _sqlite_uk_date(text: str | None) -> str | None:
    return None if text is None else _uk_date_of_hour(text[:13])


@lru_cache(maxsize=1 << 16)
def _uk_date_of_hour(hour: str) -> str:
    """The UK day of every moment in a UTC hour ("2026-10-25 01"): the UK's clocks change on
    the hour, so a summary's moments share a few thousand hours, each worked out once."""
    moment = _stored(f"{hour}:00:00")
    assert moment is not None
    return uk_day(moment).isoformat()


def _sqlite_promise_due(text: str | None) -> str | None:
    return None if text is None else _promise_due_of_hour(text[:13])


@lru_cache(maxsize=1 << 16)
def _promise_due_of_hour(hour: str) -> str:
    """The promise's due day for a clock started in a UTC hour: it depends only on the UK day
    the clock started, the same all the hour (as for `_uk_date_of_hour`)."""
    moment = _stored(f"{hour}:00:00")
    assert moment is not None
    return update_due(moment).isoformat()


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """Give a new SQLite connection the UK calendar's functions (deterministic: the same
    moment is always the same day)."""
    dbapi_connection.create_function("iip_uk_date", 1, _sqlite_uk_date, deterministic=True)
    dbapi_connection.create_function("iip_promise_due", 1, _sqlite_promise_due,
                                     deterministic=True)
