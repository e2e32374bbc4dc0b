"""The PMO's campaigns (the storage side of the Campaigns port)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import RowMapping, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.campaigns import (
    Audience,
    AudienceKind,
    Campaign,
    CampaignRequest,
    CampaignState,
)
from storage import tables as t
from storage.upsert import insert_for

# Every welcome and help asks which campaigns take ideas: the statement is built once (a
# statement reused keeps its cache key), which halves what the query costs a turn.
_TAKING_IDEAS = (
    select(t.campaigns)
    .where(t.campaigns.c.state == CampaignState.OPEN.value,
           t.campaigns.c.opens_on <= bindparam("day"), t.campaigns.c.closes_on >= bindparam("day"))
    .order_by(t.campaigns.c.closes_on, t.campaigns.c.id))


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
        campaign_id = (await self._db.execute(insert(t.campaigns).values(
            key=key, **_request_columns(request), state=CampaignState.DRAFT.value,
            created_by=created_by, created_at=at,
        ).returning(t.campaigns.c.id))).scalar_one()
        found = await self.by_id(campaign_id)
        assert found is not None
        return found

    async def replace(self, campaign_id: int, request: CampaignRequest,
                      states: Iterable[CampaignState]) -> Campaign | None:
        """Put `request` in the campaign's place while it is in one of `states`; the campaign
        as changed, or None when it was not (it had moved on meanwhile)."""
        changed = await self._db.execute(
            update(t.campaigns)
            .where(t.campaigns.c.id == campaign_id,
                   t.campaigns.c.state.in_([s.value for s in states]))
            .values(**_request_columns(request)))
        return await self.by_id(campaign_id) if changed.rowcount else None

    async def move(self, campaign_id: int, to: CampaignState, states: Iterable[CampaignState],
                   *, sent_at: datetime | None = None, sent_by: str | None = None,
                   recipients: int | None = None) -> bool:
        """Move the campaign to `to` if it is in one of `states` (recording when, by whom and
        to how many its call was sent, when given); False when it was not. The row stays
        locked until the transaction ends, so two sends at once cannot both go."""
        sent = {name: value for name, value in (("sent_at", sent_at), ("sent_by", sent_by),
                                                ("recipients", recipients))
                if value is not None}
        moved = await self._db.execute(
            update(t.campaigns)
            .where(t.campaigns.c.id == campaign_id,
                   t.campaigns.c.state.in_([s.value for s in states]))
            .values(state=to.value, **sent))
        return bool(moved.rowcount)

    async def ideas_received(self) -> dict[str, int]:
        """How many ideas each campaign's key tags, in one grouped count."""
        ideas = t.ideas
        rows = await self._db.execute(
            select(ideas.c.campaign_key, func.count())
            .where(ideas.c.campaign_key.is_not(None))
            .group_by(ideas.c.campaign_key))
        return {key: count for key, count in rows}

    async def opt_out(self, object_id: str, at: datetime) -> bool:
        opted = await self._db.execute(
            insert_for(self._db, t.campaign_opt_outs)
            .values(object_id=object_id, opted_out_at=at)
            .on_conflict_do_nothing())
        return bool(opted.rowcount)

    async def opt_in(self, object_id: str) -> bool:
        removed = await self._db.execute(
            delete(t.campaign_opt_outs).where(t.campaign_opt_outs.c.object_id == object_id))
        return bool(removed.rowcount)

    async def opted_out_count(self) -> int:
        return (await self._db.execute(
            select(func.count()).select_from(t.campaign_opt_outs))).scalar_one()

    async def opted_out(self) -> set[str]:
        return set((await self._db.execute(select(t.campaign_opt_outs.c.object_id))).scalars())

    async def by_id(self, campaign_id: int) -> Campaign | None:
        row = (await self._db.execute(
            select(t.campaigns).where(t.campaigns.c.id == campaign_id))).mappings().first()
        return None if row is None else _campaign(row)

    async def listed(self) -> list[Campaign]:
        rows = await self._db.execute(
            select(t.campaigns).order_by(t.campaigns.c.opens_on.desc(), t.campaigns.c.id.desc()))
        return [_campaign(row) for row in rows.mappings()]

    async def by_key(self, key: str) -> Campaign | None:
        row = (await self._db.execute(
            select(t.campaigns).where(t.campaigns.c.key == key))).mappings().first()
        return None if row is None else _campaign(row)

    async def taking_ideas(self, day: date) -> list[Campaign]:
        """The open campaigns whose days include `day`, the soonest to close first."""
        rows = await self._db.execute(_TAKING_IDEAS, {"day": day})
        return [_campaign(row) for row in rows.mappings()]


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in cast("list[object]", value or []))


def _request_columns(request: CampaignRequest) -> dict[str, Any]:
    audience = request.audience
    return dict(
        name=request.name, theme=request.theme, description=request.description,
        questions=list(request.questions), opens_on=request.opens, closes_on=request.closes,
        audience_kind=audience.kind.value, audience_target=audience.target,
        audience_members=list(audience.members), image_url=request.image_url,
        remind_before_close=request.remind_before_close)


def _campaign(row: RowMapping) -> Campaign:
    return Campaign(
        id=row["id"], key=row["key"], name=row["name"], theme=row["theme"],
        description=row["description"], questions=_texts(row["questions"]),
        opens=row["opens_on"], closes=row["closes_on"],
        audience=Audience(AudienceKind(row["audience_kind"]), row["audience_target"],
                          _texts(row["audience_members"])),
        image_url=row["image_url"], state=CampaignState(row["state"]),
        created_by=row["created_by"], created_at=row["created_at"],
        remind_before_close=row["remind_before_close"], sent_at=row["sent_at"],
        sent_by=row["sent_by"], recipients=row["recipients"],
        scheduled_at=row["scheduled_at"], scheduled_by=row["scheduled_by"],
        reminded_at=row["reminded_at"],
    )


def campaign_of(row: RowMapping) -> Campaign:
    """A campaign from its row, for the other repositories that read campaigns."""
    return _campaign(row)
