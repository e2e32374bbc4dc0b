"""The migrations build exactly the schema storage.tables describes, on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    String,
    column,
    insert,
    inspect,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from support.schema import downgrade_on

from storage import tables
from storage.engine import make_engine
from storage.migrate import current_revision, head_revision, upgrade
from storage.outbox import SqlOutboxQueue
from storage.tables import metadata
from storage.uow import SqlUnitOfWork

QUEUED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


async def differences(engine: AsyncEngine, target: MetaData = metadata) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, target)

    async with engine.connect() as connection:
        return await connection.run_sync(compare)


async def test_the_migrated_schema_matches_the_tables_exactly(engine: AsyncEngine) -> None:
    assert await differences(engine) == []


async def test_the_comparison_notices_a_difference(engine: AsyncEngine) -> None:
    # A control: a table definition that the migrations do not build is reported.
    changed = MetaData(naming_convention=metadata.naming_convention)
    for defined in metadata.tables.values():
        defined.to_metadata(changed)
    changed.tables["feedback"].append_column(Column("channel", String(20)))
    found = await differences(engine, changed)
    assert [d[0] for d in found] == ["add_column"]
    assert (found[0][2], found[0][3].name) == ("feedback", "channel")


async def test_the_database_is_at_the_newest_revision(engine: AsyncEngine) -> None:
    head = head_revision()
    assert head
    assert await current_revision(engine) == head
    await upgrade(engine)                     # upgrading again is harmless
    assert await current_revision(engine) == head


async def test_the_migrations_go_down_and_up_again(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(downgrade_on, "base")
        left = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert left == ["alembic_version"]
    assert await current_revision(engine) is None
    await upgrade(engine)
    assert await current_revision(engine) == head_revision()
    assert await differences(engine) == []


async def test_messages_queued_before_due_times_were_kept_are_owed_from_when_queued(
    engine: AsyncEngine,
) -> None:
    """Upgrading a live outbox keeps its pending messages overdue, not forgotten."""
    async with engine.begin() as connection:
        await connection.run_sync(downgrade_on, "0004_decisions")
        # The outbox as it was at that revision, without the column the upgrade adds.
        before = table("outbox", *(column(c.name, c.type) for c in tables.outbox.columns
                                   if c.name != "due_at"))
        await connection.execute(insert(before).values(
            kind="notice", dedupe_key="k", summary="s", fallback_text="f", card={},
            state="pending", attempts=0, created_at=QUEUED,
            not_before=QUEUED + timedelta(minutes=5),  # put back to be retried
        ))
    await upgrade(engine)

    status = await SqlOutboxQueue(engine).status(QUEUED + timedelta(minutes=1))
    assert (status.pending, status.oldest_pending_seconds) == (1, 60)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_replicas_starting_at_once_upgrade_one_after_the_other(
    engine: AsyncEngine, database_url: str
) -> None:
    """Every replica of `iip serve` upgrades at start-up: on an empty database, two at once
    would both create the tables, and one would fail to start."""
    async with engine.begin() as connection:
        await connection.run_sync(downgrade_on, "base")
    replicas = [make_engine(database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(upgrade(replica) for replica in replicas))
    finally:
        for replica in replicas:
            await replica.dispose()

    assert await current_revision(engine) == head_revision()
    assert await differences(engine) == []


async def test_a_replica_on_the_code_before_due_times_can_still_queue(engine: AsyncEngine
                                                                      ) -> None:
    """During a rolling deploy, replicas that do not know `due_at` yet insert without it."""
    old_outbox = table("outbox", *(column(c.name, c.type) for c in tables.outbox.columns
                                   if c.name != "due_at"))
    async with engine.begin() as connection:
        await connection.execute(insert(old_outbox).values(
            kind="notice", dedupe_key="k", summary="s", fallback_text="f", card={},
            state="pending", attempts=0, created_at=QUEUED, not_before=QUEUED,
        ))

    async with engine.connect() as connection:
        due_at = (await connection.execute(select(tables.outbox.c.due_at))).scalar_one()
    assert due_at.tzinfo is not None


async def test_an_organisation_loaded_before_self_decisions_existed_does_not_allow_them(
    engine: AsyncEngine,
) -> None:
    """Upgrading keeps the rule (nobody decides their own idea), and a replica still on the
    previous release, which does not name the new column, can still load the organisation."""
    def settings_row(*names: str):
        return table("organisation_settings",
                     *(column(c.name, c.type) for c in tables.organisation_settings.columns
                       if c.name in names))

    async with engine.begin() as connection:
        await connection.run_sync(downgrade_on, "0006_outbox_due_at_default")
        await connection.execute(insert(settings_row("id", "revision", "pmo_contact",
                                                     "loaded_at")).values(
            id=1, revision=1, pmo_contact="Call 4471", loaded_at=QUEUED))
    await upgrade(engine)
    async with engine.begin() as connection:  # the previous release's load, after the upgrade
        await connection.execute(insert(settings_row("id", "revision", "pmo_contact",
                                                     "loaded_at")).values(
            id=2, revision=1, pmo_contact="Call 4472", loaded_at=QUEUED))

    async with SqlUnitOfWork(engine) as uow:
        organisation = await uow.organisation.load()
    assert organisation is not None and organisation.allow_self_decisions is False
    async with engine.connect() as connection:
        found = (await connection.execute(
            select(tables.organisation_settings.c.allow_self_decisions))).scalars().all()
    assert found == [False, False]


async def test_ideas_from_before_the_promise_was_kept_get_their_due_day(
    engine: AsyncEngine,
) -> None:
    """The upgrade gives every idea already submitted the last day of its two-month promise,
    by the same rule as new ones (the UK day of submission, two calendar months on)."""
    added = ("sla_due_on", "first_response_at", "first_response_unreachable")
    before = table("ideas", *(column(c.name, c.type) for c in tables.ideas.columns
                              if c.name not in added))
    submitted = [datetime(2026, 12, 31, 10, tzinfo=UTC),
                 datetime(2026, 6, 30, 23, 30, tzinfo=UTC)]  # 1 July, in British summer time
    async with engine.begin() as connection:
        await connection.run_sync(downgrade_on, "0008_ideas_waiting_index")
        await connection.execute(insert(before), [{
            "reference": f"IIP-2026-{n:04d}", "contributor_object_id": "c", "title": "t",
            "problem": "p", "proposal": "p", "benefit": "b", "category_key": "process",
            "portfolio_key": "local-policing", "named_publicly": False, "status": "submitted",
            "version": 1, "submitted_at": at, "updated_at": at, "submission_key": f"s{n}",
            "department": "", "function": "", "location": "", "grade": "", "role_type": "",
        } for n, at in enumerate(submitted, start=1)])
    await upgrade(engine)

    async with engine.connect() as connection:
        found = (await connection.execute(
            select(tables.ideas.c.sla_due_on, tables.ideas.c.first_response_at,
                   tables.ideas.c.first_response_unreachable)
            .order_by(tables.ideas.c.id))).all()
    assert [tuple(row) for row in found] == [(date(2027, 2, 28), None, False),
                                             (date(2026, 9, 1), None, False)]
