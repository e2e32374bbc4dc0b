"""The workforce's "you said, we did": prepared by the PMO, previewed, then sent to everyone."""

from __future__ import annotations

from datetime import datetime

from bot.domain.audit import AuditEntry
from bot.domain.digest import SHOWN, Digest, window_start
from bot.domain.errors import DomainError, NotAllowed
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWorkFactory

NOT_PMO = "The workforce digest is prepared and sent by the PMO team."


class NothingDelivered(DomainError):
    """No idea was delivered in the window a new digest would cover (from `since`)."""

    def __init__(self, since: datetime) -> None:
        super().__init__(f"No idea has been delivered since {since.isoformat()}.")
        self.since = since


class DigestService:
    """Digests of delivered ideas: each prepared with its ideas fixed, sent once, audited."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock,
                 organisation: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._organisation = organisation or OrganisationCache()

    async def prepare(self, actor: str) -> Digest:
        """A new draft digest of the ideas delivered since the last one sent (or, for the
        first, the last few months), for a PMO member `actor` (NotAllowed for anyone else);
        NothingDelivered when there were none."""
        now = self._clock.now()
        async with self._uow() as uow:
            organisation = await self._organisation.read(uow)
            if organisation is None or not organisation.roles_of(actor).pmo:
                raise NotAllowed(NOT_PMO)
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
