"""`iip outbox retry --dead` as an operator uses it after an outage: filtered by kind, by when
the messages were queued, by campaign batch; never to people who blocked the app; saying
what it did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from support.cli import on_database
from support.outbox import card

from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from storage import tables
from storage.outbox import SqlOutboxQueue
from storage.uow import SqlUnitOfWork

EARLY = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 23:00 on 30 November, UK time
LATE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHANNEL = "19:news@thread.tacv2"


def message(key: str, kind: MessageKind = MessageKind.NOTICE, batch: str | None = None,
            recipient: Recipient | None = None) -> OutgoingMessage:
    return OutgoingMessage(recipient=recipient or Recipient.person(f"oid-{key}", "t"),
                           kind=kind, dedupe_key=key, message=card(key), batch=batch)


async def given_up(engine: AsyncEngine, at: datetime, *messages: OutgoingMessage,
                   unreachable: bool = False) -> None:
    """Queue `messages` at `at`, and give each up (as unreachable: its recipient blocked the
    app)."""
    async with SqlUnitOfWork(engine) as uow:
        await uow.outbox.enqueue_all(list(messages), at)
        await uow.commit()
    queue = SqlOutboxQueue(engine)
    for delivery in await queue.claim("w", at, 100, timedelta(minutes=1)):
        await queue.dead(delivery.id, "w", "403: ConversationBlockedByUser" if unreachable
                         else "502: gave up", unreachable=unreachable)


async def states(engine: AsyncEngine) -> dict[str, str]:
    async with engine.connect() as connection:
        return dict((await connection.execute(
            select(tables.outbox.c.dedupe_key, tables.outbox.c.state))).all())


async def test_retry_dead_requeues_what_its_filters_pick_and_never_people_who_blocked_the_app(
    engine: AsyncEngine, database_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    iip = on_database(database_url, monkeypatch, capsys)
    async with SqlUnitOfWork(engine) as uow:  # the news channel, given up before breakers
        await uow.addresses.remember(ConversationAddress(
            conversation_id=CHANNEL, kind=ConversationKind.CHANNEL,
            service_url="https://smba.trafficmanager.net/uk/", tenant_id="t",
            bot_id="28:bot"), EARLY)
        await uow.commit()
    await given_up(engine, EARLY, message("status:early", MessageKind.STATUS),
                   message("campaign:1:a", MessageKind.CAMPAIGN, batch="campaign:1"))
    await given_up(engine, LATE, message("status:late", MessageKind.STATUS),
                   message("campaign:1:b", MessageKind.CAMPAIGN, batch="campaign:1"),
                   message("campaign:2:a", MessageKind.CAMPAIGN, batch="campaign:2"))
    await given_up(engine, LATE, message("status:blocked", MessageKind.STATUS),
                   message("campaign:1:blocked", MessageKind.CAMPAIGN, batch="campaign:1"),
                   message("recognition:1", recipient=Recipient.channel(CHANNEL, "t")),
                   unreachable=True)

    # A day is read from midnight UK time: 23:00 on the 30th is before it.
    code, out, _ = await iip("outbox", "retry", "--dead", "--kind", "status",
                             "--since", "2026-12-01")
    assert code == 0
    assert out.splitlines() == [
        "Requeued 1 dead message(s).",
        "Skipped 1: their recipients blocked or removed the app (or their chat is gone), so "
        "sending again would not reach them."]
    assert {k for k, s in (await states(engine)).items() if s == "pending"} == {"status:late"}

    code, out, _ = await iip("outbox", "retry", "--dead", "--batch", "campaign:1")
    assert code == 0 and out.startswith("Requeued 2 dead message(s).\nSkipped 1:")
    code, out, _ = await iip("outbox", "retry", "--dead")
    # What is left: the early status, the other campaign, and the news channel's post (a
    # channel is not a person who blocked the app); never the two people who did.
    assert (code, out.splitlines()[0]) == (0, "Requeued 3 dead message(s).")
    assert {k for k, s in (await states(engine)).items() if s == "dead"} == {
        "status:blocked", "campaign:1:blocked"}


@pytest.mark.parametrize("argv", [
    ["outbox", "retry", "--dead", "--since", "last tuesday"],
    ["outbox", "retry", "--dead", "--kind", "carrier-pigeon"],
    ["outbox", "retry"],
])
async def test_retry_dead_refuses_what_it_cannot_read_and_changes_nothing(
    engine: AsyncEngine, database_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], argv: list[str],
):
    iip = on_database(database_url, monkeypatch, capsys)
    await given_up(engine, LATE, message("status:late", MessageKind.STATUS))

    with pytest.raises(SystemExit) as exited:
        await iip(*argv)

    assert exited.value.code == 2
    assert await states(engine) == {"status:late": "dead"}
