"""Deliveries as the history records them: the moves that put an idea in place, read alike by
the workforce digest (storage/digests.py) and the monthly board pack (storage/board_pack.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, func

from bot.domain.digest import told
from bot.domain.ideas import Status
from storage.tables import idea_history as history


def delivery_move() -> ColumnElement[bool]:
    """A history row that delivered its idea (not one that kept it delivered)."""
    return and_(history.c.to_status == Status.DELIVERED.value,
                func.coalesce(history.c.from_status, "") != Status.DELIVERED.value)


def each_idea_once(rows: Iterable[Any], limit: int) -> list[Any]:
    """The first row of each idea (by its `reference`), `limit` at most: an idea delivered
    twice in a window (reopened between) is told once. Read `limit * 2` rows to have enough."""
    found: dict[str, Any] = {}
    for row in rows:
        if len(found) == limit:
            break
        found.setdefault(row.reference, row)
    return list(found.values())


def what_it_changed(row: Any) -> tuple[str, str]:
    """A delivery's "what changed" and "benefit seen", as a digest or a pack tells them."""
    detail = cast("dict[str, Any]", row.detail or {})
    return (told(str(detail.get("what_changed") or "")),
            told(str(detail.get("benefit_seen") or "")))
