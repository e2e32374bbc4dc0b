"""Queueing, claiming and reading outbox rows directly, for the outbox's own tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.messages import CardMessage
from bot.domain.outbox import Delivery, OutgoingMessage
from storage import tables
from storage.uow import SqlUnitOfWork

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def card(text: str) -> CardMessage:
    return CardMessage(
        card={"type": "AdaptiveCard", "version": "1.5",
              "body": [{"type": "TextBlock", "text": text}]},
        summary=text, fallback_text=text,
    )


async def enqueue(engine: AsyncEngine, *messages: OutgoingMessage, at: datetime = T0) -> int:
    """Queue `messages` one by one in one committed change; how many were queued."""
    async with SqlUnitOfWork(engine) as uow:
        queued = [await uow.outbox.enqueue(m, at) for m in messages]
        await uow.commit()
    return sum(queued)


async def outbox_rows(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(select(tables.outbox).order_by(tables.outbox.c.id))
        return [dict(row) for row in result.mappings()]


async def until_settled(engine: AsyncEngine, within: float) -> None:
    """Until nothing is pending or in flight any more (on the system clock)."""
    from storage.outbox import SqlOutboxQueue

    queue = SqlOutboxQueue(engine)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        status = await queue.status(datetime.now(UTC))
        if status.pending == 0 and status.sending == 0:
            return
        await asyncio.sleep(0.05)
    status = await queue.status(datetime.now(UTC))
    raise AssertionError(f"the outbox did not settle within {within} s: {status}")


def texts(deliveries: Iterable[Delivery]) -> list[str]:
    return [d.message.summary for d in deliveries]
