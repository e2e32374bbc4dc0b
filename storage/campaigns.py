"""The PMO's campaigns (the storage side of the Campaigns port)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import RowMapping, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.campaigns import (
    Audience,
    AudienceKind,
    Campaign,
    CampaignRequest,
    CampaignState,
)
from storage import tables as t


class SqlCampaigns:
    """Implements bot.services.ports.Campaigns on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def keys_from(self, prefix: str) -> list[str]:
        # Keys are lower-case letters, digits and hyphens: nothing LIKE reads as a wildcard.
        found = await self._db.execute(
            select(t.campaigns.c.key).where(t.campaigns.c.key.like(f"{prefix}%")))
        return list(found.scalars())

    async def add(self, request: CampaignRequest, key: str, created_by: str,
                  at: datetime) -> Campaign:
        audience = request.audience
        campaign_id = (await self._db.execute(insert(t.campaigns).values(
            key=key, name=request.name, theme=request.theme, description=request.description,
            questions=list(request.questions), opens_on=request.opens,
            closes_on=request.closes, audience_kind=audience.kind.value,
            audience_target=audience.target, audience_members=list(audience.members),
            image_url=request.image_url, state=CampaignState.DRAFT.value,
            created_by=created_by, created_at=at,
        ).returning(t.campaigns.c.id))).scalar_one()
        found = await self.by_id(campaign_id)
        assert found is not None
        return found

    async def by_id(self, campaign_id: int) -> Campaign | None:
        row = (await self._db.execute(
            select(t.campaigns).where(t.campaigns.c.id == campaign_id))).mappings().first()
        return None if row is None else _campaign(row)

    async def listed(self) -> list[Campaign]:
        rows = await self._db.execute(
            select(t.campaigns).order_by(t.campaigns.c.opens_on.desc(), t.campaigns.c.id.desc()))
        return [_campaign(row) for row in rows.mappings()]


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in cast("list[object]", value or []))


def _campaign(row: RowMapping) -> Campaign:
    return Campaign(
        id=row["id"], key=row["key"], name=row["name"], theme=row["theme"],
        description=row["description"], questions=_texts(row["questions"]),
        opens=row["opens_on"], closes=row["closes_on"],
        audience=Audience(AudienceKind(row["audience_kind"]), row["audience_target"],
                          _texts(row["audience_members"])),
        image_url=row["image_url"], state=CampaignState(row["state"]),
        created_by=row["created_by"], created_at=row["created_at"],
    )
