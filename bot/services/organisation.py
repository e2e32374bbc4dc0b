"""Loading the organisation and answering who holds which role."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.domain.audit import AuditEntry
from bot.domain.errors import OrganisationError
from bot.domain.organisation import Organisation, Roles, describe_changes, parse_organisation
from bot.services.ports import Clock, UnitOfWorkFactory


def read_organisation_file(path: Path) -> Organisation:
    """Parse and validate an organisation TOML file; raise OrganisationError on any mistake."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise OrganisationError([f"Cannot read {path}: {error.strerror}."]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise OrganisationError([f"{path} is not valid TOML: {error}."]) from None
    return parse_organisation(data)


class OrganisationService:
    """The current organisation, read through a cache that follows the stored revision.

    Every read asks the database for the revision (one small query), so a load made by
    another replica or by `iip org load` is seen on the next turn.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock
        self._cached: tuple[int, Organisation | None] = (-1, None)

    async def current(self) -> Organisation | None:
        async with self._uow() as uow:
            revision = await uow.organisation.revision()
            if revision != self._cached[0]:
                self._cached = (revision, await uow.organisation.load())
        return self._cached[1]

    async def roles_of(self, object_id: str | None) -> Roles:
        organisation = await self.current()
        return organisation.roles_of(object_id) if organisation else Roles()

    async def replace(self, organisation: Organisation, actor: str) -> list[str]:
        """Make `organisation` current; return what changed (nothing is written if nothing did)."""
        now = self._clock.now()
        async with self._uow() as uow:
            changes = describe_changes(await uow.organisation.load(), organisation)
            if changes:
                revision = await uow.organisation.replace(organisation, now)
                await uow.audit.record(AuditEntry(
                    actor=actor, action="organisation.loaded", subject=f"revision {revision}",
                    at=now, detail={"changes": changes},
                ))
                await uow.commit()
        return changes
