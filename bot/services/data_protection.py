"""Data protection requests: everything held about a person (a subject access request), their
erasure, and an idea's whole audit trail (for freedom of information and complaints)."""

from __future__ import annotations

from typing import Any

from bot.domain.audit import AuditEntry
from bot.domain.errors import InvalidText, NotFound
from bot.domain.ideas import find_reference
from bot.domain.moments import quoted
from bot.domain.personal_data import (
    Erased,
    person_id,
    pseudonym_of,
    subject_access_document,
)
from bot.domain.trail import Trail
from bot.services.ports import Clock, UnitOfWorkFactory


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
                                                                now), scrubber.shared)
            if erased.nothing:
                return erased
            await uow.audit.record(AuditEntry(
                actor=actor, action="person.erased", subject=pseudonym, at=now,
                detail={"changed": erased.changed,
                        "names_left_in_others_words": len(erased.shared_names)}))
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
