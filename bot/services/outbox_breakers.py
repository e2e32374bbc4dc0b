"""Breakers per destination: a team channel or group chat closed to the bot is paused, and
the PMO told once an opening; the outbox worker asks these which destinations wait."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime

from bot.domain.addresses import ConversationAddress
from bot.domain.audit import SYSTEM, AuditEntry
from bot.domain.breakers import Breaker, ProbeWaits, destination_name
from bot.domain.messages import CardMessage
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.services.ports import Clock, UnitOfWorkFactory

# The PMO's alert: (the destination in words, the refusal, when one message is tried again).
AlertCard = Callable[[str, str, datetime], CardMessage]


class OutboxBreakers:
    """Implements the DestinationBreakers port on the database, so every replica sees the
    same pauses and a restart forgets none."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, alert: AlertCard,
                 waits: ProbeWaits | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._alert = alert
        self._waits = waits or ProbeWaits()

    async def open_among(self, conversation_ids: Iterable[str]) -> dict[str, Breaker]:
        async with self._uow() as uow:
            return await uow.breakers.open_among(conversation_ids)

    async def refused(self, address: ConversationAddress, reason: str) -> Breaker:
        """Pause the destination; when this refusal opens its breaker, queue one alert to each
        PMO member, in the same transaction, keyed by the opening."""
        now = self._clock.now()
        async with self._uow() as uow:
            breaker, opened = await uow.breakers.trip(address.conversation_id, address.kind,
                                                      reason, now, self._waits)
            if opened:
                organisation = await uow.organisation.load()
                name = destination_name(address.conversation_id, address.kind,
                                        organisation.news_channel if organisation else None)
                message = self._alert(name, reason, breaker.probe_at)
                opening = _opening_key(breaker)
                await uow.outbox.enqueue_all([OutgoingMessage(
                    recipient=Recipient.person(member, address.tenant_id),
                    kind=MessageKind.NOTICE, dedupe_key=f"{opening}:{member}", message=message,
                ) for member in (organisation.pmo if organisation else ())], now)
                await uow.audit.record(AuditEntry(
                    actor=SYSTEM, action="outbox.destination_paused",
                    subject=address.conversation_id, at=now,
                    detail={"destination": name, "reason": reason,
                            "probe_at": breaker.probe_at.isoformat()}))
            await uow.commit()
        return breaker

    async def resumed(self, conversation_id: str) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            closed = await uow.breakers.close(conversation_id)
            if closed is not None:
                await uow.audit.record(AuditEntry(
                    actor=SYSTEM, action="outbox.destination_resumed",
                    subject=conversation_id, at=now,
                    detail={"paused_since": closed.opened_at.isoformat(),
                            "refusals": closed.failures}))
            await uow.commit()


def _opening_key(breaker: Breaker) -> str:
    """The alert's de-duplication key for one opening of one destination's breaker (a
    conversation id can be long; the key must stay well under the column's 400)."""
    digest = hashlib.sha256(breaker.conversation_id.encode()).hexdigest()[:16]
    return f"paused:{digest}:{breaker.opened_at.strftime('%Y%m%dT%H%M%S%f')}"
