"""What becomes of a message Teams did not take: a table of answers (statuses, error codes and
Retry-After headers, odd ones included) and the outcome each must have."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from bot.delivery.failures import (
    REFUSED_SERVICE_URL_REASON,
    BotRefused,
    ChatClosed,
    ChatGone,
    GiveUp,
    RetryLater,
    RetryPolicy,
    Throttled,
    after_failure,
)
from bot.delivery.throttling import (
    DEFAULT_RETRY_AFTER_SECONDS,
    SHORTEST_HOLD_SECONDS,
    retry_after_seconds,
)
from bot.delivery.verdicts import SERVICE_URL_REFUSED
from bot.services.ports import SendResult

NOW = datetime(2026, 12, 6, 9, 0, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=8, backoff_base_seconds=2.0, backoff_cap_seconds=600.0,
                     max_retry_after_seconds=300.0)


def answer(status: int | None, code: str | None = None,
           retry_after: str | None = None) -> SendResult:
    """The Bot Connector's answer as the messenger reads it (Retry-After from its header)."""
    return SendResult(status=status, error=code,
                      retry_after=retry_after_seconds(retry_after, NOW))


@pytest.mark.parametrize(("status", "code", "outcome"), [
    (429, None, Throttled("429: throttled", DEFAULT_RETRY_AFTER_SECONDS)),
    (403, "ConversationBlockedByUser", ChatClosed("403: ConversationBlockedByUser")),
    (403, "BotNotInConversationRoster", ChatClosed("403: BotNotInConversationRoster")),
    (403, None, BotRefused("403: suspended", last_attempt=False)),
    (403, "BotDisabledByAdmin", BotRefused("403: BotDisabledByAdmin", last_attempt=False)),
    (403, "NotEnoughPermissions", GiveUp("403: NotEnoughPermissions")),
    # The conversation is gone: a person's chat is given up, a channel paused (the worker's).
    (404, None, ChatGone("404: recreate")),
    (400, "BadArgument", GiveUp("400: BadArgument")),
    (413, "MessageSizeTooBig", GiveUp("413: MessageSizeTooBig")),
    (None, SERVICE_URL_REFUSED, GiveUp(REFUSED_SERVICE_URL_REASON)),
])
def test_what_each_answer_does_to_the_message(status: int | None, code: str | None,
                                              outcome: object) -> None:
    assert after_failure(answer(status, code), 0, POLICY) == outcome


@pytest.mark.parametrize(("status", "code", "reason"), [
    (None, None, "network: retry"),  # a dropped connection or a time-out
    (None, "ClientConnectorError", "network: ClientConnectorError"),
    (401, None, "401: retry"),
    (408, None, "408: retry"),
    (412, None, "412: retry"),
    (500, None, "500: retry"),
    (502, "BadGateway", "502: BadGateway"),
    (503, None, "503: retry"),
    (504, None, "504: retry"),
])
def test_a_passing_fault_is_tried_again_after_a_backoff(status: int | None, code: str | None,
                                                         reason: str) -> None:
    outcome = after_failure(answer(status, code), 2, POLICY, random.Random(1))

    assert isinstance(outcome, RetryLater)
    assert outcome.reason == reason
    assert 4.0 <= outcome.seconds <= 8.0  # the third attempt's window: 2 s * 2**2, jittered


@pytest.mark.parametrize(("header", "held"), [
    ("1", 1.0),
    ("120", 120.0),
    ("1.5", 1.5),
    (" 30 ", 30.0),
    ("0", SHORTEST_HOLD_SECONDS),  # never straight back at a connector that said stop
    ("Sun, 06 Dec 2026 09:00:45 GMT", 45.0),
    ("Sun, 06 Dec 2026 08:59:00 GMT", SHORTEST_HOLD_SECONDS),  # a date already past
    ("Fri, 31 Dec 9999 23:59:59 GMT", 300.0),  # huge: the setting's longest
    ("99999999", 300.0),
    (None, DEFAULT_RETRY_AFTER_SECONDS),
    ("", DEFAULT_RETRY_AFTER_SECONDS),
    ("-5", DEFAULT_RETRY_AFTER_SECONDS),  # negative: unreadable, not "at once"
    ("inf", DEFAULT_RETRY_AFTER_SECONDS),
    ("nan", DEFAULT_RETRY_AFTER_SECONDS),
    ("1e308", DEFAULT_RETRY_AFTER_SECONDS),
    ("soon", DEFAULT_RETRY_AFTER_SECONDS),
    ("Sun, 06 Dec 2026 25:61:00 GMT", DEFAULT_RETRY_AFTER_SECONDS),
    ("9" * 5000, DEFAULT_RETRY_AFTER_SECONDS),
])
def test_a_429_holds_the_tenant_for_its_retry_after_bounded(header: str | None,
                                                            held: float) -> None:
    assert after_failure(answer(429, None, header), 0, POLICY) == Throttled(
        "429: throttled", held)


def test_the_longest_429_hold_is_the_policys() -> None:
    policy = RetryPolicy(max_retry_after_seconds=1.5)

    assert after_failure(answer(429, None, "3600"), 0, policy) == Throttled("429: throttled", 1.5)
    assert after_failure(answer(429, None, "garbage"), 0, policy) == Throttled(
        "429: throttled", 1.5)


def test_the_last_attempt_gives_up_a_passing_fault_with_its_reason() -> None:
    policy = RetryPolicy(max_attempts=3)

    assert isinstance(after_failure(answer(502), 1, policy), RetryLater)
    assert after_failure(answer(502), 2, policy) == GiveUp("502: retry")
    assert after_failure(answer(None, "TimeoutError"), 2, policy) == GiveUp(
        "network: TimeoutError")


def test_the_last_attempt_is_said_when_the_bot_is_refused() -> None:
    policy = RetryPolicy(max_attempts=3)

    assert after_failure(answer(403), 1, policy) == BotRefused("403: suspended", False)
    assert after_failure(answer(403), 2, policy) == BotRefused("403: suspended", True)


def test_a_429_or_a_closed_chat_does_not_depend_on_the_attempts_left() -> None:
    """A 429 is a wait, not a failure: it never uses up the message's attempts."""
    policy = RetryPolicy(max_attempts=3)

    assert isinstance(after_failure(answer(429, None, "2"), 2, policy), Throttled)
    assert isinstance(after_failure(answer(429, None, "2"), 50, policy), Throttled)
    assert after_failure(answer(403, "MessageWritesBlocked"), 2, policy) == ChatClosed(
        "403: MessageWritesBlocked")


def test_the_backoff_grows_with_the_attempts_and_keeps_to_the_policy() -> None:
    policy = RetryPolicy(backoff_base_seconds=0.1, backoff_cap_seconds=1.0, max_attempts=100)
    rng = random.Random(5)

    waits = [after_failure(answer(503), attempts, policy, rng) for attempts in range(0, 40)]

    seconds = [w.seconds for w in waits if isinstance(w, RetryLater)]
    assert len(seconds) == 40
    assert 0.05 <= seconds[0] <= 0.1
    assert 0.1 <= seconds[1] <= 0.2
    assert all(0.5 <= s <= 1.0 for s in seconds[10:])
