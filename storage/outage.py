"""Telling a database that cannot be reached apart from every other failure."""
# asyncpg ships no type stubs; pyright reads the types from its source instead.
# pyright: reportMissingTypeStubs=false

from __future__ import annotations

from asyncpg.exceptions import CannotConnectNowError, PostgresConnectionError
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# Failures that say the database was not there, not that a statement was wrong: the same
# request may well succeed once it is back. OSError covers a refused or reset connection and
# a timeout; SQLAlchemy's OperationalError covers a SQLite file that cannot be opened or
# stays locked.
_UNAVAILABLE = (OSError, PoolTimeout, DisconnectionError, OperationalError, InterfaceError,
                PostgresConnectionError, CannotConnectNowError)


def database_unavailable(error: BaseException) -> bool:
    """True when `error`, or what caused it, means the database could not be reached."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _UNAVAILABLE):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False
