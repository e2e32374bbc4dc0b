"""What a person did this turn, as plain values: the channel fills it in from the activity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.domain.identity import Caller

# Where the channel leaves this turn's Turn for the dialogs (TurnContext.turn_state).
TURN_KEY = "iip.turn"


@dataclass(frozen=True, slots=True)
class Turn:
    """Identity comes from the activity, never from card data."""

    object_id: str
    name: str
    tenant_id: str | None
    text: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def caller(self) -> Caller:
        return Caller(self.object_id, self.name, self.tenant_id)

    @property
    def action(self) -> str | None:
        action = self.values.get("action")
        return action if isinstance(action, str) else None


def current_turn(turn_state: Mapping[str, object]) -> Turn:
    """This turn's Turn, left in the SDK's turn state by the channel."""
    turn = turn_state[TURN_KEY]
    if not isinstance(turn, Turn):
        raise TypeError(f"{TURN_KEY} holds {type(turn).__name__}, not a Turn")
    return turn
