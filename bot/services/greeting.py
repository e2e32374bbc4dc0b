"""What the welcome and help show besides their fixed words: the organisation as it is (the
person's roles, the PMO's contact) and the calls for ideas open today, read in one
transaction (every help and welcome asks, so it costs one round of the database, not two)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.campaigns import Campaign
from bot.domain.ideas import uk_day
from bot.domain.organisation import Organisation, Roles
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Greeting:
    """`organisation` None before the first load; `open_calls`, the campaigns open today (UK)
    within their dates, the soonest to close first."""

    organisation: Organisation | None
    open_calls: tuple[Campaign, ...]

    def roles_of(self, object_id: str | None) -> Roles:
        return self.organisation.roles_of(object_id) if self.organisation else Roles()


class GreetingService:
    """Reads a Greeting: the organisation from its cache (one small query for its revision)
    and the open calls (one small query on the campaigns' state)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock,
                 organisation: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._organisation = organisation or OrganisationCache()

    async def read(self) -> Greeting:
        async with self._uow() as uow:
            organisation = await self._organisation.read(uow)
            calls = await uow.campaigns.taking_ideas(uk_day(self._clock.now()))
        return Greeting(organisation, tuple(calls))
