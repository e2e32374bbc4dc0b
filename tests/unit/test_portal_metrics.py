"""The metrics' registry: one per application, and the outbox's gauges only when read."""

from __future__ import annotations

from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from bot.channel.turns import TurnOutcome, TurnType
from bot.delivery.counts import SendStatus
from bot.metrics import OutboxFigures, PortalMetrics


def samples(text: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text.decode()) for s in family.samples}


def test_two_applications_in_one_process_count_apart():
    first, second = PortalMetrics(CollectorRegistry()), PortalMetrics(CollectorRegistry())

    first.turn(TurnType.INVOKE, TurnOutcome.OK, 0.02)
    first.send_ended(SendStatus.UNREACHABLE)
    first.throttled()

    one, other = samples(first.render(None)), samples(second.render(None))
    invoke_ok = ("iip_turns_total", (("outcome", "ok"), ("type", "invoke")))
    unreachable = ("iip_outbox_sends_total", (("status", "unreachable"),))
    assert (one[invoke_ok], other[invoke_ok]) == (1, 0)
    assert (one[unreachable], other[unreachable]) == (1, 0)
    assert (one[("iip_connector_throttled_total", ())],
            other[("iip_connector_throttled_total", ())]) == (1, 0)


def test_the_outbox_gauges_are_left_out_when_the_database_did_not_answer():
    metrics = PortalMetrics(CollectorRegistry())

    read = samples(metrics.render(OutboxFigures(pending=7, dead=2, oldest_pending_seconds=95.5)))
    unread = samples(metrics.render(None))

    assert read[("iip_outbox_pending", ())] == 7
    assert read[("iip_outbox_dead", ())] == 2
    assert read[("iip_outbox_oldest_pending_age_seconds", ())] == 95.5
    assert not [name for name, _ in unread if name.startswith(("iip_outbox_pending",
                                                                "iip_outbox_dead",
                                                                "iip_outbox_oldest"))]
    assert ("iip_turns_total", (("outcome", "ok"), ("type", "message"))) in unread
