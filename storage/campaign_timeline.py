"""Campaigns over time (the storage side of the CampaignTimeline port): scheduling a call, and
what the campaign pass and the progress watcher read and claim.

Every claim is one conditional UPDATE: the first transaction to make it changes the row (and
holds it until it ends); another, at the same time on another replica, waits and then finds
the condition no longer holds. So each scheduled send, reminder, closing and redraw happens
once, in the transaction that queues what it owes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.campaign_schedule import REMIND_DAYS_BEFORE
from bot.domain.campaigns import Campaign, CampaignState
from storage import tables as t
from storage.campaigns import campaign_of

_c = t.campaigns.c


class SqlCampaignTimeline:
    """Implements bot.services.ports.CampaignTimeline on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def schedule(self, campaign_id: int, at: datetime, by: str) -> bool:
        """Schedule an unsent draft or scheduled campaign's call for `at`; False if it was
        neither (sent or cancelled meanwhile)."""
        return await self._claim(
            campaign_id, _in(CampaignState.DRAFT, CampaignState.SCHEDULED),
            _c.sent_at.is_(None),
            state=CampaignState.SCHEDULED.value, scheduled_at=at, scheduled_by=by)

    async def unschedule(self, campaign_id: int) -> bool:
        """Put a scheduled campaign back to a draft (its call could not go); False if it was
        not scheduled any more."""
        return await self._claim(campaign_id, _in(CampaignState.SCHEDULED),
                                 state=CampaignState.DRAFT.value, scheduled_at=None,
                                 scheduled_by=None)

    async def follow_progress(self, campaign_id: int, object_id: str) -> None:
        """The person whose chat follows the campaign's progress card."""
        await self._db.execute(update(t.campaigns).where(_c.id == campaign_id)
                               .values(progress_to=object_id))

    async def scheduled_by(self, now: datetime) -> list[Campaign]:
        """The scheduled campaigns whose moment is `now` or earlier, the earliest first."""
        return await self._campaigns(_in(CampaignState.SCHEDULED), _c.scheduled_at <= now,
                                     order=_c.scheduled_at)

    async def next_scheduled(self) -> datetime | None:
        """The earliest moment of a call still scheduled (past already, if it fell due while
        the pass was sending another), if any."""
        return (await self._db.execute(
            select(func.min(_c.scheduled_at)).where(_in(CampaignState.SCHEDULED)))).scalar_one()

    async def closing(self, today: date) -> list[Campaign]:
        """The open campaigns whose closing day is before `today`."""
        return await self._campaigns(_in(CampaignState.OPEN), _c.closes_on < today)

    async def close(self, campaign_id: int, at: datetime) -> bool:
        """Close an open campaign; False if another pass (or a cancel) moved it first."""
        return await self._claim(campaign_id, _in(CampaignState.OPEN),
                                 state=CampaignState.CLOSED.value, closed_at=at)

    async def to_remind(self, today: date) -> list[Campaign]:
        """The open campaigns that asked for a reminder and have not had it, closing from
        `today` to two days after it."""
        return await self._campaigns(
            _in(CampaignState.OPEN), _c.remind_before_close, _c.reminded_at.is_(None),
            _c.closes_on >= today, _c.closes_on <= today + timedelta(days=REMIND_DAYS_BEFORE))

    async def reminded(self, campaign_id: int, at: datetime) -> bool:
        """Record the campaign's reminder as queued; False if a pass had already."""
        return await self._claim(campaign_id, _in(CampaignState.OPEN),
                                 _c.reminded_at.is_(None), reminded_at=at)

    async def responders(self, key: str) -> set[str]:
        """The Entra object ids of everyone who sent an idea answering the campaign `key`."""
        return set((await self._db.execute(
            select(t.ideas.c.contributor_object_id).distinct()
            .where(t.ideas.c.campaign_key == key))).scalars())

    async def ideas_by_portfolio(self, key: str) -> list[tuple[str, int]]:
        """How many ideas answered the campaign `key`, by portfolio key, the most first: one
        grouped count on the campaign key's index."""
        ideas = t.ideas.c
        rows = await self._db.execute(
            select(ideas.portfolio_key, func.count().label("ideas"))
            .where(ideas.campaign_key == key)
            .group_by(ideas.portfolio_key)
            .order_by(func.count().desc(), ideas.portfolio_key))
        return [(portfolio, count) for portfolio, count in rows]

    async def followed(self) -> list[tuple[Campaign, str]]:
        """The sent campaigns whose progress card someone follows and that has not been drawn
        with its final counts yet, each with who follows it."""
        rows = await self._db.execute(
            select(t.campaigns).where(_c.progress_to.is_not(None), _c.sent_at.is_not(None),
                                      _c.progress_final_at.is_(None)).order_by(_c.id))
        return [(campaign_of(row), row["progress_to"]) for row in rows.mappings()]

    async def claim_redraw(self, campaign_id: int, now: datetime, every: timedelta, *,
                           final: bool) -> bool:
        """Claim the next redraw of the campaign's progress card, unless one was drawn less
        than `every` ago (on any replica) or its final counts were drawn; `final`: this one
        draws them, and it is left alone afterwards."""
        return await self._claim(
            campaign_id, _c.progress_final_at.is_(None),
            or_(_c.progress_drawn_at.is_(None), _c.progress_drawn_at <= now - every),
            progress_drawn_at=now, progress_final_at=now if final else None)

    async def follow_again(self, campaign_id: int) -> None:
        """Follow the progress card again (failed calls are being resent)."""
        await self._db.execute(update(t.campaigns).where(_c.id == campaign_id)
                               .values(progress_final_at=None))

    async def _claim(self, campaign_id: int, *where: ColumnElement[bool],
                     **values: object) -> bool:
        changed = await self._db.execute(
            update(t.campaigns).where(_c.id == campaign_id, *where).values(**values))
        return bool(changed.rowcount)

    async def _campaigns(self, *where: ColumnElement[bool],
                         order: ColumnElement[object] | None = None) -> list[Campaign]:
        rows = await self._db.execute(
            select(t.campaigns).where(*where).order_by(order if order is not None else _c.id,
                                                       _c.id))
        return [campaign_of(row) for row in rows.mappings()]


def _in(*states: CampaignState) -> ColumnElement[bool]:
    return _c.state.in_([state.value for state in states])
