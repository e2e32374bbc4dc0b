"""Links to a board pack: short-lived, signed, naming the person and the portfolios they cover.

A link's token is `payload.signature`, each base64url without padding: the payload is
`v1|<object id>|<YYYY-MM>|<portfolio keys, comma-separated, or *>|<expiry, Unix seconds>`, the
signature its HMAC-SHA256 under the bot's secret. A token that is too long, malformed, signed
with another secret, altered or past its time is refused with one reason, whatever was wrong,
so that a forger learns nothing from the answer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.domain.errors import DomainError

LIFETIME = timedelta(hours=24)
MAX_TOKEN_LENGTH = 1024
_VERSION = "v1"
_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_OBJECT_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_ALL = "*"


class InvalidLink(DomainError):
    """The link is not one the bot made, was altered, or has expired."""

    def __init__(self) -> None:
        super().__init__("This link to a board pack is not valid, or has expired.")


@dataclass(frozen=True, slots=True)
class ReportGrant:
    """Who may download which pack, until when: `scope` None covers every portfolio."""

    object_id: str
    month: date
    scope: tuple[str, ...] | None
    expires_at: datetime


def grant_for(object_id: str, month: date, scope: tuple[str, ...] | None,
              now: datetime) -> ReportGrant:
    """A grant that lasts LIFETIME from `now`."""
    return ReportGrant(object_id, month, scope, now + LIFETIME)


def sign(grant: ReportGrant, secret: bytes) -> str:
    """The token of `grant` under `secret`."""
    scope = _ALL if grant.scope is None else ",".join(grant.scope)
    payload = "|".join((_VERSION, grant.object_id, f"{grant.month:%Y-%m}", scope,
                        str(int(grant.expires_at.timestamp())))).encode()
    return f"{_encode(payload)}.{_encode(_mac(payload, secret))}"


def verify(token: str, secret: bytes, now: datetime) -> ReportGrant:
    """The grant a token carries, if `secret` signed it and it has not expired; InvalidLink
    otherwise (the signature is checked before anything in the payload is read)."""
    if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise InvalidLink
    encoded, signature = token.split(".")
    try:
        payload, given = _decode(encoded), _decode(signature)
    except ValueError:
        raise InvalidLink from None
    if not hmac.compare_digest(given, _mac(payload, secret)):
        raise InvalidLink
    grant = _parse(payload)
    if grant is None or grant.expires_at <= now:
        raise InvalidLink
    return grant


def _parse(payload: bytes) -> ReportGrant | None:
    parts = payload.decode("ascii", "replace").split("|")
    if len(parts) != 5 or parts[0] != _VERSION:
        return None
    _, object_id, month, scope, expiry = parts
    found = _MONTH.fullmatch(month)
    keys = None if scope == _ALL else tuple(scope.split(","))
    if (not _OBJECT_ID.fullmatch(object_id) or found is None or not expiry.isdigit()
            or not 1 <= int(found.group(2)) <= 12
            or (keys is not None and not all(_KEY.fullmatch(key) for key in keys))):
        return None
    return ReportGrant(object_id, date(int(found.group(1)), int(found.group(2)), 1), keys,
                       datetime.fromtimestamp(int(expiry), UTC))


def _mac(payload: bytes, secret: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    if not text or not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise ValueError("not base64url") from error
