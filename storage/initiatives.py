"""The PMO's register of known initiatives (the storage side of the Initiatives port)."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.initiatives import Initiative, InitiativeRequest, Stage, format_reference
from storage import tables as t

# Keys a statement: far within both databases' limits on bound values.
_CHUNK = 1_000
_LISTED = (t.initiatives.c.active.desc(), t.initiatives.c.id)


class SqlInitiatives:
    """Implements bot.services.ports.Initiatives on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, request: InitiativeRequest, at: datetime, by: str,
                  source_key: str | None = None) -> Initiative:
        """The reference is the row's own number: concurrent adds can never share one. The
        row is written under a placeholder first, as the number is the database's to give."""
        placeholder = f"new-{secrets.token_hex(8)}"
        initiative_id = (await self._db.execute(insert(t.initiatives).values(
            reference=placeholder, **_columns(request), active=True, source_key=source_key,
            created_at=at, updated_at=at, updated_by=by,
        ).returning(t.initiatives.c.id))).scalar_one()
        await self._db.execute(update(t.initiatives).where(t.initiatives.c.id == initiative_id)
                               .values(reference=format_reference(initiative_id)))
        found = await self.by_id(initiative_id)
        assert found is not None
        return found

    async def by_id(self, initiative_id: int) -> Initiative | None:
        row = (await self._db.execute(select(t.initiatives).where(
            t.initiatives.c.id == initiative_id))).mappings().first()
        return None if row is None else _initiative(row)

    async def by_source_keys(self, keys: Collection[str]) -> dict[str, Initiative]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Initiative] = {}
        for start in range(0, len(wanted), _CHUNK):
            rows = await self._db.execute(select(t.initiatives).where(
                t.initiatives.c.source_key.in_(wanted[start:start + _CHUNK])))
            for row in rows.mappings():
                initiative = _initiative(row)
                found[row["source_key"]] = initiative
        return found

    async def replace(self, initiative_id: int, request: InitiativeRequest, at: datetime,
                      by: str) -> Initiative | None:
        changed = await self._db.execute(
            update(t.initiatives).where(t.initiatives.c.id == initiative_id)
            .values(**_columns(request), updated_at=at, updated_by=by))
        return await self.by_id(initiative_id) if changed.rowcount else None

    async def set_active(self, initiative_id: int, active: bool, at: datetime,
                         by: str) -> Initiative | None:
        changed = await self._db.execute(
            update(t.initiatives)
            .where(t.initiatives.c.id == initiative_id, t.initiatives.c.active == (not active))
            .values(active=active, updated_at=at, updated_by=by))
        return await self.by_id(initiative_id) if changed.rowcount else None

    async def count(self, active: bool | None = None) -> int:
        statement = select(func.count()).select_from(t.initiatives)
        if active is not None:
            statement = statement.where(t.initiatives.c.active == active)
        return (await self._db.execute(statement)).scalar_one()

    async def listed(self, offset: int, limit: int) -> list[Initiative]:
        rows = await self._db.execute(
            select(t.initiatives).order_by(*_LISTED).offset(offset).limit(limit))
        return [_initiative(row) for row in rows.mappings()]


def _columns(request: InitiativeRequest) -> dict[str, Any]:
    return {"title": request.title, "description": request.description,
            "stage": request.stage.value, "portfolio_key": request.portfolio_key,
            "contact": request.contact, "link": request.link}


def _initiative(row: RowMapping) -> Initiative:
    return Initiative(
        id=row["id"], reference=row["reference"], title=row["title"],
        description=row["description"], stage=Stage(row["stage"]),
        portfolio_key=row["portfolio_key"], contact=row["contact"], link=row["link"],
        active=bool(row["active"]), source_key=row["source_key"], created_at=row["created_at"],
        updated_at=row["updated_at"], updated_by=row["updated_by"])
