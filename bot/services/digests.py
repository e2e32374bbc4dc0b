"""The workforce's "you said, we did": prepared by the PMO, previewed, then sent to everyone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.audit import AuditEntry
from bot.domain.campaign_audience import resolve_audience
from bot.domain.campaigns import Audience, AudienceKind, InvalidCampaign
from bot.domain.digest import SHOWN, Digest, DigestState, window_start
from bot.domain.errors import DomainError
from bot.domain.ideas import day_words, uk_day
from bot.domain.messages import CardMessage
from bot.domain.organisation import Organisation
from bot.domain.outbox import MessageKind, OutgoingMessage, Recipient
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

NOT_PMO = "The workforce digest is prepared and sent by the PMO team."
_EVERYONE = Audience(AudienceKind.EVERYONE)

DigestCard = Callable[[Digest], CardMessage]


class NothingDelivered(DomainError):
    """No idea was delivered in the window a new digest would cover (from `since`)."""

    def __init__(self, since: datetime) -> None:
        super().__init__(f"No idea has been delivered since {since.isoformat()}.")
        self.since = since


class DigestRefused(DomainError):
    """A digest cannot be sent as asked; the message says why, kindly. Nothing was sent."""


def batch_of(digest_id: int) -> str:
    """The outbox batch of a digest's messages."""
    return f"digest:{digest_id}"


class DigestService:
    """Digests of delivered ideas: each prepared with its ideas fixed, sent once, audited.
    Only the PMO prepares or sends one; it goes to everyone with the app who has not stopped
    campaign calls, as a campaign's call to everyone does."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, digest_card: DigestCard,
                 organisation: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._digest_card = digest_card
        self._organisation = organisation or OrganisationCache()

    async def prepare(self, actor: str) -> Digest:
        """A new draft digest of the ideas delivered since the last one sent (or, for the
        first, the last few months), for a PMO member `actor` (NotAllowed for anyone else);
        NothingDelivered when there were none."""
        now = self._clock.now()
        async with self._uow() as uow:
            organisation = await self._pmo_only(uow, actor)
            departments = {p.key: p.name for p in organisation.portfolios}
            last = await uow.digests.last_sent()
            since = window_start(last.covers_to if last else None, now)
            entries, total = await uow.digests.delivered(since, now, SHOWN, departments)
            if not total:
                raise NothingDelivered(since)
            digest = await uow.digests.add(since, now, entries, total, actor, now)
            await uow.audit.record(AuditEntry(
                actor=actor, action="digest.prepared", subject=f"digest:{digest.id}", at=now,
                detail={"covers_from": since.isoformat(), "covers_to": now.isoformat(),
                        "total": total},
            ))
            await uow.commit()
        return digest

    async def audience(self, tenant_id: str | None = None) -> int:
        """How many people a digest sent now would reach."""
        async with self._uow() as uow:
            return len(await self._recipients(uow, tenant_id, await self._organisation.read(uow)))

    async def send(self, digest_id: int | None, actor: str, *, tenant_id: str | None) -> Digest:
        """Queue the prepared digest to everyone it reaches, once, in one transaction with
        its being marked sent; DigestRefused (nothing queued) when it was sent already, a
        later one was, or nobody has the app."""
        now = self._clock.now()
        async with self._uow() as uow:
            organisation = await self._pmo_only(uow, actor)
            digest = await uow.digests.by_id(digest_id) if digest_id is not None else None
            if digest is None:
                raise DigestRefused("That digest is not one the portal knows. Type **digest** "
                                    "to prepare one. Nothing was sent.")
            if digest.state is DigestState.SENT:
                raise DigestRefused(_already_sent(digest))
            last = await uow.digests.last_sent()
            if last is not None and last.covers_to > digest.covers_from:
                raise DigestRefused(
                    f"A later digest was sent on {day_words(uk_day(last.sent_at or now))}, so "
                    "this one would repeat it. Type **digest** to prepare a new one. Nothing "
                    "was sent.")
            recipients = await self._recipients(uow, tenant_id, organisation)
            if not recipients:
                raise DigestRefused("Nobody has the app in a 1:1 chat yet (or everyone stopped "
                                    "campaign calls), so there is nobody to send it to. "
                                    "Nothing was sent.")
            # Marked first: a second press at the same moment waits for this transaction,
            # then finds it sent.
            if not await uow.digests.mark_sent(digest.id, actor, now, len(recipients)):
                raise DigestRefused(_already_sent(await uow.digests.by_id(digest.id) or digest))
            batch = batch_of(digest.id)
            card = self._digest_card(digest)
            queued = await uow.outbox.enqueue_all([OutgoingMessage(
                recipient=recipient, kind=MessageKind.DIGEST, message=card, batch=batch,
                dedupe_key=f"{batch}:{recipient.object_id or recipient.conversation_id}",
            ) for recipient in recipients], now)
            await uow.audit.record(AuditEntry(
                actor=actor, action="digest.sent", subject=f"digest:{digest.id}", at=now,
                detail={"recipients": queued, "batch": batch, "total": digest.total},
            ))
            sent = await uow.digests.by_id(digest.id)
            await uow.commit()
        assert sent is not None
        return sent

    async def _pmo_only(self, uow: UnitOfWork, actor: str) -> Organisation:
        return await self._organisation.of_pmo(uow, actor, NOT_PMO)

    @staticmethod
    async def _recipients(uow: UnitOfWork, tenant_id: str | None,
                          organisation: Organisation | None) -> tuple[Recipient, ...]:
        try:
            return resolve_audience(_EVERYONE, tenant_id, organisation,
                                    with_app=await uow.addresses.people_with_app(),
                                    opted_out=await uow.campaigns.opted_out())
        except InvalidCampaign:  # nobody: the caller says so in the digest's words
            return ()


def _already_sent(digest: Digest) -> str:
    when = day_words(uk_day(digest.sent_at)) if digest.sent_at else "an earlier day"
    return (f"This digest was sent on {when} to {digest.recipients:,} people. Nothing was sent "
            "again.")
