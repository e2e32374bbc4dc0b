"""Many changes at once: every one lands, and on SQLite they take turns in arrival order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from support.tables import rows

from bot.domain.audit import AuditEntry
from storage import tables
from storage.uow import SqlUnitOfWork

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
CHANGES = 24


async def test_a_burst_of_changes_all_land_and_sqlite_takes_them_in_turn(engine: AsyncEngine):
    started: list[int] = []

    async def change(n: int) -> None:
        started.append(n)
        async with SqlUnitOfWork(engine) as uow:
            await uow.audit.record(AuditEntry(actor=f"spoc-{n}", action="test.burst",
                                              subject=str(n), at=AT))
            await asyncio.sleep(0.005)  # a turn that builds its cards inside the transaction
            await uow.commit()

    await asyncio.gather(*(change(n) for n in range(CHANGES)))

    landed = [int(row["subject"]) for row in
              await rows(engine, tables.audit_log, tables.audit_log.c.action == "test.burst")]
    assert sorted(landed) == list(range(CHANGES))
    if engine.dialect.name == "sqlite":
        # One connection, queued for in order: no writer polls for the lock and loses.
        assert landed == started


async def test_a_failed_statement_never_reports_the_values_it_was_given(engine: AsyncEngine):
    """A SQL error is logged with the turn that failed: the values bound to the statement are
    people's words and names, which the logs must not hold."""
    personal = "Megan Bowen, 07700 900123, lives at 4 Acacia Avenue"
    row = {"key": personal, "etag": "1", "document": "{}", "updated_at": AT}
    async with engine.begin() as connection:
        await connection.execute(tables.bot_state.insert(), row)

    with pytest.raises(IntegrityError) as failure:
        async with engine.begin() as connection:
            await connection.execute(tables.bot_state.insert(), row)  # the same key again

    assert personal not in str(failure.value)
    assert "07700" not in repr(failure.value)
