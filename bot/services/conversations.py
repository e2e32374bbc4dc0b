"""Keeping every conversation's address, so that the bot can speak first later."""

from __future__ import annotations

from bot.domain.addresses import ConversationAddress
from bot.domain.audit import AuditEntry
from bot.domain.ideas import uk_day
from bot.domain.messages import CardMessage
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.services.ports import Clock, UnitOfWorkFactory


class ConversationService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def remember(self, address: ConversationAddress) -> bool:
        """Record the address an activity came from; True the first time it is seen."""
        now = self._clock.now()
        async with self._uow() as uow:
            is_new = await uow.addresses.remember(address, now)
            if is_new:
                await uow.audit.record(AuditEntry(
                    actor=address.object_id or address.bot_id,
                    action="conversation.first_contact",
                    subject=address.conversation_id,
                    at=now,
                    detail={"kind": address.kind.value, "team_id": address.team_id},
                ))
            await uow.commit()
        return is_new

    async def removed(self, conversation_id: str, actor: str) -> None:
        """The app was uninstalled from a conversation: stop sending there."""
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.addresses.mark_removed(conversation_id, now)
            await uow.audit.record(AuditEntry(
                actor=actor, action="conversation.removed", subject=conversation_id, at=now,
            ))
            await uow.commit()

    async def welcome(self, conversation_id: str, occasion: str, card: CardMessage) -> bool:
        """Queue a welcome for a conversation the app was just added to, once per `occasion`
        (the install event's id), so that a redelivered event does not welcome twice."""
        async with self._uow() as uow:
            queued = await uow.outbox.enqueue(OutgoingMessage(
                recipient=Recipient.conversation(conversation_id),
                kind=MessageKind.WELCOME,
                dedupe_key=f"welcome:{conversation_id}:{occasion}",
                message=card,
            ), self._clock.now())
            await uow.commit()
        return queued

    async def move_to_private(self, object_id: str, tenant_id: str | None,
                              shared_conversation_id: str, step: str,
                              card: CardMessage) -> bool:
        """Queue `card` for the person's 1:1 chat after they asked for something personal in a
        shared conversation. The same step is offered once a day, however often they ask."""
        now = self._clock.now()
        day = uk_day(now).isoformat()
        async with self._uow() as uow:
            queued = await uow.outbox.enqueue(OutgoingMessage(
                recipient=Recipient.person(object_id, tenant_id),
                kind=MessageKind.NOTICE,
                dedupe_key=f"private:{object_id}:{step}:{day}",
                message=card,
            ), now)
            if queued:
                await uow.audit.record(AuditEntry(
                    actor=object_id, action="conversation.moved_to_private",
                    subject=shared_conversation_id, at=now, detail={"step": step},
                ))
            await uow.commit()
        return queued
