"""The organisation file as loaded: people, roles, portfolios and categories (the storage side
of the OrganisationStore port)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.organisation import Category, Organisation, Person, Portfolio, Role
from storage import tables as t
from storage.upsert import insert_for, upsert

# Asked on every turn that needs the organisation (see OrganisationService.current).
_REVISION = select(t.organisation_settings.c.revision).where(t.organisation_settings.c.id == 1)


class SqlOrganisationStore:
    """Implements bot.services.ports.OrganisationStore on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def revision(self) -> int:
        return await self._db.scalar(_REVISION) or 0

    async def load(self) -> Organisation | None:
        settings = (await self._db.execute(
            select(t.organisation_settings).where(t.organisation_settings.c.id == 1)
        )).mappings().first()
        if settings is None:
            return None
        people = [
            Person(object_id=r.object_id, name=r.name, email=r.email)
            for r in await self._db.execute(
                select(t.people).where(t.people.c.active).order_by(t.people.c.object_id)
            )
        ]
        assignments = (await self._db.execute(
            select(t.role_assignments).order_by(t.role_assignments.c.position)
        )).all()
        pmo = [a.object_id for a in assignments if a.role == Role.PMO]
        portfolios = [
            Portfolio(
                key=r.key,
                name=r.name,
                spocs=tuple(a.object_id for a in assignments
                            if a.portfolio_key == r.key and a.role == Role.SPOC),
                deputies=tuple(a.object_id for a in assignments
                               if a.portfolio_key == r.key and a.role == Role.DEPUTY),
            )
            for r in await self._db.execute(
                select(t.portfolios).where(t.portfolios.c.active).order_by(t.portfolios.c.position)
            )
        ]
        categories = [
            Category(key=r.key, name=r.name)
            for r in await self._db.execute(
                select(t.categories).where(t.categories.c.active)
                .order_by(t.categories.c.position)
            )
        ]
        change_agents = tuple(
            r.object_id for r in await self._db.execute(
                select(t.change_agents.c.object_id).order_by(t.change_agents.c.position))
        )
        return Organisation(
            people=tuple(people),
            pmo=tuple(pmo),
            portfolios=tuple(portfolios),
            categories=tuple(categories),
            pmo_contact=settings["pmo_contact"],
            news_channel=settings["news_channel"],
            allow_self_decisions=settings["allow_self_decisions"],
            executive_sponsor=settings["executive_sponsor"],
            change_agents=change_agents,
        )

    async def replace(self, organisation: Organisation, at: datetime) -> int:
        """Upsert everything in `organisation`; retire (never delete) what it no longer names."""
        await self._retire_and_upsert(
            t.people, "object_id",
            [{"object_id": p.object_id, "name": p.name, "email": p.email, "active": True}
             for p in organisation.people],
            ["name", "email", "active"],
        )
        await self._retire_and_upsert(
            t.portfolios, "key",
            [{"key": p.key, "name": p.name, "position": n, "active": True}
             for n, p in enumerate(organisation.portfolios)],
            ["name", "position", "active"],
        )
        await self._retire_and_upsert(
            t.categories, "key",
            [{"key": c.key, "name": c.name, "position": n, "active": True}
             for n, c in enumerate(organisation.categories)],
            ["name", "position", "active"],
        )
        # Role grants are a pure function of the file; the audit entry keeps the history.
        await self._db.execute(delete(t.role_assignments))
        grants = [(oid, Role.PMO, "") for oid in organisation.pmo]
        for portfolio in organisation.portfolios:
            grants += [(oid, Role.SPOC, portfolio.key) for oid in portfolio.spocs]
            grants += [(oid, Role.DEPUTY, portfolio.key) for oid in portfolio.deputies]
        if grants:
            await self._db.execute(insert(t.role_assignments), [
                {"object_id": oid, "role": role.value, "portfolio_key": key, "position": n}
                for n, (oid, role, key) in enumerate(grants)
            ])
        # Like role grants, the change agents are a pure function of the file.
        await self._db.execute(delete(t.change_agents))
        if organisation.change_agents:
            await self._db.execute(insert(t.change_agents), [
                {"object_id": oid, "position": n}
                for n, oid in enumerate(organisation.change_agents)
            ])
        # The new revision is computed in the database, so two loads at once cannot both
        # write the same number.
        statement = insert_for(self._db, t.organisation_settings).values(
            id=1, revision=1, pmo_contact=organisation.pmo_contact,
            news_channel=organisation.news_channel, loaded_at=at,
            allow_self_decisions=organisation.allow_self_decisions,
            executive_sponsor=organisation.executive_sponsor,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["id"],
            set_={"revision": t.organisation_settings.c.revision + 1,
                  "pmo_contact": statement.excluded.pmo_contact,
                  "news_channel": statement.excluded.news_channel,
                  "allow_self_decisions": statement.excluded.allow_self_decisions,
                  "executive_sponsor": statement.excluded.executive_sponsor,
                  "loaded_at": statement.excluded.loaded_at},
        ).returning(t.organisation_settings.c.revision)
        revision = (await self._db.execute(statement)).scalar_one()
        return revision

    async def _retire_and_upsert(self, table: t.Table, key: str, rows: list[dict[str, Any]],
                                 update_columns: list[str]) -> None:
        keep = [row[key] for row in rows]
        await self._db.execute(
            update(table)
            .where(and_(table.c[key].not_in(keep), table.c.active))
            .values(active=False)
        )
        for row in rows:
            await upsert(self._db, table, row, keys=[key], update=update_columns)
