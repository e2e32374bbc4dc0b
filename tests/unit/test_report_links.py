"""Links to board packs: only the bot's own, unaltered and within 24 hours, are honoured, and
every refusal says the same thing."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.report_links import (
    MAX_TOKEN_LENGTH,
    InvalidLink,
    grant_for,
    sign,
    verify,
)

SECRET = b"k" * 32
NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
SPOC = "00000000-0000-0000-0000-0000000000021"


def token(scope: tuple[str, ...] | None = ("crime-and-justice",)) -> str:
    return sign(grant_for(SPOC, date(2026, 11, 1), scope, NOW), SECRET)


def test_a_link_carries_its_person_month_and_scope_for_24_hours():
    grant = verify(token(), SECRET, NOW + timedelta(hours=23, minutes=59))

    assert (grant.object_id, grant.month, grant.scope) == (
        SPOC, date(2026, 11, 1), ("crime-and-justice",))
    assert verify(token(None), SECRET, NOW).scope is None
    with pytest.raises(InvalidLink):
        verify(token(), SECRET, NOW + timedelta(hours=24))


def test_another_secret_or_any_change_is_refused():
    good = token()
    payload, signature = good.split(".")
    widened = base64.urlsafe_b64encode(
        base64.urlsafe_b64decode(payload + "==").replace(b"crime-and-justice", b"*")
    ).rstrip(b"=").decode()
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for forged in (f"{widened}.{signature}", f"{payload}.{flipped}", f"{payload}.",
                   f".{signature}", payload, f"{payload}.{signature}.x", "", "%%%.%%%",
                   "a" * (MAX_TOKEN_LENGTH + 1), f"{payload}=.{signature}"):
        with pytest.raises(InvalidLink) as refused:
            verify(forged, SECRET, NOW)
        assert str(refused.value) == "This link to a board pack is not valid, or has expired."
    with pytest.raises(InvalidLink):
        verify(good, b"another secret", NOW)


def test_a_signed_payload_that_is_not_a_grant_is_refused_too():
    """Signed with the bot's secret, so only a leaked secret could make one: still refused."""
    import hashlib
    import hmac

    def signed(payload: bytes) -> str:
        def encode(raw: bytes) -> str:
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        return f"{encode(payload)}.{encode(hmac.new(SECRET, payload, hashlib.sha256).digest())}"

    for payload in (b"v2|a|2026-11|*|9999999999", b"v1|a|2026-13|*|9999999999",
                    b"v1|a|2026-11|Bad Key|9999999999", b"v1|a b|2026-11|*|9999999999",
                    b"v1|a|2026-11|*|soon", b"v1|a|2026-11|*"):
        with pytest.raises(InvalidLink):
            verify(signed(payload), SECRET, NOW)
    assert verify(signed(b"v1|a|2026-11|*|9999999999"), SECRET, NOW).object_id == "a"
