"""Reading the structlog events captured during a test."""

from __future__ import annotations

from typing import Any


def events(logs: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The captured events called `name`, in the order they were logged."""
    return [entry for entry in logs if entry.get("event") == name]
