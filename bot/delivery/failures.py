"""What becomes of a message the Bot Connector did not take: tried again, held, or given up.

A pure decision, from the answer and the attempts made so far; the worker carries it out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.delivery.backoff import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_CAP_SECONDS,
    MAX_ATTEMPTS,
    backoff_seconds,
)
from bot.delivery.throttling import MAX_RETRY_AFTER_SECONDS, hold_seconds
from bot.delivery.verdicts import SERVICE_URL_REFUSED, Verdict, classify
from bot.services.ports import SendResult

REFUSED_SERVICE_URL_REASON = (
    "not sent: the address's service URL is not a Bot Connector host, and the bot's token "
    "goes nowhere else")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a message is tried, and how long Teams may make it wait."""

    max_attempts: int = MAX_ATTEMPTS
    backoff_base_seconds: float = BACKOFF_BASE_SECONDS
    backoff_cap_seconds: float = BACKOFF_CAP_SECONDS
    # The longest a 429 holds a tenant, whatever its Retry-After says.
    max_retry_after_seconds: float = MAX_RETRY_AFTER_SECONDS


@dataclass(frozen=True, slots=True)
class Throttled:
    """429: hold the whole tenant for `seconds`, then try again; no attempt is counted."""

    reason: str
    seconds: float


@dataclass(frozen=True, slots=True)
class BotRefused:
    """403 for the bot itself: pause the tenant and keep the message, which counts an
    attempt; given up if this was its last."""

    reason: str
    last_attempt: bool


@dataclass(frozen=True, slots=True)
class ChatClosed:
    """The person blocked the bot or removed the app: give up, and send there no more."""

    reason: str


@dataclass(frozen=True, slots=True)
class ChatGone:
    """404: the conversation is gone (a channel deleted, the bot taken out of the team, a
    1:1 chat that could not be opened again). A person's chat is given up as unreachable; a
    team channel or group chat is paused, as a refusal pauses it."""

    reason: str


@dataclass(frozen=True, slots=True)
class RetryLater:
    """A passing fault: try again in `seconds`, counting the attempt."""

    reason: str
    seconds: float


@dataclass(frozen=True, slots=True)
class GiveUp:
    """Trying again will not help (or the attempts have run out). `unreachable`: the
    recipient cannot be reached, so no later try would."""

    reason: str
    unreachable: bool = False


Failure = Throttled | BotRefused | ChatClosed | ChatGone | RetryLater | GiveUp


def failure_reason(result: SendResult) -> str:
    """What is recorded against the message, for the operator."""
    if result.error == SERVICE_URL_REFUSED:
        return REFUSED_SERVICE_URL_REASON
    verdict = classify(result.status, result.error)
    return f"{result.status or 'network'}: {result.error or verdict.value}"


def after_failure(result: SendResult, attempts: int, policy: RetryPolicy,
                  rng: random.Random | None = None) -> Failure:
    """What to do with a message, tried `attempts` times before, that was answered `result`."""
    reason = failure_reason(result)
    last_attempt = attempts + 1 >= policy.max_attempts
    match classify(result.status, result.error):
        case Verdict.THROTTLED:
            return Throttled(reason, hold_seconds(result.retry_after,
                                                  policy.max_retry_after_seconds))
        case Verdict.SUSPENDED:
            return BotRefused(reason, last_attempt)
        case Verdict.UNREACHABLE:
            return ChatClosed(reason)
        case Verdict.RETRY if not last_attempt:
            return RetryLater(reason, backoff_seconds(
                attempts + 1, rng, base=policy.backoff_base_seconds,
                cap=policy.backoff_cap_seconds))
        case Verdict.RECREATE:
            return ChatGone(reason)
        case _:
            return GiveUp(reason)
