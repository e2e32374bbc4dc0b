"""The audit trail: every change to what the portal holds says who made it and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor: str
    action: str
    subject: str
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict[str, Any])
