"""Where each conversation with the bot can be reached: the storage side of the AddressBook
port."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, RowMapping, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.addresses import ConversationAddress, ConversationKind
from bot.domain.outbox import Recipient
from storage import tables as t
from storage.upsert import insert_for

# An unchanged address is rewritten at most this often, so that most turns write nothing.
ADDRESS_REFRESH = timedelta(hours=1)


# What SqlAddressBook.remember compares, built once (a statement reused keeps its cache key).
_KNOWN_ADDRESS = select(
    *t.conversation_addresses.c["service_url", "bot_id", "tenant_id", "team_id", "object_id",
                               "user_id", "removed_at", "last_seen_at"]
).where(t.conversation_addresses.c.conversation_id == bindparam("conversation_id"))


class SqlAddressBook:
    """Implements bot.services.ports.AddressBook on the unit of work's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def remember(self, address: ConversationAddress, seen_at: datetime) -> bool:
        table = t.conversation_addresses
        # A channel is shared by everyone in it: only a 1:1 address belongs to one person.
        personal = address.kind is ConversationKind.PERSONAL
        values = {
            "conversation_id": address.conversation_id,
            "kind": address.kind.value,
            "service_url": address.service_url,
            "tenant_id": address.tenant_id,
            "bot_id": address.bot_id,
            "channel_id": address.channel_id,
            "object_id": address.object_id if personal else None,
            "user_id": address.user_id if personal else None,
            "team_id": address.team_id,
            "first_seen_at": seen_at,
            "last_seen_at": seen_at,
            "removed_at": None,
        }
        compared = ["service_url", "bot_id", "tenant_id", "team_id"]
        if personal:
            compared += ["object_id", "user_id"]
        # Read first: almost every turn comes from a known, unchanged address, and a read takes
        # no write lock (on SQLite an INSERT that does nothing still queues for the only one).
        known = (await self._db.execute(
            _KNOWN_ADDRESS, {"conversation_id": address.conversation_id}
        )).first()
        if known is None:
            inserted = await self._db.execute(
                insert_for(self._db, table).values(**values).on_conflict_do_nothing()
            )
            if inserted.rowcount:
                return True
        elif (known.removed_at is None and known.last_seen_at >= seen_at - ADDRESS_REFRESH
              # Row._mapping is SQLAlchemy's public API; the underscore only avoids column names.
              and all(known._mapping[name] == values[name]  # pyright: ignore[reportPrivateUsage]
                      for name in compared)):
            return False
        # New since the read (another turn won the insert), changed, removed or stale.
        changed = or_(
            *(table.c[name].is_distinct_from(values[name]) for name in compared),
            table.c.removed_at.is_not(None),
            table.c.last_seen_at < seen_at - ADDRESS_REFRESH,
        )
        await self._db.execute(
            update(table)
            .where(table.c.conversation_id == address.conversation_id, changed)
            .values({**{name: values[name] for name in compared},
                     "last_seen_at": seen_at, "removed_at": None})
        )
        return False

    async def mark_removed(self, conversation_id: str, at: datetime) -> None:
        table = t.conversation_addresses
        await self._db.execute(
            update(table)
            .where(table.c.conversation_id == conversation_id, table.c.removed_at.is_(None))
            .values(removed_at=at)
        )

    async def personal_address(self, object_id: str) -> ConversationAddress | None:
        table = t.conversation_addresses
        return await self._newest(
            table.c.object_id == object_id,
            table.c.kind == ConversationKind.PERSONAL.value,
        )

    async def address(self, conversation_id: str) -> ConversationAddress | None:
        return await self._newest(t.conversation_addresses.c.conversation_id == conversation_id)

    async def people_with_app(self) -> list[str]:
        """The Entra object ids of everyone with a 1:1 chat with the bot not removed, each
        once, in one query."""
        table = t.conversation_addresses
        rows = await self._db.execute(
            select(table.c.object_id).distinct().where(
                table.c.kind == ConversationKind.PERSONAL.value,
                table.c.removed_at.is_(None), table.c.object_id.is_not(None)))
        return [object_id for object_id in rows.scalars() if object_id]

    async def latest_in_tenant(self, tenant_id: str | None) -> ConversationAddress | None:
        return await self._newest(t.conversation_addresses.c.tenant_id == tenant_id)

    async def addresses_for(
        self, recipients: Iterable[Recipient]
    ) -> dict[Recipient, ConversationAddress]:
        """What `address` or `personal_address` would answer for each recipient, for many at
        once (a claimed batch of the outbox); recipients with no address are left out."""
        table = t.conversation_addresses
        wanted = list(dict.fromkeys(recipients))
        conversation_ids = sorted({r.conversation_id for r in wanted if r.conversation_id})
        object_ids = sorted({r.object_id for r in wanted if not r.conversation_id and r.object_id})
        by_conversation: dict[str, ConversationAddress] = {}
        newest_personal: dict[str, ConversationAddress] = {}
        for start in range(0, len(conversation_ids), _IN_LIST):
            rows = await self._db.execute(
                select(table).where(
                    table.c.conversation_id.in_(conversation_ids[start:start + _IN_LIST]),
                    table.c.removed_at.is_(None),
                )
            )
            for row in rows.mappings():
                by_conversation[row["conversation_id"]] = _address(row)
        for start in range(0, len(object_ids), _IN_LIST):
            rows = await self._db.execute(
                select(table).where(
                    table.c.object_id.in_(object_ids[start:start + _IN_LIST]),
                    table.c.kind == ConversationKind.PERSONAL.value,
                    table.c.removed_at.is_(None),
                ).order_by(table.c.last_seen_at.desc())
            )
            for row in rows.mappings():  # newest first: keep each person's first
                newest_personal.setdefault(row["object_id"], _address(row))
        found: dict[Recipient, ConversationAddress] = {}
        for recipient in wanted:
            address = (by_conversation.get(recipient.conversation_id)
                       if recipient.conversation_id
                       else newest_personal.get(recipient.object_id or ""))
            if address is not None:
                found[recipient] = address
        return found

    async def channels(self, limit: int) -> list[str]:
        table = t.conversation_addresses
        found = await self._db.execute(
            select(table.c.conversation_id)
            .where(table.c.kind == ConversationKind.CHANNEL.value, table.c.removed_at.is_(None))
            .order_by(table.c.last_seen_at.desc(), table.c.conversation_id)
            .limit(limit))
        return list(found.scalars())

    async def _newest(self, *conditions: ColumnElement[bool]) -> ConversationAddress | None:
        table = t.conversation_addresses
        row = (await self._db.execute(
            select(table)
            .where(*conditions, table.c.removed_at.is_(None))
            .order_by(table.c.last_seen_at.desc())
            .limit(1)
        )).mappings().first()
        return None if row is None else _address(row)


# Values in one IN (...) list: far under SQLite's and asyncpg's limits on bound parameters.
_IN_LIST = 500


def _address(row: RowMapping) -> ConversationAddress:
    return ConversationAddress(
        conversation_id=row["conversation_id"],
        kind=ConversationKind(row["kind"]),
        service_url=row["service_url"],
        tenant_id=row["tenant_id"],
        bot_id=row["bot_id"],
        channel_id=row["channel_id"],
        object_id=row["object_id"],
        user_id=row["user_id"],
        team_id=row["team_id"],
    )
