"""Ideas imported from the list kept before the bot, given to their contributor when they use
the bot: a Teams message says who someone is by Entra object id, never by e-mail, so the bot
asks Teams (the Bot Connector's member lookup) once for the e-mail address and UPN of a person
who asks for their ideas, while imported ideas wait for their contributors, and matches them
to the addresses the list gave."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.audit import AuditEntry
from bot.domain.identity import Caller
from bot.services.ports import Clock, MemberDirectory, UnitOfWorkFactory


class ImportedIdeasClaims:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock,
                 directory: Callable[[], MemberDirectory | None]) -> None:
        """`directory` hands over Teams' member lookup once the app's HTTP session is open
        (None before, or where there is none, such as the command line)."""
        self._uow = uow
        self._clock = clock
        self._directory = directory

    async def claim(self, person: Caller) -> int:
        """Give `person` the imported ideas whose contributor had their e-mail address or UPN;
        how many. Teams is asked at most once a person (again only if it did not answer), and
        only while some imported idea is still an imported contributor's; nothing is held
        open while it answers."""
        async with self._uow() as uow:
            if not await uow.legacy.awaiting_claim() or \
                    await uow.legacy.looked_up(person.object_id):
                return 0
            address = await uow.addresses.personal_address(person.object_id)
        directory = self._directory()
        if address is None or directory is None:
            return 0
        found = await directory.member_addresses(address)
        if found is None:
            return 0
        email, upn = found
        now = self._clock.now()
        async with self._uow() as uow:
            adopted = await uow.legacy.adopt({known.casefold(): person.object_id
                                              for known in (email, upn) if known})
            await uow.legacy.remember_lookup(person.object_id, email, upn, now)
            count = adopted.get(person.object_id, 0)
            if count:
                await uow.audit.record(AuditEntry(
                    actor=person.object_id, action="ideas.claimed", subject=person.object_id,
                    at=now, detail={"ideas": count, "by": "Teams e-mail address or UPN"}))
            await uow.commit()
        return count
