"""Who is asking: one value for the person behind a turn, whatever they are doing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Caller:
    """Identity comes from the Teams activity, never from card data; the name is for display
    only, and the tenant says where messages to them go."""

    object_id: str
    name: str
    tenant_id: str | None
