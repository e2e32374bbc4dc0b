"""The bot's metrics, in Prometheus' text format, for GET /metrics.

Each application keeps its own registry (two apps in one process, as in tests, never share a
counter). Counters move as turns and sends happen; the outbox's gauges are read from the
database when a scrape asks, so that every replica reports the one shared outbox."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.channel.turns import TurnOutcome, TurnType
from bot.delivery.counts import SendStatus

# Seconds from a turn's request arriving to its answer: most turns take tens of
# milliseconds; the soak's target for the slowest 1% is 250 ms.
TURN_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True, slots=True)
class OutboxFigures:
    """The outbox as a scrape reads it."""

    pending: int  # not sent yet: waiting (some until later), or being sent
    dead: int  # given up, until `iip outbox retry --dead`
    oldest_pending_seconds: float | None  # how long the oldest message that is due has waited


class PortalMetrics:
    """Implements bot.delivery.counts.SendCounts, and counts turns and 429s."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self._turns = Counter(
            "iip_turns", "Turns (POSTs to /api/messages) by type and outcome.",
            ["type", "outcome"], registry=registry)
        self._turn_seconds = Histogram(
            "iip_turn_seconds", "Seconds from a turn's request to its answer, by type.",
            ["type"], buckets=TURN_BUCKETS, registry=registry)
        self._sends = Counter(
            "iip_outbox_sends", "Attempts to send a message from the outbox, by how they ended.",
            ["status"], registry=registry)
        self._throttled = Counter(
            "iip_connector_throttled",
            "Answers of 429 (too many requests) from the Bot Connector, replies and outbox.",
            registry=registry)
        self._outbox = _OutboxGauges()
        registry.register(self._outbox)
        # Every series from the start, at zero, so that a rate is there before the first event.
        for kind in TurnType:
            self._turn_seconds.labels(kind.value)
            for outcome in TurnOutcome:
                self._turns.labels(kind.value, outcome.value)
        for status in SendStatus:
            self._sends.labels(status.value)

    def turn(self, kind: TurnType, outcome: TurnOutcome, seconds: float) -> None:
        self._turns.labels(kind.value, outcome.value).inc()
        self._turn_seconds.labels(kind.value).observe(seconds)

    def send_ended(self, status: SendStatus) -> None:
        self._sends.labels(status.value).inc()

    def throttled(self) -> None:
        self._throttled.inc()

    def render(self, outbox: OutboxFigures | None) -> bytes:
        """The text of a scrape; without `outbox` (the database did not answer), the outbox's
        gauges are left out rather than shown stale."""
        self._outbox.figures = outbox
        return generate_latest(self.registry)


class _OutboxGauges(Collector):
    """The outbox's gauges, from the figures the scrape under way read."""

    def __init__(self) -> None:
        self.figures: OutboxFigures | None = None

    def describe(self) -> Iterable[Metric]:
        return list(self._families(OutboxFigures(0, 0, None)))

    def collect(self) -> Iterable[Metric]:
        return [] if self.figures is None else list(self._families(self.figures))

    @staticmethod
    def _families(figures: OutboxFigures) -> Iterator[Metric]:
        yield GaugeMetricFamily("iip_outbox_pending",
                                "Messages in the outbox not sent yet (waiting or being sent).",
                                value=figures.pending)
        yield GaugeMetricFamily("iip_outbox_dead", "Messages the outbox gave up on.",
                                value=figures.dead)
        yield GaugeMetricFamily(
            "iip_outbox_oldest_pending_age_seconds",
            "How long the oldest message that is due has waited to be sent (0: none waits).",
            value=figures.oldest_pending_seconds or 0.0)
