"""Pacing sends under Teams' rate limits, per tenant and per conversation.

Teams allows a bot about 50 sends a second per tenant, and per conversation 7 a second,
8 in 2 seconds, 60 in 30 seconds and 1,800 an hour. The pacer keeps a sliding window of send
times per key and says how long to wait before the next send may go.

Teams counts every replica's sends together. A chat's messages are sent by one worker at a
time, but it passes from worker to worker, so the pacer also counts the sends other workers
made to a chat (`sent_elsewhere`); and workers sending at once each keep their share of a
tenant's rate (`share_tenant_rate`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Window:
    sends: int
    seconds: float


# How much longer than a second the window is over which a tenant's limit is kept (see
# safe_tenant_windows).
TENANT_MARGIN_SECONDS = 0.05
# The shortest gap between two sends to a tenant, as a fraction of the average interval.
TENANT_SPREAD = 0.5


def tenant_windows(per_second: float = 50) -> tuple[Window, ...]:
    return (Window(max(1, round(per_second)), 1.0),)


def safe_tenant_windows(per_second: float = 50, margin: float = TENANT_MARGIN_SECONDS,
                        spread: float = TENANT_SPREAD) -> tuple[Window, ...]:
    """The tenant's limit, kept with room for the jitter between our clock and Teams'.

    Teams counts a tenant's sends as they arrive, and how long each takes to get there varies
    by milliseconds, tens of them on a busy host. A sender that fills the one-second window
    exactly (fifty at once, the fifty-first one second after the first) has sends arrive out
    of step at the window's edge and is answered 429 there again and again, and every 429
    holds the whole tenant for Retry-After, whole seconds. So the limit is also kept over a
    window `margin` seconds longer than a second (no second of arrivals is over the limit
    unless their jitter exceeds `margin`), and sends go at least `spread` times the average
    interval apart, never in bursts that arrive out of step. Being a sliding window of many
    sends, it lets a send that went late make up the time, which a fixed interval between
    sends would not: on a busy host, a late send every so often is the norm.
    """
    sends = max(1, round(per_second))
    return (*tenant_windows(per_second), Window(sends, 1.0 + margin),
            Window(1, spread / per_second))


# How far back a worker reads the sends other workers made to the chats it claims: the
# longest of a chat's windows that matters at a hand-over (each worker keeps the hourly one on
# its own), and how recently a worker must have sent to share the tenant's rate.
ELSEWHERE_SECONDS = 30.0
ACTIVE_SENDER_SECONDS = 5.0


def conversation_windows(per_second: float = 7) -> tuple[Window, ...]:
    return (Window(max(1, round(per_second)), 1.0), Window(8, 2.0), Window(60, 30.0),
            Window(1800, 3600.0))


def safe_conversation_windows(per_second: float = 7,
                              margin: float = TENANT_MARGIN_SECONDS) -> tuple[Window, ...]:
    """A chat's limits, each kept over a window `margin` seconds longer, for the jitter
    between a send's booking and its arrival (see safe_tenant_windows): a busy chat's sends
    fill its windows exactly, and one arriving a little sooner after its booking than the
    send it follows was answered 429, which holds the whole tenant for a second or more."""
    return tuple(Window(w.sends, w.seconds + margin) for w in conversation_windows(per_second))


class _Limiter:
    """Sliding windows for many keys; forgets keys that have been quiet for the longest window."""

    def __init__(self, windows: Iterable[Window]) -> None:
        self.windows = self._windows = tuple(sorted(windows, key=lambda w: w.seconds))
        self._longest = self._windows[-1].seconds
        self._capacity = max(w.sends for w in self._windows)
        # Send times, oldest first, at most `_capacity` of them. A list, not a deque: a
        # broadcast leaves one send on each of thousands of conversations for the longest
        # window (an hour), and a deque costs ten times a short list's memory.
        self._sends: dict[str, list[float]] = {}

    def wait(self, key: str, now: float, *, elsewhere: Sequence[float] = (),
             share: int = 1) -> float:
        """`elsewhere`: sends other workers made (sorted); `share`: how many workers, this one
        among them, keep the limits together, each to its share."""
        history = self._sends.get(key) or []
        self._forget_before(history, now - self._longest)
        if elsewhere:
            history = sorted([*history, *(t for t in elsewhere if t > now - self._longest)])
        wait = 0.0
        for window in self._windows:
            sends, seconds = _share_of(window, share)
            recent = sum(1 for t in history if t > now - seconds)
            if recent >= sends:
                # The send that must leave the window before another may go.
                oldest_in_window = history[len(history) - sends]
                wait = max(wait, oldest_in_window + seconds - now)
        return wait

    def record(self, key: str, now: float) -> None:
        history = self._sends.get(key)
        if history is None:
            self._sends[key] = [now]
            return
        history.append(now)
        if len(history) > self._capacity:
            del history[0]

    def unrecord(self, key: str, at: float) -> None:
        history = self._sends.get(key)
        if history and at in history:
            history.remove(at)

    def prune(self, now: float) -> None:
        for key in [k for k, h in self._sends.items() if not h or h[-1] <= now - self._longest]:
            del self._sends[key]

    @staticmethod
    def _forget_before(history: list[float], cutoff: float) -> None:
        stale = 0
        while stale < len(history) and history[stale] <= cutoff:
            stale += 1
        if stale:
            del history[:stale]


def _share_of(window: Window, share: int) -> tuple[int, float]:
    """One worker's part of a window kept by `share` workers: fewer sends in the same time
    (so that their bursts together stay within it), or, for a window of one send, a longer
    time."""
    if share <= 1:
        return window.sends, window.seconds
    if window.sends >= share:
        return window.sends // share, window.seconds
    return window.sends, window.seconds * share


@dataclass
class _OtherWorkers:
    """What other workers do, as the last claim read it: their sends per conversation, and how
    many workers (this one among them) are sending now."""

    sends: dict[str, list[float]] = field(default_factory=dict[str, list[float]])
    sending: int = 1


class Pacer:
    """Says when a send to (tenant, conversation) may go, and slows a tenant after a 429."""

    def __init__(self, tenant: Iterable[Window] | None = None,
                 conversation: Iterable[Window] | None = None) -> None:
        self._tenants = _Limiter(tenant or tenant_windows())
        self._conversations = _Limiter(conversation or conversation_windows())
        self._held_until: dict[str, float] = {}
        self._others = _OtherWorkers()

    def twin(self) -> Pacer:
        """A pacer with the same limits and none of this one's history, under the same holds
        and knowing what other workers do: it keeps the limits a second time (when a send
        booked with this one leaves), and a tenant Teams told to wait is held at both
        moments."""
        twin = Pacer(self._tenants.windows, self._conversations.windows)
        twin._held_until = self._held_until
        twin._others = self._others
        return twin

    def sent_elsewhere(self, conversation: str, times: Sequence[float]) -> None:
        """Other workers sent to this conversation at `times` (oldest first): what was known
        of them before is replaced."""
        self._others.sends[conversation] = list(times)

    def share_tenant_rate(self, workers: int) -> bool:
        """How many workers, this one among them, are sending now: each keeps its share of a
        tenant's limits. Whether that changed the share."""
        workers = max(1, workers)
        changed, self._others.sending = workers != self._others.sending, workers
        return changed

    def wait(self, tenant: str, conversation: str, now: float) -> float:
        """Seconds until a send to this conversation is allowed (0 when it may go now)."""
        return max(self.tenant_wait(tenant, now), self.conversation_wait(conversation, now))

    def tenant_wait(self, tenant: str, now: float) -> float:
        return max(self.held_for(tenant, now),
                   self._tenants.wait(tenant, now, share=self._others.sending))

    def held_for(self, tenant: str, now: float) -> float:
        """Seconds left of a 429 hold on this tenant (0 when there is none)."""
        return max(0.0, self._held_until.get(tenant, 0.0) - now)

    def conversation_wait(self, conversation: str, now: float) -> float:
        return self._conversations.wait(conversation, now,
                                        elsewhere=self._others.sends.get(conversation, ()))

    def record(self, tenant: str, conversation: str, now: float) -> None:
        """A send went out now."""
        self._tenants.record(tenant, now)
        self._conversations.record(conversation, now)

    def unrecord(self, tenant: str, conversation: str, at: float) -> None:
        """The send recorded at `at` did not go out after all."""
        self._tenants.unrecord(tenant, at)
        self._conversations.unrecord(conversation, at)

    def hold(self, tenant: str, until: float) -> None:
        """Teams said 429 with Retry-After: send nothing more to this tenant until `until`."""
        self._held_until[tenant] = max(self._held_until.get(tenant, 0.0), until)

    def prune(self, now: float) -> None:
        """Forget quiet keys, so that a broadcast to thousands does not keep them all."""
        self._tenants.prune(now)
        self._conversations.prune(now)
        elsewhere = self._others.sends
        for conversation in [c for c, sends in elsewhere.items()
                             if not sends or sends[-1] <= now - ELSEWHERE_SECONDS]:
            del elsewhere[conversation]
        for tenant in [t for t, until in self._held_until.items() if until <= now]:
            del self._held_until[tenant]
