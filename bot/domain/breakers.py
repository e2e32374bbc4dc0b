"""A breaker per destination: a team channel or group chat that refused the bot is paused,
probed after a wait, and resumed when a send goes through.

A person's own 1:1 chat has no breaker: one who blocked the app is given up as unreachable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.addresses import ConversationKind

# The first wait before a message is tried again at a paused destination, and the longest
# (the wait doubles with each refusal in between).
FIRST_PROBE_AFTER = timedelta(minutes=5)
LONGEST_PROBE_AFTER = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class Breaker:
    """A paused destination: since when, how many refusals, and when one message is tried."""

    conversation_id: str
    kind: ConversationKind
    opened_at: datetime
    failures: int
    probe_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class ProbeWaits:
    """How long a paused destination waits before each probe."""

    first: timedelta = FIRST_PROBE_AFTER
    longest: timedelta = LONGEST_PROBE_AFTER

    def after(self, failures: int) -> timedelta:
        """The wait after the `failures`-th refusal since the breaker opened (1 for the
        refusal that opened it): first, doubled each time, at most longest."""
        doublings = min(max(0, failures - 1), 32)
        return min(self.longest, self.first * 2 ** doublings)


def has_breaker(kind: ConversationKind) -> bool:
    """Whether a refusal in such a conversation pauses it, rather than closes it."""
    return kind is not ConversationKind.PERSONAL


def destination_name(conversation_id: str, kind: ConversationKind,
                     news_channel: str | None) -> str:
    """The destination in the words the PMO knows it by: the news channel by name where the
    organisation names it; otherwise its kind and Teams id."""
    if news_channel and conversation_id == news_channel:
        return "the news channel"
    what = "the group chat" if kind is ConversationKind.GROUP_CHAT else "the team channel"
    return f"{what} {conversation_id}"
