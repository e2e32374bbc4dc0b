"""Campaigns kept in the database: created as drafts, listed, audited; refusals keep nothing."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from support.organisation import demo_organisation
from support.tables import count, rows

from bot.domain.campaigns import (
    Audience,
    AudienceKind,
    CampaignRequest,
    CampaignState,
    InvalidCampaign,
    parse_audience,
)
from bot.services.campaigns import CampaignService, CampaignViews
from bot.services.organisation import OrganisationService
from cards.campaign_call import call_card
from cards.campaign_progress import progress_card
from storage import tables
from storage.uow import unit_of_work_factory

ACTOR = "system:test"
AGENTS = ("6e2f1b7a-0c4d-4a5e-9f10-2b3c4d5e6f70", "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0")
AI = CampaignRequest(
    name="Artificial intelligence",
    theme="AI",
    description="Where could AI save officers time?\n\nTell us, and why.",
    opens=date(2026, 11, 9),
    closes=date(2026, 12, 18),
    audience=parse_audience("file:agents.csv").with_members(AGENTS),
    questions=("Which system would it use?", "Who would it help?"),
    image_url="https://intranet.example.police.uk/ai.png",
)


@pytest.fixture
def service(engine: AsyncEngine, clock) -> CampaignService:
    return CampaignService(unit_of_work_factory(engine), clock,
                           CampaignViews(call_card, progress_card))


async def test_a_campaign_is_created_as_a_draft_and_read_back(
        service: CampaignService, clock) -> None:
    created = await service.create(AI, ACTOR)
    assert (created.key, created.state, created.created_by, created.created_at) == (
        "artificial-intelligence", CampaignState.DRAFT, ACTOR, clock.now())
    assert (created.name, created.description, created.questions, created.audience,
            created.image_url, created.opens, created.closes) == (
        AI.name, AI.description, AI.questions, AI.audience, AI.image_url, AI.opens, AI.closes)
    assert await service.list() == [created]


async def test_the_list_shows_the_latest_to_open_first_with_keys_never_repeated(
        service: CampaignService) -> None:
    everyone = Audience(AudienceKind.EVERYONE)
    first = await service.create(dataclasses.replace(AI, audience=everyone), ACTOR)
    later = await service.create(dataclasses.replace(AI, opens=date(2026, 12, 1)), ACTOR)
    again = await service.create(AI, ACTOR)
    assert [c.key for c in await service.list()] == [
        later.key, again.key, first.key]
    assert (first.key, later.key, again.key) == (
        "artificial-intelligence", "artificial-intelligence-2", "artificial-intelligence-3")
    assert first.audience == everyone and first.questions == AI.questions


async def test_each_creation_is_audited(service: CampaignService, engine: AsyncEngine) -> None:
    created = await service.create(AI, ACTOR)
    [entry] = await rows(engine, tables.audit_log)
    assert (entry["actor"], entry["action"], entry["subject"]) == (
        ACTOR, "campaign.created", f"campaign:{created.id}")
    assert entry["detail"]["audience"] == "file:agents.csv"
    assert entry["detail"]["audience_members"] == 2


async def test_a_refused_campaign_keeps_nothing(service: CampaignService,
                                                engine: AsyncEngine) -> None:
    with pytest.raises(InvalidCampaign) as refused:
        await service.create(dataclasses.replace(AI, closes=date(2026, 11, 1),
                                                 image_url="http://x"), ACTOR)
    assert len(refused.value.problems) == 2
    assert await count(engine, tables.campaigns) == 0
    assert await count(engine, tables.audit_log) == 0


async def test_a_portfolio_audience_is_checked_against_the_loaded_organisation(
        service: CampaignService, engine: AsyncEngine, clock) -> None:
    await OrganisationService(unit_of_work_factory(engine), clock).replace(
        demo_organisation(), actor=ACTOR)
    unknown = dataclasses.replace(AI, audience=parse_audience("portfolio:cyber"))
    with pytest.raises(InvalidCampaign, match="There is no portfolio 'cyber'"):
        await service.create(unknown, ACTOR)
    crime = dataclasses.replace(AI, audience=parse_audience("portfolio:crime-and-justice"))
    created = await service.create(crime, ACTOR)
    assert created.audience == Audience(AudienceKind.PORTFOLIO, "crime-and-justice")
