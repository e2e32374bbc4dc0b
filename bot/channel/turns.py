"""What each turn was and how it ended, for the logs and the metrics.

The messaging endpoint opens a `TurnRecord` for each POST; whatever refuses or fails a turn
deeper down (the turn limit, the error handler, a database outage) notes it there, since the
SDK's adapter swallows what it handles and answers 200 either way."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum

from botbuilder.schema import Activity, ActivityTypes

from bot.channel.activities import submitted_values


class TurnType(StrEnum):
    """A turn's kind, as an operator counts them."""

    MESSAGE = "message"  # typed words
    CARD_SUBMIT = "card_submit"  # an Action.Submit button (a message carrying the card's data)
    INVOKE = "invoke"  # an Action.Execute button, a card refresh
    CONVERSATION_UPDATE = "conversation_update"  # installed in a chat, members added
    INSTALLATION_UPDATE = "installation_update"  # added or removed
    OTHER = "other"  # any other activity Teams sends
    UNREAD = "unread"  # not an activity: refused before it could be read


class TurnOutcome(StrEnum):
    """How a turn ended: answered, refused (a bad request or token, another tenant, over the
    turn limit), or failed on our side (a fault, the database away)."""

    OK = "ok"
    REFUSED = "refused"
    ERROR = "error"


_TYPES: dict[str, TurnType] = {
    ActivityTypes.invoke.value: TurnType.INVOKE,
    ActivityTypes.conversation_update.value: TurnType.CONVERSATION_UPDATE,
    ActivityTypes.installation_update.value: TurnType.INSTALLATION_UPDATE,
}


def turn_type_of(activity: Activity) -> TurnType:
    if activity.type == ActivityTypes.message:
        values = submitted_values(activity)
        return TurnType.CARD_SUBMIT if values is not None else TurnType.MESSAGE
    return _TYPES.get(str(activity.type), TurnType.OTHER)


@dataclass(slots=True)
class TurnRecord:
    """One turn's type and outcome; the first outcome other than ok that is noted stands."""

    type: TurnType = TurnType.UNREAD
    outcome: TurnOutcome = TurnOutcome.OK

    def note(self, outcome: TurnOutcome) -> None:
        if self.outcome is TurnOutcome.OK:
            self.outcome = outcome


_current: ContextVar[TurnRecord | None] = ContextVar("iip_turn_record", default=None)


def open_turn() -> TurnRecord:
    """A record for the turn this request carries, for `note_turn` to find."""
    record = TurnRecord()
    _current.set(record)
    return record


def note_turn(outcome: TurnOutcome) -> None:
    """Say how the turn under way ended (nothing, outside a turn: the command line)."""
    record = _current.get()
    if record is not None:
        record.note(outcome)
