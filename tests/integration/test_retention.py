"""Retention on each database: what a run purges, exactly, and what it must keep (a staff
card of an open idea whole, the activity id a later update needs, the notices an idea's
promise is derived from); a dry run that changes nothing; the run audited; the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from support.cli import on_database
from support.outbox import card
from support.tables import rows

from bot.domain.outbox import DeliveryState, MessageKind, OutgoingMessage, Recipient
from bot.domain.retention import RetentionCounts, RetentionPolicy
from bot.services.retention import Retention
from storage import tables as t
from storage.outbox import SqlOutboxQueue
from storage.retention import SqlRetention
from storage.uow import SqlUnitOfWork, unit_of_work_factory

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
OPEN, CLOSED = "IIP-2026-0001", "IIP-2026-0002"


class Clock:
    def now(self) -> datetime:
        return NOW


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def idea(idea_id: int, reference: str, status: str) -> dict[str, Any]:
    return {"id": idea_id, "reference": reference, "contributor_object_id": "oid-c",
            "title": "t", "problem": "p", "proposal": "p", "benefit": "b",
            "category_key": "c", "portfolio_key": "p", "named_publicly": False,
            "status": status, "version": 3, "submitted_at": ago(days=600),
            "updated_at": ago(days=600), "submission_key": reference, "department": "d",
            "function": "f", "location": "l", "grade": "g", "role_type": "r"}


async def sent(engine: AsyncEngine, key: str, at: datetime,
               replaces: str | None = None) -> None:
    """A message queued and sent at `at` (replacing the card sent as `replaces`)."""
    message = OutgoingMessage(recipient=Recipient.person("oid-a", "t"),
                              kind=MessageKind.NOTICE, dedupe_key=key, message=card(key))
    async with SqlUnitOfWork(engine) as uow:
        if replaces is None:
            await uow.outbox.enqueue(message, at)
        else:
            await uow.outbox.replace_cards({replaces: message}, at)
        await uow.commit()
    queue = SqlOutboxQueue(engine)
    (delivery,) = await queue.claim("w", at, 1, timedelta(minutes=1))
    await queue.sent(delivery.id, "w", at, "a:chat", f"activity-{key}")


async def given(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(t.ideas), [idea(1, OPEN, "business_assessment"),
                                                   idea(2, CLOSED, "declined")])
        await connection.execute(insert(t.idea_history).values(
            idea_id=2, at=ago(days=500), actor="oid-s", action="decline",
            to_status="declined", notice_key="notice:IIP-2026-0002:v2"))
        await connection.execute(insert(t.idea_drafts), [
            {"object_id": oid, "draft_id": oid, "draft": {}, "started_at": at,
             "updated_at": at} for oid, at in (("old", ago(days=91)), ("new", ago(days=89)))])
        await connection.execute(insert(t.bot_state), [
            {"key": key, "etag": "e", "document": "{}", "updated_at": at}
            for key, at in (("state/old", ago(days=91)), ("state/new", ago(days=1)))])
        await connection.execute(insert(t.feedback), [
            {"author_object_id": oid, "comment": "c", "may_contact": False, "created_at": at}
            for oid, at in (("old", ago(days=25 * 31)), ("new", ago(days=23 * 30)))])
    await sent(engine, "notice:recent", ago(days=29))
    await sent(engine, "notice:month-old", ago(days=31))
    await sent(engine, f"card:{OPEN}:oid-a", ago(days=40))
    await sent(engine, f"card:{CLOSED}:oid-a", ago(days=40))
    await sent(engine, "welcome:a:chat:install-1", ago(days=401))
    await sent(engine, "notice:IIP-2026-0002:v2", ago(days=500))
    await sent(engine, f"card:{OPEN}:oid-b", ago(days=500))
    await sent(engine, f"card:{CLOSED}:oid-b", ago(days=500))
    await sent(engine, f"update:{CLOSED}:oid-b:v3", ago(days=450), replaces=f"card:{CLOSED}:oid-b")
    async with SqlUnitOfWork(engine) as uow:  # owed, not yet sent, however old: untouched
        await uow.outbox.enqueue(OutgoingMessage(
            recipient=Recipient.person("oid-a", "t"), kind=MessageKind.NOTICE,
            dedupe_key="notice:pending", message=card("pending")), ago(days=500))
        await uow.commit()


def retention(engine: AsyncEngine) -> Retention:
    # Two rows a transaction, so that every pass works through several batches.
    return Retention(SqlRetention(engine), unit_of_work_factory(engine), Clock(),
                     RetentionPolicy(batch=2))


async def outbox(engine: AsyncEngine) -> dict[str, dict[str, Any]]:
    return {r["dedupe_key"]: r for r in await rows(engine, t.outbox)}


async def test_a_run_purges_exactly_what_is_kept_no_longer(engine: AsyncEngine):
    await given(engine)
    before = await outbox(engine)

    expected = RetentionCounts(drafts=1, conversation_state=1, sent_payloads=6,
                               outbox_rows=3, feedback=1)
    assert await retention(engine).run(dry_run=True) == expected
    assert await outbox(engine) == before  # a dry run changes nothing
    assert await retention(engine).run() == expected

    assert [r["object_id"] for r in await rows(engine, t.idea_drafts)] == ["new"]
    assert [r["key"] for r in await rows(engine, t.bot_state)] == ["state/new"]
    assert [r["author_object_id"] for r in await rows(engine, t.feedback)] == ["new"]
    after = await outbox(engine)
    assert set(after) == {"notice:recent", "notice:month-old", f"card:{OPEN}:oid-a",
                          f"card:{CLOSED}:oid-a", "notice:IIP-2026-0002:v2",
                          f"card:{OPEN}:oid-b", "notice:pending"}
    whole = {k for k, r in after.items() if r["purged_at"] is None}
    assert whole == {"notice:recent", f"card:{OPEN}:oid-a", f"card:{OPEN}:oid-b",
                     "notice:pending"}
    for key in whole:
        assert after[key] == before[key]
    for key in set(after) - whole:
        row = after[key]
        assert (row["card"], row["summary"], row["fallback_text"]) == ({}, "", "")
        # What a later update of the card needs is kept.
        assert row["activity_id"] == f"activity-{key}" and row["sent_conversation_id"]
    queue = SqlOutboxQueue(engine)
    for key in (f"card:{OPEN}:oid-b", f"card:{CLOSED}:oid-a"):
        found = await queue.sent_activity(after[key]["id"])
        assert found is not None and found.state is DeliveryState.SENT
        assert found.activity_id == f"activity-{key}"

    (audited,) = [r for r in await rows(engine, t.audit_log) if r["action"] == "retention.run"]
    assert {k: audited["detail"][k] for k in expected.as_dict()} == expected.as_dict()
    assert await retention(engine).run() == RetentionCounts()


async def test_the_day_s_run_happens_once_however_many_replicas_look(engine: AsyncEngine):
    await given(engine)

    assert await retention(engine).run_due() is not None
    assert await retention(engine).run_due() is None
    assert len([r for r in await rows(engine, t.audit_log)
                if r["action"] == "retention.run"]) == 1


async def test_iip_retention_run_counts_dry_then_purges(
    engine: AsyncEngine, database_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    iip = on_database(database_url, monkeypatch, capsys)
    async with engine.begin() as connection:
        await connection.execute(insert(t.idea_drafts).values(
            object_id="old", draft_id="d", draft={}, started_at=datetime(2020, 1, 1, tzinfo=UTC),
            updated_at=datetime(2020, 1, 1, tzinfo=UTC)))

    code, out, _ = await iip("retention", "run", "--dry-run")
    assert code == 0 and out.splitlines()[:2] == ["A run would purge:", "          1  drafts"]
    assert len(await rows(engine, t.idea_drafts)) == 1

    monkeypatch.setenv("IIP_RETAIN_DRAFTS_DAYS", "100000")  # kept this long: nothing goes
    code, out, _ = await iip("retention", "run")
    assert code == 0 and "          0  drafts" in out
    monkeypatch.delenv("IIP_RETAIN_DRAFTS_DAYS")
    code, out, _ = await iip("retention", "run")
    assert code == 0 and out.splitlines()[:2] == ["Purged:", "          1  drafts"]
    assert await rows(engine, t.idea_drafts) == []

    monkeypatch.setenv("IIP_RETAIN_SENT_DAYS", "soon")
    code, _, err = await iip("retention", "run")
    assert code == 2 and "IIP_RETAIN_SENT_DAYS" in err


async def test_old_job_marks_go_but_the_latest_of_each_job_and_idea_stays(engine: AsyncEngine):
    """The scheduler's marks would grow for ever; a pass still needs only the latest of each
    job and idea (a deferred idea's revisit sent long ago must not be sent again)."""
    marks = [("pmo_digest", 0, "2026-06-01", ago(days=180)),  # goes
             ("pmo_digest", 0, "2026-09-04", ago(days=93)),  # goes
             ("pmo_digest", 0, "2026-12-05", ago(days=1)),
             ("sponsor_weekly", 0, "2026-W10", ago(days=270)),  # old, but its job's latest
             ("revisit", 7, "2026-03-01", ago(days=280)),  # goes
             ("revisit", 7, "2026-06-01", ago(days=180)),  # idea 7's latest revisit
             ("revisit", 8, "2026-02-01", ago(days=300)),  # idea 8's only one
             ("spoc_reminder", 7, "2026-05-01:21", ago(days=100)),  # goes
             ("spoc_reminder", 7, "2026-10-01:21", ago(days=85))]
    async with engine.begin() as connection:
        await connection.execute(insert(t.job_marks), [
            {"job": job, "idea_id": idea_id, "threshold": threshold, "at": at}
            for job, idea_id, threshold, at in marks])

    assert (await retention(engine).run(dry_run=True)).job_marks == 4
    assert len(await rows(engine, t.job_marks)) == len(marks)
    assert (await retention(engine).run()).job_marks == 4

    kept = {(r["job"], r["idea_id"], r["threshold"]) for r in await rows(engine, t.job_marks)}
    assert kept == {("pmo_digest", 0, "2026-12-05"), ("sponsor_weekly", 0, "2026-W10"),
                    ("revisit", 7, "2026-06-01"), ("revisit", 8, "2026-02-01"),
                    ("spoc_reminder", 7, "2026-10-01:21")}
    (audited,) = [r for r in await rows(engine, t.audit_log) if r["action"] == "retention.run"]
    assert audited["detail"]["job_marks"] == 4
    assert audited["detail"]["policy"]["job_marks_days"] == 90
    assert (await retention(engine).run()).job_marks == 0
