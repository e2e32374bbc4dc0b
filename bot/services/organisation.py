"""Loading the organisation and answering who holds which role."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.domain.audit import AuditEntry
from bot.domain.errors import OrganisationError
from bot.domain.organisation import Organisation, Roles, describe_changes, parse_organisation
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory


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


class OrganisationCache:
    """The organisation as stored, read again only when its stored revision changed: one
    small query instead of five, on every turn that needs it. Another replica's load, or
    `iip org load`, is seen on the next turn."""

    def __init__(self) -> None:
        self._seen: tuple[int, Organisation | None] = (-1, None)

    async def read(self, uow: UnitOfWork) -> Organisation | None:
        revision = await uow.organisation.revision()
        if revision != self._seen[0]:
            self._seen = (revision, await uow.organisation.load())
        return self._seen[1]


class OrganisationService:
    """The current organisation, and replacing it."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock,
                 cache: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._cache = cache or OrganisationCache()

    async def current(self) -> Organisation | None:
        async with self._uow() as uow:
            return await self._cache.read(uow)

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
