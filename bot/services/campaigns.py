"""Creating and listing the PMO's campaigns (sending them comes later)."""

from __future__ import annotations

import builtins

from bot.domain.audit import AuditEntry
from bot.domain.campaigns import Campaign, CampaignRequest, check_request, key_for
from bot.domain.ideas import uk_day
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWorkFactory


class CampaignService:
    """The campaigns: each new one checked against every rule, kept as a draft, audited."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock,
                 organisation: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._organisation = organisation or OrganisationCache()

    async def create(self, request: CampaignRequest, actor: str) -> Campaign:
        """Keep `request` as a new draft campaign, or raise InvalidCampaign storing nothing."""
        now = self._clock.now()
        async with self._uow() as uow:
            organisation = await self._organisation.read(uow)
            portfolios = (None if organisation is None
                          else {p.key for p in organisation.portfolios})
            checked = check_request(request, uk_day(now), portfolios)
            base = key_for(checked.name, ())
            key = key_for(checked.name, await uow.campaigns.keys_from(base))
            campaign = await uow.campaigns.add(checked, key, actor, now)
            await uow.audit.record(AuditEntry(
                actor=actor, action="campaign.created", subject=f"campaign:{campaign.id}", at=now,
                detail={"key": campaign.key, "name": campaign.name,
                        "opens": campaign.opens.isoformat(),
                        "closes": campaign.closes.isoformat(),
                        "audience": str(campaign.audience),
                        "audience_members": len(campaign.audience.members),
                        "questions": len(campaign.questions)},
            ))
            await uow.commit()
        return campaign

    async def list(self) -> builtins.list[Campaign]:
        """Every campaign, the latest to open first."""
        async with self._uow() as uow:
            return await uow.campaigns.listed()
