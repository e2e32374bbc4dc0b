"""Campaigns put in the state a test needs, through the campaign service and storage."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_services
from bot.domain.campaigns import Audience, AudienceKind, Campaign, CampaignRequest, CampaignState
from bot.services.ports import Clock
from storage.uow import unit_of_work_factory

STAR_QUESTIONS = ("How much funding would it need?", "Who would lead it?")


async def open_campaign(engine: AsyncEngine, clock: Clock, name: str, *,
                        questions: tuple[str, ...] = (), opens: date = date(2026, 11, 2),
                        closes: date = date(2026, 11, 30)) -> Campaign:
    """A campaign created as the PMO would, then sent (open): it takes ideas from `opens` to
    `closes`. The default days suit the tests' clock (2 November 2026)."""
    created = await build_services(engine, clock).campaigns.create(CampaignRequest(
        name=name, theme=name, description=f"Ideas about {name}, please.", opens=opens,
        closes=closes, audience=Audience(AudienceKind.EVERYONE), questions=questions,
    ), "system:test")
    return await set_state(engine, created, CampaignState.OPEN)


async def set_state(engine: AsyncEngine, campaign: Campaign, state: CampaignState) -> Campaign:
    units = unit_of_work_factory(engine)
    async with units() as uow:
        await uow.campaigns.move(campaign.id, state, CampaignState)
        await uow.commit()
    async with units() as uow:
        found = await uow.campaigns.by_id(campaign.id)
    assert found is not None
    return found
