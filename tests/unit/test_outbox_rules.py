"""What an answer from the Bot Connector means for a queued message, and how long to back off."""

from __future__ import annotations

import itertools
import random

import pytest

from bot.delivery import backoff
from bot.delivery.backoff import backoff_seconds
from bot.delivery.verdicts import SERVICE_URL_REFUSED, Verdict, classify
from bot.domain.outbox import Recipient


@pytest.mark.parametrize(("status", "verdict"), [
    (200, Verdict.SENT),
    (201, Verdict.SENT),
    (429, Verdict.THROTTLED),
    (403, Verdict.SUSPENDED),  # with no code: the bot itself refused, not one person
    (404, Verdict.RECREATE),
    (401, Verdict.RETRY),  # refused with a fresh token too: credentials being put right
    (412, Verdict.RETRY),
    (500, Verdict.RETRY),
    (502, Verdict.RETRY),
    (503, Verdict.RETRY),
    (504, Verdict.RETRY),
    (None, Verdict.RETRY),  # a dropped connection or a time-out
    (400, Verdict.DEAD),
    (413, Verdict.DEAD),  # MessageSizeTooBig: the same card will never fit
])
def test_classify(status: int | None, verdict: Verdict) -> None:
    assert classify(status) is verdict


@pytest.mark.parametrize(("code", "verdict"), [
    ("ConversationBlockedByUser", Verdict.UNREACHABLE),
    ("BotNotInConversationRoster", Verdict.UNREACHABLE),
    ("MessageWritesBlocked", Verdict.UNREACHABLE),
    ("ForbiddenOperationException", Verdict.UNREACHABLE),  # not installed for the person
    ("conversationblockedbyuser", Verdict.UNREACHABLE),
    ("NotEnoughPermissions", Verdict.DEAD),  # this message only; the chat stays open
    ("InvalidBotApiHost", Verdict.DEAD),
    ("BotDisabledByAdmin", Verdict.SUSPENDED),
    ("BotNotRegistered", Verdict.SUSPENDED),
    ("SomethingNew", Verdict.SUSPENDED),
    ("", Verdict.SUSPENDED),
    (None, Verdict.SUSPENDED),
])
def test_a_403_is_read_by_its_error_code(code: str | None, verdict: Verdict) -> None:
    assert classify(403, code) is verdict


def test_only_a_403_is_read_by_its_code() -> None:
    assert classify(502, "ConversationBlockedByUser") is Verdict.RETRY
    assert classify(200, "BotDisabledByAdmin") is Verdict.SENT
    assert classify(None, "ClientConnectorError") is Verdict.RETRY
    assert classify(None, SERVICE_URL_REFUSED) is Verdict.DEAD


def ceiling(attempt: int) -> float:
    return min(backoff.BACKOFF_CAP_SECONDS,
               backoff.BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))


def test_backoff_stays_between_half_and_all_of_its_window() -> None:
    rng = random.Random(20261102)
    for attempt in range(1, 15):
        for _ in range(200):
            delay = backoff_seconds(attempt, rng)
            assert ceiling(attempt) / 2 <= delay <= ceiling(attempt)


def test_backoff_grows_exponentially() -> None:
    rng = random.Random(7)
    windows = [max(backoff_seconds(a, rng) for _ in range(500)) for a in range(1, 7)]

    for shorter, longer in itertools.pairwise(windows):
        assert longer == pytest.approx(2 * shorter, rel=0.02)
    # Even the shortest wait after a failure is no shorter than the longest before it.
    assert min(backoff_seconds(4, rng) for _ in range(500)) >= max(
        backoff_seconds(3, rng) for _ in range(500))


def test_backoff_is_capped() -> None:
    rng = random.Random(1)
    delays = [backoff_seconds(attempt, rng) for attempt in range(10, 60)]

    assert max(delays) <= backoff.BACKOFF_CAP_SECONDS
    assert min(delays) >= backoff.BACKOFF_CAP_SECONDS / 2


def test_backoff_is_jittered_so_failures_together_do_not_retry_together() -> None:
    rng = random.Random(42)
    delays = [backoff_seconds(5, rng) for _ in range(100)]

    assert len({round(d, 6) for d in delays}) > 90
    spread = max(delays) - min(delays)
    assert spread > 0.8 * ceiling(5) / 2


def test_backoff_is_reproducible_with_a_seeded_random() -> None:
    first = [backoff_seconds(a, random.Random(3)) for a in range(1, 8)]
    again = [backoff_seconds(a, random.Random(3)) for a in range(1, 8)]

    assert first == again


def test_backoff_base_and_cap_can_be_tuned() -> None:
    rng = random.Random(9)

    assert 0.05 <= backoff_seconds(1, rng, base=0.1, cap=1.0) <= 0.1
    assert 0.5 <= backoff_seconds(20, rng, base=0.1, cap=1.0) <= 1.0


def test_a_recipient_needs_somewhere_to_go() -> None:
    with pytest.raises(ValueError):
        Recipient()
    assert Recipient.person("oid", "tenant").object_id == "oid"
    assert Recipient.conversation("a:1").conversation_id == "a:1"


def test_the_outbox_lease_is_read_from_the_environment() -> None:
    from bot.config import Settings, SettingsError

    assert Settings.from_env({}).outbox_lease_seconds == 120
    assert Settings.from_env({"IIP_OUTBOX_LEASE_SECONDS": "2.5"}).outbox_lease_seconds == 2.5
    with pytest.raises(SettingsError, match="IIP_OUTBOX_LEASE_SECONDS"):
        Settings.from_env({"IIP_OUTBOX_LEASE_SECONDS": "0"})
