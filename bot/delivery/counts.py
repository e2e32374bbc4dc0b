"""How each send of the outbox ended, told to whoever counts them (the metrics)."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class SendStatus(StrEnum):
    """What became of one attempt to send a message from the outbox."""

    SENT = "sent"
    RETRIED = "retried"  # refused for now (a passing fault, a 429, the tenant paused): again later
    DEAD = "dead"  # given up
    UNREACHABLE = "unreachable"  # given up: the person blocked the bot, or the chat is gone


class SendCounts(Protocol):
    def send_ended(self, status: SendStatus) -> None: ...


class NoCounts:
    """Counts nothing: the command line's runs of the outbox."""

    def send_ended(self, status: SendStatus) -> None:
        pass
