"""Where a message goes: its stored conversation, the person's 1:1 chat, or a new 1:1 chat.

The resolver answers with an outcome (an address, give up, or the failure of opening a chat)
and leaves acting on it to the caller. It also keeps the addresses up to date when Teams says
a chat is gone or closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.delivery.failures import GiveUp
from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.audit import SYSTEM, AuditEntry
from bot.domain.outbox import Recipient
from bot.services.ports import Clock, Messenger, SendResult, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Resolved:
    address: ConversationAddress


@dataclass(frozen=True, slots=True)
class OpenFailed:
    """The person has no 1:1 chat and opening one failed: a failed send like any other, tried
    again or given up by what `result` says."""

    result: SendResult


Resolution = Resolved | GiveUp | OpenFailed


class AddressResolver:
    """Finds where messages go, reading a batch's stored addresses in one query."""

    def __init__(self, uow: UnitOfWorkFactory, messenger: Messenger, clock: Clock, *,
                 default_service_url: str | None = None, bot_id: str | None = None) -> None:
        self._uow = uow
        self._messenger = messenger
        self._clock = clock
        # Where a person with no stored 1:1 chat is reached when no address in their tenant
        # is known yet.
        self._default_service_url = default_service_url
        self._bot_id = bot_id
        # The stored addresses read ahead for a batch; forgotten whenever this resolver
        # changes an address (a chat opened again, a person who blocked the bot).
        self._read_ahead: dict[Recipient, ConversationAddress] = {}

    async def read_ahead(self, recipients: Iterable[Recipient]) -> set[str]:
        """Read these recipients' stored addresses in one go, for `resolve` to use: one
        database round trip for a batch, not one a message. The conversations they name
        (a person's 1:1 chat among them) and those the recipients name themselves."""
        wanted = list(recipients)
        if not wanted:
            self._read_ahead = {}
            return set()
        async with self._uow() as uow:
            self._read_ahead = await uow.addresses.addresses_for(wanted)
        return ({a.conversation_id for a in self._read_ahead.values()}
                | {r.conversation_id for r in wanted if r.conversation_id})

    async def resolve(self, recipient: Recipient) -> Resolution:
        """Where to send a message for `recipient`; opens a 1:1 chat if the person has none."""
        if (address := self._read_ahead.get(recipient)) is not None:
            return Resolved(address)
        async with self._uow() as uow:
            if recipient.conversation_id:
                address = await uow.addresses.address(recipient.conversation_id)
            else:
                address = await uow.addresses.personal_address(recipient.object_id or "")
            template = None
            if address is None and recipient.tenant_id:
                template = await uow.addresses.latest_in_tenant(recipient.tenant_id)
        if address is not None:
            return Resolved(address)
        if recipient.conversation_id:
            if recipient.tenant_id and template is not None:
                # A channel named in configuration (the news channel) that has not spoken to
                # the bot yet: it is reached through the tenant's service URL.
                return Resolved(replace(
                    template, conversation_id=recipient.conversation_id,
                    kind=ConversationKind.CHANNEL, object_id=None, user_id=None))
            return GiveUp("the conversation is unknown or the app was removed")
        template = template or self._default_address(recipient.tenant_id)
        if template is None:
            return GiveUp("no 1:1 chat with this person and no service URL")
        result, opened = await self._open_personal_chat(
            recipient.object_id or "", recipient.tenant_id, template)
        return OpenFailed(result) if opened is None else Resolved(opened)

    async def stored(self, conversation_id: str) -> ConversationAddress | None:
        """The stored address of a conversation the bot may still send to, if any."""
        async with self._uow() as uow:
            return await uow.addresses.address(conversation_id)

    async def reopen(self, address: ConversationAddress
                     ) -> tuple[SendResult, ConversationAddress | None]:
        """The 1:1 chat at `address` is gone: open a new one with the same person (the answer,
        and the new chat's address when it was opened)."""
        return await self._open_personal_chat(address.object_id or "", address.tenant_id,
                                              address)

    async def mark_unreachable(self, address: ConversationAddress, reason: str) -> None:
        """The person blocked or removed the app: stop sending there until they are back."""
        self._read_ahead = {}
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.addresses.mark_removed(address.conversation_id, now)
            await uow.audit.record(AuditEntry(
                actor=SYSTEM, action="conversation.unreachable",
                subject=address.conversation_id, at=now, detail={"reason": reason},
            ))
            await uow.commit()

    async def _open_personal_chat(
        self, object_id: str, tenant_id: str | None, via: ConversationAddress
    ) -> tuple[SendResult, ConversationAddress | None]:
        result, opened = await self._messenger.open_personal_chat(object_id, tenant_id, via)
        if opened is not None:
            self._read_ahead = {}
            async with self._uow() as uow:
                await uow.addresses.remember(opened, self._clock.now())
                await uow.commit()
        return result, opened

    def _default_address(self, tenant_id: str | None) -> ConversationAddress | None:
        if not self._default_service_url or not self._bot_id:
            return None
        return ConversationAddress(
            conversation_id="", kind=ConversationKind.PERSONAL,
            service_url=self._default_service_url, tenant_id=tenant_id, bot_id=self._bot_id,
        )
