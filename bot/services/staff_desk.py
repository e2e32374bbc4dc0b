"""The staff's desk: their queues, the deferred register, finding any idea they may see,
and opening one.

What a person may list or open comes from the organisation's records on every request: the
PMO sees every idea, a business lead those of the portfolios they assess. Opening an idea
brings the person's one card of it up to date (bot.services.staff_cards) rather than sending
a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.audit import AuditEntry
from bot.domain.errors import NotAllowed
from bot.domain.ideas import IdeaSummary, uk_day
from bot.domain.lifecycle import Party
from bot.domain.listing import (
    IdeaQuery,
    ListPage,
    deferred_register,
    search_text,
    to_assess,
    to_triage,
    window,
)
from bot.domain.organisation import Organisation, Roles
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.services.staff_cards import IdeaCardView, bring_up_to_date, viewer_of

NOT_STAFF = "Only the PMO team and the portfolios' business leads have a queue of ideas."
NOT_PMO = "Only the PMO team triages ideas."
NOT_STAFF_TO_FIND = "Only the PMO team and the portfolios' business leads can look for ideas."
NOT_STAFF_DEFERRED = ("Only the PMO team and the portfolios' business leads keep a register of "
                      "deferred ideas.")


@dataclass(frozen=True, slots=True)
class Queue:
    """What waits for a member of staff: ideas to triage (the PMO's; None for others) and
    ideas to assess (a business lead's; None for others), a page of each."""

    triage: ListPage | None = None
    assess: ListPage | None = None


@dataclass(frozen=True, slots=True)
class Found:
    text: str
    page: ListPage


@dataclass(frozen=True, slots=True)
class Opened:
    """An idea a member of staff opened; `card_sent_at` is when their card of it was first
    sent (None: it is being sent now)."""

    idea: IdeaSummary
    portfolio: str
    card_sent_at: datetime | None


class StaffDesk:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, idea_card: IdeaCardView,
                 organisation: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._idea_card = idea_card
        self._organisation = organisation or OrganisationCache()

    def today(self) -> date:
        """The UK day now: what the staff's lists judge an overdue update by."""
        return uk_day(self._clock.now())

    async def queue(self, object_id: str, triage_page: int = 1,
                    assess_page: int = 1) -> Queue:
        """The PMO's triage list, a business lead's assessments, or both for someone both.
        Their own ideas await someone else (unless the organisation allows self-decisions)."""
        async with self._uow() as uow:
            roles, mine = await self._roles(uow, object_id)
            if not roles.is_staff:
                raise NotAllowed(NOT_STAFF)
            return Queue(
                triage=await _page(uow, to_triage(mine), triage_page) if roles.pmo else None,
                assess=(await _page(uow, to_assess(roles.assesses, mine), assess_page)
                        if roles.assesses else None),
            )

    async def triage(self, object_id: str, page: int = 1) -> ListPage:
        async with self._uow() as uow:
            roles, mine = await self._roles(uow, object_id)
            if not roles.pmo:
                raise NotAllowed(NOT_PMO)
            return await _page(uow, to_triage(mine), page)

    async def deferred(self, object_id: str, page: int = 1) -> ListPage:
        """The deferred register, the soonest to revisit first: every deferred idea for the
        PMO, those of the portfolios they assess for a business lead."""
        async with self._uow() as uow:
            roles, _mine = await self._roles(uow, object_id)
            if not roles.is_staff:
                raise NotAllowed(NOT_STAFF_DEFERRED)
            return await _page(uow, deferred_register(None if roles.pmo else roles.assesses),
                               page)

    async def find(self, object_id: str, text: str, page: int = 1) -> Found:
        """Ideas whose reference or title holds `text`, newest first, among those this person
        may open. InvalidText for text that cannot be searched for."""
        async with self._uow() as uow:
            roles, _mine = await self._roles(uow, object_id)
            if not roles.is_staff:
                raise NotAllowed(NOT_STAFF_TO_FIND)
            wanted = search_text(text)
            query = IdeaQuery(portfolios=None if roles.pmo else roles.assesses, text=wanted,
                              newest_first=True)
            return Found(wanted, await _page(uow, query, page))

    async def open(self, object_id: str, tenant_id: str | None,
                   reference: str) -> Opened | None:
        """Bring this person's card of the idea up to date, if they may open it as staff;
        None if not (or if there is no such idea: the caller cannot tell which)."""
        now = self._clock.now()
        async with self._uow() as uow:
            idea = await uow.ideas.by_reference(reference)
            organisation = await self._organisation.read(uow)
            if idea is None or organisation is None \
                    or not viewer_of(object_id, idea, organisation) - {Party.CONTRIBUTOR}:
                return None
            sent_at = await bring_up_to_date(uow, idea, organisation, object_id,
                                             self._idea_card, tenant_id, now)
            await uow.audit.record(AuditEntry(
                actor=object_id, action="idea.opened", subject=reference, at=now,
                detail={"card": "sent" if sent_at is None else "updated",
                        "version": idea.version},
            ))
            await uow.commit()
        return Opened(idea.summary, _portfolio_name(organisation, idea.portfolio_key),
                      sent_at)

    async def _roles(self, uow: UnitOfWork, object_id: str) -> tuple[Roles, str | None]:
        """The person's roles, and whose ideas to leave out of their queues: their own,
        unless the organisation allows self-decisions."""
        organisation = await self._organisation.read(uow)
        if organisation is None:
            return Roles(), object_id
        mine = None if organisation.allow_self_decisions else object_id
        return organisation.roles_of(object_id), mine


async def _page(uow: UnitOfWork, query: IdeaQuery, requested: int) -> ListPage:
    """The page asked for (clamped to those there are): a count, then one page's rows."""
    shown = window(requested, await uow.ideas.count(query))
    ideas = await uow.ideas.listed(query, shown.offset, shown.size) if shown.total else []
    return ListPage(ideas, shown)


def _portfolio_name(organisation: Organisation, key: str) -> str:
    return next((p.name for p in organisation.portfolios if p.key == key), key)
