"""The ids of everything a card button can ask for.

An Action.Submit carries `{"action": id}` in its data; an Action.Execute carries the same id
as its `verb` and as `data.action`, as Teams recommends.
"""

from enum import StrEnum


class CardAction(StrEnum):
    SHOW_HELP = "help.show"
    OPEN_FEEDBACK = "feedback.open"
    SEND_FEEDBACK = "feedback.send"
