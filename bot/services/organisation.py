"""Loading the organisation (and handing over open ideas it would strand) and answering who
holds which role."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bot.domain.audit import AuditEntry
from bot.domain.errors import NotAllowed, OrganisationError, OutOfDate
from bot.domain.handover import (
    OPEN,
    REASSIGNED,
    OpenIdeasLeft,
    Orphaned,
    Stranded,
    orphaned_portfolios,
    reassign_target,
)
from bot.domain.ideas import HistoryEntry, IdeaChange
from bot.domain.listing import IdeaQuery
from bot.domain.organisation import Organisation, Roles, describe_changes, parse_organisation
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.services.staff_cards import IdeaCardView, update_staff_cards


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

    async def of_pmo(self, uow: UnitOfWork, actor: str, refusal: str) -> Organisation:
        """The organisation, when `actor` is in its PMO team; NotAllowed(`refusal`) if not."""
        organisation = await self.read(uow)
        if organisation is None or not organisation.roles_of(actor).pmo:
            raise NotAllowed(refusal)
        return organisation


class OrganisationService:
    """The current organisation, and replacing it."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock,
                 cache: OrganisationCache | None = None,
                 idea_card: IdeaCardView | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._cache = cache or OrganisationCache()
        self._idea_card = idea_card

    async def current(self) -> Organisation | None:
        async with self._uow() as uow:
            return await self._cache.read(uow)

    async def roles_of(self, object_id: str | None) -> Roles:
        organisation = await self.current()
        return organisation.roles_of(object_id) if organisation else Roles()

    async def replace(self, organisation: Organisation, actor: str,
                      reassign_to: str | None = None) -> list[str]:
        """Make `organisation` current; return what changed (nothing is written if nothing did).

        Open ideas of a portfolio it retires, or leaves without any SPOC or deputy who
        followed it, move to `reassign_to` in the same transaction (with history and audit,
        and their cards sent to the SPOCs who now have them); without it, OpenIdeasLeft lists
        them and nothing changes. OrganisationError: `reassign_to` is not in the new file."""
        target = reassign_target(reassign_to, organisation)
        now = self._clock.now()
        async with self._uow() as uow:
            before = await uow.organisation.load()
            changes = describe_changes(before, organisation)
            if not changes:
                return changes
            stranded = await _stranded(uow, orphaned_portfolios(before, organisation))
            if stranded and target is None:
                raise OpenIdeasLeft(stranded)
            revision = await uow.organisation.replace(organisation, now)
            changes += await _adopt_imported(uow, organisation)
            moves = [await self._hand_over(uow, idea.reference, target, organisation, actor,
                                           now)
                     for found in stranded for idea in found.ideas if target is not None]
            changes += [move for move in moves if move]
            await uow.audit.record(AuditEntry(
                actor=actor, action="organisation.loaded", subject=f"revision {revision}",
                at=now, detail={"changes": changes},
            ))
            await uow.commit()
        return changes

    async def _hand_over(self, uow: UnitOfWork, reference: str, target: str,
                         organisation: Organisation, actor: str, now: datetime) -> str | None:
        """Move one stranded idea to `target` (one already there stays) and send its card to
        those who now follow it; what changed, as a line of the load's report."""
        idea = await uow.ideas.by_reference(reference)
        assert idea is not None  # listed in this transaction; ideas are never deleted
        line = None
        origin = idea.portfolio_key
        if origin != target:
            moved = await uow.ideas.change(idea, now, replace(IdeaChange.of(idea),
                                                              portfolio_key=target))
            if moved is None:
                raise OutOfDate(f"{reference} changed while the file was loading. Nothing "
                                "changed: please load it again.")
            entry = HistoryEntry(
                at=now, actor=actor, action=REASSIGNED, from_status=idea.status,
                to_status=idea.status, reason="The organisation file no longer has anyone "
                "to look after it in its portfolio.",
                detail={"from_portfolio": origin, "to_portfolio": target})
            await uow.ideas.add_history(idea.id, entry)
            await uow.audit.record(AuditEntry(
                actor=actor, action="idea.reassigned", subject=reference, at=now,
                detail={"from_portfolio": origin, "to_portfolio": target,
                        "version": moved.version}))
            idea = replace(moved, history=(*moved.history, entry))
            line = f"idea moved: {reference} from {origin} to {target}"
        if self._idea_card is not None:
            await update_staff_cards(uow, idea, organisation, self._idea_card, None, now)
        return line


async def _adopt_imported(uow: UnitOfWork, organisation: Organisation) -> list[str]:
    """Ideas imported from the list kept before the bot whose contributor the organisation
    now names by e-mail become that person's, so that `my ideas` shows them."""
    by_email = {person.email.casefold(): person.object_id
                for person in organisation.people if person.email}
    names = {person.object_id: person.name for person in organisation.people}
    adopted = await uow.legacy.adopt(by_email)
    return [f"imported ideas now {names[object_id]}'s: {count}"
            for object_id, count in sorted(adopted.items())]


async def _stranded(uow: UnitOfWork, orphaned: tuple[Orphaned, ...]) -> tuple[Stranded, ...]:
    """The open ideas of each orphaned portfolio that has any."""
    found: list[Stranded] = []
    for portfolio in orphaned:
        query = IdeaQuery(statuses=OPEN, portfolios=frozenset({portfolio.key}))
        total = await uow.ideas.count(query)
        if total:
            found.append(Stranded(portfolio, tuple(await uow.ideas.listed(query, 0, total))))
    return tuple(found)
