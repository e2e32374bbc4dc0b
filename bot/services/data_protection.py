"""Data protection requests: everything held about a person (a subject access request), their
erasure, and an idea's whole audit trail (for freedom of information and complaints)."""

from __future__ import annotations

from typing import Any

from bot.domain.audit import AuditEntry
from bot.domain.errors import InvalidText, NotFound
from bot.domain.ideas import find_reference
from bot.domain.legacy import is_imported_person
from bot.domain.moments import quoted
from bot.domain.organisation import is_object_id, normalise_object_id
from bot.domain.personal_data import Erased, pseudonym_of, subject_access_document
from bot.domain.trail import Trail
from bot.services.ports import Clock, UnitOfWorkFactory


def person_id(text: str) -> str:
    """The object id a request names: an Entra object id (a GUID), or an imported
    contributor's; InvalidText for anything else."""
    value = normalise_object_id(text)
    if is_object_id(value) or (is_imported_person(value) and len(value) <= 64):
        return value
    raise InvalidText("aad_id", f"{quoted(text)} is not an Entra object id: give the person's "
                                "object id, a GUID such as 7faf8ab2-3d56-4244-b585-20c8a42ed2b8.")


class DataProtection:
    """Reads and erasures for the force's data protection officer, each in one transaction."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def export(self, object_id: str) -> dict[str, Any]:
        """The subject access document: every section, empty where nothing is held."""
        object_id = person_id(object_id)
        async with self._uow() as uow:
            scrubber = await uow.personal.scrubber(object_id, pseudonym_of(object_id))
            sections = await uow.personal.held(object_id, scrubber)
        return subject_access_document(object_id, self._clock.now(), sections)

    async def erase(self, object_id: str, actor: str) -> Erased:
        """Erase the person everywhere in one transaction, audited under their pseudonym;
        erasing again finds nothing left and records nothing."""
        object_id = person_id(object_id)
        pseudonym = pseudonym_of(object_id)
        now = self._clock.now()
        async with self._uow() as uow:
            scrubber = await uow.personal.scrubber(object_id, pseudonym)
            erased = Erased(pseudonym, await uow.personal.erase(object_id, pseudonym, scrubber,
                                                                now))
            if erased.nothing:
                return erased
            await uow.audit.record(AuditEntry(
                actor=actor, action="person.erased", subject=pseudonym, at=now,
                detail={"changed": erased.changed}))
            await uow.commit()
        return erased

    async def trail(self, reference: str) -> Trail:
        """The idea's audit trail; InvalidText for what is not a reference, NotFound for a
        reference no idea has."""
        found = find_reference(reference)
        if found is None:
            raise InvalidText("reference", f"{quoted(reference)} is not an idea reference: "
                                           "give one like IIP-2026-0042.")
        async with self._uow() as uow:
            trail = await uow.trails.trail(found)
        if trail is None:
            raise NotFound(f"No idea has the reference {found}.")
        return trail
