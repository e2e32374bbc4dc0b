"""An idea's audit trail, for freedom of information requests and complaints: every entry of
its history and of the audit log about it, in the order they happened."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.domain.text import spreadsheet_text


class TrailSource(StrEnum):
    HISTORY = "history"  # a move of the idea (idea_history)
    AUDIT = "audit"      # anything else done about it (audit_log): opened, reassigned...


# The columns of the trail, in order, as CSV and JSON name them.
TRAIL_FIELDS = ("at", "source", "actor", "actor_name", "action", "from_status", "to_status",
                "reason", "message", "detail")


@dataclass(frozen=True, slots=True)
class TrailEntry:
    """When, who (and their name where the portal knows it), what, and why."""

    at: datetime
    source: TrailSource
    actor: str
    actor_name: str | None
    action: str
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None
    message: str | None = None
    detail: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "source": self.source.value, "actor": self.actor,
                "actor_name": self.actor_name, "action": self.action,
                "from_status": self.from_status, "to_status": self.to_status,
                "reason": self.reason, "message": self.message, "detail": self.detail}

    def as_row(self) -> list[str]:
        """The entry as a CSV row: empty for nothing, the detail as compact JSON, a cell a
        spreadsheet would take for a formula as text."""
        values = self.as_json()
        values["detail"] = (json.dumps(self.detail, ensure_ascii=False, sort_keys=True)
                            if self.detail else None)
        return ["" if values[name] is None else spreadsheet_text(str(values[name]))
                for name in TRAIL_FIELDS]


def in_order(entries: list[TrailEntry]) -> list[TrailEntry]:
    """Oldest first; at one moment, the move before what was done about it."""
    order = list(TrailSource)
    return sorted(entries, key=lambda e: (e.at, order.index(e.source)))


@dataclass(frozen=True, slots=True)
class Trail:
    reference: str
    title: str
    entries: tuple[TrailEntry, ...]
