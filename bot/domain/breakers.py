"""A breaker per destination: a team channel or group chat that refused the bot (or is gone)
is paused, probed after a wait, and resumed when a send goes through; one that keeps refusing
past a ceiling, or that an operator drops, is given up with its waiting messages.

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
# A destination still refusing this long after it was paused is given up: its messages die.
GIVE_UP_AFTER = timedelta(days=14)
# The reason a dropped destination's messages are recorded with.
DROPPED = "dropped: the destination is gone for good (iip outbox drop)"


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
class PausedDestination:
    """A paused destination as an operator sees it: its breaker, by name, and how many
    messages wait there."""

    name: str
    breaker: Breaker
    held: int


@dataclass(frozen=True, slots=True)
class GivenUp:
    """A destination given up (it refused past the ceiling, or was dropped): its waiting
    messages died with `reason`."""

    conversation_id: str
    reason: str
    ids: frozenset[int]  # the messages given up
    was_paused: bool  # whether its breaker was open

    @property
    def messages(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class ProbeWaits:
    """How long a paused destination waits before each probe, and before it is given up
    (None: never)."""

    first: timedelta = FIRST_PROBE_AFTER
    longest: timedelta = LONGEST_PROBE_AFTER
    give_up_after: timedelta | None = GIVE_UP_AFTER

    def gives_up(self, breaker: Breaker, now: datetime) -> bool:
        """Whether a refusal at `now` ends the wait: paused for the ceiling or longer."""
        return self.give_up_after is not None and now - breaker.opened_at >= self.give_up_after

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


def gave_up_reason(waits: ProbeWaits) -> str:
    """The reason a destination's messages die with when it refused past the ceiling."""
    ceiling = waits.give_up_after or timedelta(0)
    span = (f"{ceiling.days} days" if ceiling.days
            else f"{round(ceiling.total_seconds())} seconds")
    return f"given up: the destination refused the portal for {span} or more"
