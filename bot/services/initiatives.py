"""The PMO's register of known initiatives: listing it, adding and editing entries, retiring
and restoring them, and importing a register kept elsewhere.

Only the PMO team may see or change the register in Teams (the organisation's records say who
is in it, on every request); the command line is the operators'. Every change is audited, and
every added or changed entry is indexed for similar-idea searches, in the transaction that
makes it, so the next search on any replica finds it as it now is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime

from bot.domain.audit import AuditEntry
from bot.domain.errors import NotFound
from bot.domain.initiatives import (
    Initiative,
    InitiativeForm,
    InitiativeRequest,
    RegisterRow,
    check_form,
)
from bot.domain.listing import Window, window
from bot.domain.organisation import Organisation
from bot.domain.similar import MatchKind
from bot.services.organisation import OrganisationCache
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.services.similar import SimilarIdeas

NOT_PMO = "The register of known initiatives is kept by the PMO team."


@dataclass(frozen=True, slots=True)
class RegisterPage:
    """A page of the register (the active entries first), how many are retired in all, and
    the portfolios' names by key."""

    initiatives: list[Initiative]
    window: Window
    retired: int
    portfolios: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class InitiativeView:
    """One initiative, and the portfolios' names by key (for its cards and its form)."""

    initiative: Initiative
    portfolios: Mapping[str, str]


@dataclass(slots=True)
class RegisterImport:
    """What importing a register did (or, on a dry run, would do)."""

    added: list[Initiative] = field(default_factory=list[Initiative])
    updated: list[Initiative] = field(default_factory=list[Initiative])
    unchanged: int = 0
    # Updated or unchanged, and retired: they stay retired (the PMO restores one in Teams).
    retired: list[str] = field(default_factory=list[str])


class InitiativeService:
    """The register, each entry checked against every rule, each change audited and indexed."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, similar: SimilarIdeas,
                 organisation: OrganisationCache | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._similar = similar
        self._organisation = organisation or OrganisationCache()

    async def register(self, actor: str, page: object = 1) -> RegisterPage:
        """A page of the register for a PMO member (a page past the end: the last)."""
        async with self._uow() as uow:
            names = _names(await self._pmo_only(uow, actor))
            total = await uow.initiatives.count()
            shown = window(page, total)
            listed = await uow.initiatives.listed(shown.offset, shown.size)
            retired = await uow.initiatives.count(active=False)
        return RegisterPage(listed, shown, retired, names)

    async def portfolios(self, actor: str) -> Mapping[str, str]:
        """The portfolios' names by key, for a PMO member's empty form."""
        async with self._uow() as uow:
            return _names(await self._pmo_only(uow, actor))

    async def get(self, actor: str, initiative_id: int) -> InitiativeView:
        async with self._uow() as uow:
            names = _names(await self._pmo_only(uow, actor))
            return InitiativeView(await _initiative(uow, initiative_id), names)

    async def add(self, actor: str, form: InitiativeForm) -> InitiativeView:
        """Keep the form's initiative, or raise InvalidInitiative keeping nothing."""
        now = self._clock.now()
        async with self._uow() as uow:
            names = _names(await self._pmo_only(uow, actor))
            added = await uow.initiatives.add(check_form(form, names), now, actor)
            await self._similar.remember(uow, MatchKind.INITIATIVE, added.id, added.searched_text)
            await uow.audit.record(_entry(actor, "initiative.added", added, now))
            await uow.commit()
        return InitiativeView(added, names)

    async def edit(self, actor: str, initiative_id: int, form: InitiativeForm) -> InitiativeView:
        """Put the form in the initiative's place (its portfolio may stay one the organisation
        has since retired), or raise InvalidInitiative changing nothing."""
        now = self._clock.now()
        async with self._uow() as uow:
            names = _names(await self._pmo_only(uow, actor))
            before = await _initiative(uow, initiative_id)
            kept = {before.portfolio_key: before.portfolio_key} if before.portfolio_key else {}
            request = check_form(form, {**kept, **names})
            if request == before.request:
                return InitiativeView(before, names)
            edited = await uow.initiatives.replace(initiative_id, request, now, actor)
            assert edited is not None  # read in this transaction; entries are never deleted
            await self._similar.remember(uow, MatchKind.INITIATIVE, edited.id,
                                       edited.searched_text)
            await uow.audit.record(_entry(actor, "initiative.edited", edited, now,
                                          changed=_changed(before.request, request)))
            await uow.commit()
        return InitiativeView(edited, names)

    async def retire(self, actor: str, initiative_id: int) -> InitiativeView:
        """No longer match the initiative (kept on record); a retired one stays as it is."""
        return await self._set_active(actor, initiative_id, active=False)

    async def restore(self, actor: str, initiative_id: int) -> InitiativeView:
        """Match a retired initiative again; an active one stays as it is."""
        return await self._set_active(actor, initiative_id, active=True)

    async def _set_active(self, actor: str, initiative_id: int, *,
                          active: bool) -> InitiativeView:
        now = self._clock.now()
        async with self._uow() as uow:
            names = _names(await self._pmo_only(uow, actor))
            changed = await uow.initiatives.set_active(initiative_id, active, now, actor)
            if changed is None:
                return InitiativeView(await _initiative(uow, initiative_id), names)
            action = "initiative.restored" if active else "initiative.retired"
            await uow.audit.record(_entry(actor, action, changed, now))
            await uow.commit()
        return InitiativeView(changed, names)

    # The operators' side: the command line, which holds no role.

    async def portfolio_names(self) -> Mapping[str, str]:
        """The organisation's portfolios' names by key (none before it is loaded)."""
        async with self._uow() as uow:
            organisation = await self._organisation.read(uow)
        return {} if organisation is None else _names(organisation)

    async def everything(self) -> list[Initiative]:
        """The whole register, the active entries first, each by reference."""
        async with self._uow() as uow:
            return await uow.initiatives.listed(0, await uow.initiatives.count())

    async def import_rows(self, rows: Sequence[RegisterRow], *, source: str, actor: str,
                          dry_run: bool = False) -> RegisterImport:
        """Import a register's checked rows in one transaction: a row whose ID was imported
        before updates that initiative (left as it is when nothing changed, and retired if it
        was), any other is added. With `dry_run`, all of it is done and undone, so the report
        says exactly what an import would do."""
        now = self._clock.now()
        report = RegisterImport()
        async with self._uow() as uow:
            store = uow.initiatives
            known = await store.by_source_keys([row.source_key for row in rows])
            to_index: list[tuple[MatchKind, int, str]] = []
            for row in rows:
                before = known.get(row.source_key)
                if before is not None and before.request == row.initiative:
                    report.unchanged += 1
                    saved = before
                elif before is None:
                    saved = await store.add(row.initiative, now, actor, row.source_key)
                    report.added.append(saved)
                    await uow.audit.record(_entry(actor, "initiative.added", saved, now,
                                                  source=source, row=row.row))
                else:
                    replaced = await store.replace(before.id, row.initiative, now, actor)
                    assert replaced is not None
                    saved = replaced
                    report.updated.append(saved)
                    await uow.audit.record(_entry(
                        actor, "initiative.edited", saved, now, source=source, row=row.row,
                        changed=_changed(before.request, row.initiative)))
                if saved is not before:
                    to_index.append((MatchKind.INITIATIVE, saved.id, saved.searched_text))
                if not saved.active:
                    report.retired.append(saved.reference)
            if to_index:  # the model encodes them together
                await self._similar.remember_many(uow, to_index)
                await uow.audit.record(AuditEntry(
                    actor=actor, action="initiatives.imported", subject=source, at=now,
                    detail={"source": source, "dry_run": dry_run, "added": len(report.added),
                            "updated": len(report.updated), "unchanged": report.unchanged}))
                if not dry_run:
                    await uow.commit()
        return report

    async def _pmo_only(self, uow: UnitOfWork, actor: str) -> Organisation:
        return await self._organisation.of_pmo(uow, actor, NOT_PMO)


def _names(organisation: Organisation) -> dict[str, str]:
    return {p.key: p.name for p in organisation.portfolios}


async def _initiative(uow: UnitOfWork, initiative_id: int) -> Initiative:
    found = await uow.initiatives.by_id(initiative_id)
    if found is None:
        raise NotFound("That initiative is not in the register. Type **initiatives** to see "
                       "the register as it is. Nothing was changed.")
    return found


def _changed(before: InitiativeRequest, after: InitiativeRequest) -> list[str]:
    """The names of the fields an edit changed."""
    return [f.name for f in fields(InitiativeRequest)
            if getattr(before, f.name) != getattr(after, f.name)]


def _entry(actor: str, action: str, initiative: Initiative, at: datetime,
           **detail: object) -> AuditEntry:
    """The audit entry of a change to `initiative`, with what it now is."""
    return AuditEntry(
        actor=actor, action=action, subject=initiative.reference, at=at,
        detail={"id": initiative.id, "title": initiative.title,
                "stage": initiative.stage.value, "portfolio": initiative.portfolio_key,
                "contact": initiative.contact, "link": initiative.link,
                "active": initiative.active, "source_key": initiative.source_key, **detail})
