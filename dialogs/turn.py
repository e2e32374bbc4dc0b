"""What the channel hands the submission dialog for one turn: who, and what they said.

The channel sets it once, just before it begins or continues the dialog, through
`hand_over`; the dialog reads it through `handed_over`. Nothing else passes between them.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

from bot.domain.identity import Caller
from bot.domain.requests import ContinueIntake, NewIdea

# The one entry of the SDK's turn state that the dialogs read; private to this module.
_KEY = "iip.intake_turn"


@dataclass(frozen=True, slots=True)
class IntakeTurn:
    """Identity comes from the activity, never from card data. `request` is NewIdea to
    begin (or offer to resume a draft), or what the person did within the submission."""

    caller: Caller
    request: NewIdea | ContinueIntake


def hand_over(turn_state: MutableMapping[str, object], turn: IntakeTurn) -> None:
    turn_state[_KEY] = turn


def handed_over(turn_state: MutableMapping[str, object]) -> IntakeTurn:
    """This turn's IntakeTurn, left by the channel with `hand_over`."""
    turn = turn_state.get(_KEY)
    if not isinstance(turn, IntakeTurn):
        raise LookupError("the channel handed the dialog no IntakeTurn this turn")
    return turn
