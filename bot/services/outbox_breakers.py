"""Breakers per destination: a team channel or group chat closed to the bot (or gone) is
paused, and the PMO told once an opening, and again when it resumes or is given up; the
outbox worker asks these which destinations wait, and an operator may drop one for good."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.addresses import ConversationAddress
from bot.domain.audit import SYSTEM, AuditEntry
from bot.domain.breakers import (
    DROPPED,
    Breaker,
    GivenUp,
    PausedDestination,
    ProbeWaits,
    destination_name,
    gave_up_reason,
)
from bot.domain.messages import CardMessage
from bot.domain.organisation import Organisation
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class BreakerNotices:
    """What the PMO is told about a destination: paused (the destination in words, the
    refusal, when one message is tried again), resumed (paused since when), and given up
    (the reason its messages died with, how many)."""

    paused: Callable[[str, str, datetime], CardMessage]
    resumed: Callable[[str, datetime], CardMessage]
    given_up: Callable[[str, str, int], CardMessage]


class OutboxBreakers:
    """Implements the DestinationBreakers port on the database, so every replica sees the
    same pauses and a restart forgets none."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, notices: BreakerNotices,
                 waits: ProbeWaits | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._notices = notices
        self._waits = waits or ProbeWaits()

    async def open_among(self, conversation_ids: Iterable[str]) -> dict[str, Breaker]:
        async with self._uow() as uow:
            return await uow.breakers.open_among(conversation_ids)

    async def refused(self, address: ConversationAddress, reason: str) -> Breaker | GivenUp:
        """Pause the destination; when this refusal opens its breaker, queue one alert to each
        PMO member, in the same transaction, keyed by the opening. One paused past the
        ceiling is given up instead, with every message not sent there (the one refused too),
        and the PMO told once."""
        now = self._clock.now()
        async with self._uow() as uow:
            breaker, opened = await uow.breakers.trip(address.conversation_id, address.kind,
                                                      reason, now, self._waits)
            organisation = await uow.organisation.load()
            name = _name_of(organisation, breaker)
            if self._waits.gives_up(breaker, now):
                outcome = await _give_up(uow, address.conversation_id,
                                         gave_up_reason(self._waits), now, SYSTEM)
                await _tell_pmo(uow, organisation, address.tenant_id,
                                _opening_key("gaveup", breaker),
                                self._notices.given_up(name, outcome.reason, outcome.messages),
                                now)
                await uow.commit()
                return outcome
            if opened:
                await _tell_pmo(uow, organisation, address.tenant_id,
                                _opening_key("paused", breaker),
                                self._notices.paused(name, reason, breaker.probe_at), now)
                await uow.audit.record(AuditEntry(
                    actor=SYSTEM, action="outbox.destination_paused",
                    subject=address.conversation_id, at=now,
                    detail={"destination": name, "reason": reason,
                            "probe_at": breaker.probe_at.isoformat()}))
            await uow.commit()
        return breaker

    async def resumed(self, address: ConversationAddress) -> None:
        """Close the destination's breaker; the PMO is told once an opening that its messages
        go again, in the same transaction as the audit."""
        now = self._clock.now()
        async with self._uow() as uow:
            closed = await uow.breakers.close(address.conversation_id)
            if closed is not None:
                organisation = await uow.organisation.load()
                name = _name_of(organisation, closed)
                told = await _tell_pmo(uow, organisation, address.tenant_id,
                                       _opening_key("resumed", closed),
                                       self._notices.resumed(name, closed.opened_at), now)
                await uow.audit.record(AuditEntry(
                    actor=SYSTEM, action="outbox.destination_resumed",
                    subject=address.conversation_id, at=now,
                    detail={"destination": name, "paused_since": closed.opened_at.isoformat(),
                            "refusals": closed.failures, "pmo_told": told}))
            await uow.commit()

    async def drop(self, conversation_id: str, actor: str) -> GivenUp:
        """An operator gives the destination up for good: its waiting messages die with a
        reason that says so, its breaker closes, and the change is audited."""
        now = self._clock.now()
        async with self._uow() as uow:
            outcome = await _give_up(uow, conversation_id, DROPPED, now, actor)
            await uow.commit()
        return outcome

    async def paused(self) -> list[PausedDestination]:
        """The destinations paused now, longest first, by name, with the messages held."""
        async with self._uow() as uow:
            found = await uow.breakers.paused()
            organisation = await uow.organisation.load()
        return [PausedDestination(_name_of(organisation, breaker), breaker, held)
                for breaker, held in found]


async def _give_up(uow: UnitOfWork, conversation_id: str, reason: str, now: datetime,
                   actor: str) -> GivenUp:
    """Kill the destination's unsent messages with `reason` and close its breaker, audited
    when that changed anything."""
    ids = await uow.outbox.give_up_conversation(conversation_id, reason)
    closed = await uow.breakers.close(conversation_id)
    if not ids and closed is None:
        return GivenUp(conversation_id, reason, ids, was_paused=False)
    detail: dict[str, object] = {"reason": reason, "messages": len(ids)}
    if closed is not None:
        detail |= {"paused_since": closed.opened_at.isoformat(), "refusals": closed.failures}
    await uow.audit.record(AuditEntry(actor=actor, action="outbox.destination_given_up",
                                      subject=conversation_id, at=now, detail=detail))
    return GivenUp(conversation_id, reason, ids, was_paused=closed is not None)


def _name_of(organisation: Organisation | None, breaker: Breaker) -> str:
    return destination_name(breaker.conversation_id, breaker.kind,
                            organisation.news_channel if organisation else None)


async def _tell_pmo(uow: UnitOfWork, organisation: Organisation | None, tenant_id: str | None,
                    key: str, message: CardMessage, now: datetime) -> int:
    """Queue `message` to each PMO member in their own chat, once per `key`; how many."""
    return await uow.outbox.enqueue_all([OutgoingMessage(
        recipient=Recipient.person(member, tenant_id), kind=MessageKind.NOTICE,
        dedupe_key=f"{key}:{member}", message=message,
    ) for member in (organisation.pmo if organisation else ())], now)


def _opening_key(what: str, breaker: Breaker) -> str:
    """The de-duplication key of one notice (`what`) about one opening of one destination's
    breaker (a conversation id can be long; the key must stay well under the column's 400)."""
    digest = hashlib.sha256(breaker.conversation_id.encode()).hexdigest()[:16]
    return f"{what}:{digest}:{breaker.opened_at.strftime('%Y%m%dT%H%M%S%f')}"
