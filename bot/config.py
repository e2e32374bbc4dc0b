"""Settings, read once from the environment."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.domain.service_urls import DEFAULT_CONNECTOR_HOSTS, is_loopback_host
from bot.domain.throttling import MAX_RETRY_AFTER_SECONDS

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/iip.sqlite3"
APP_TYPES = ("SingleTenant", "MultiTenant", "UserAssignedMSI")
# Registrations that live in one tenant, whose credentials cannot be built without its id.
TENANT_BOUND_APP_TYPES = ("SingleTenant", "UserAssignedMSI")


class SettingsError(ValueError):
    """The environment describes a configuration the bot must not run with."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 3978
    app_id: str = ""
    app_password: str = ""
    app_tenant_id: str = ""
    app_type: str = "SingleTenant"
    log_level: str = "INFO"
    log_format: str = "json"
    outbox_worker: bool = True
    outbox_tenant_rate: float = 50.0
    outbox_conversation_rate: float = 7.0
    outbox_in_flight: int = 16
    # How long a claimed message stays a worker's own; after it, another worker may send it.
    outbox_lease_seconds: float = 120.0
    # The longest a 429's Retry-After may hold a tenant, whatever the connector asked for.
    outbox_max_retry_after: float = MAX_RETRY_AFTER_SECONDS
    teams_service_url: str = "https://smba.trafficmanager.net/teams/"
    # The only hosts the bot's token is sent to ("*." for any subdomain).
    connector_hosts: tuple[str, ...] = DEFAULT_CONNECTOR_HOSTS
    # Turns one person may take (messages and button presses), per process: a burst, then a
    # steady rate. Generous to anyone typing; a script flooding the PMO is refused.
    turns_per_minute: float = 30.0
    turn_burst: int = 10

    @property
    def anonymous(self) -> bool:
        """No app id: the bot neither checks nor sends tokens (local runs only)."""
        return not self.app_id

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        port_text = env.get("IIP_PORT", "3978")
        try:
            port = int(port_text)
        except ValueError:
            raise SettingsError(f"IIP_PORT must be a whole number, not {port_text!r}.") from None
        if not 0 < port < 65536:
            raise SettingsError(f"IIP_PORT must be between 1 and 65535, not {port}.")
        app_type = env.get("MICROSOFT_APP_TYPE", "SingleTenant") or "SingleTenant"
        if app_type not in APP_TYPES:
            raise SettingsError(
                f"MICROSOFT_APP_TYPE must be one of {', '.join(APP_TYPES)}, not {app_type!r}."
            )
        return cls(
            database_url=env.get("IIP_DATABASE_URL") or DEFAULT_DATABASE_URL,
            host=env.get("IIP_HOST") or "127.0.0.1",
            port=port,
            app_id=env.get("MICROSOFT_APP_ID", "").strip(),
            app_password=env.get("MICROSOFT_APP_PASSWORD", ""),
            app_tenant_id=env.get("MICROSOFT_APP_TENANT_ID", "").strip(),
            app_type=app_type,
            log_level=_log_level(env),
            log_format=env.get("IIP_LOG_FORMAT") or "json",
            outbox_worker=_flag(env, "IIP_OUTBOX_WORKER", True),
            outbox_tenant_rate=_number(env, "IIP_OUTBOX_TENANT_RATE", 50.0),
            outbox_conversation_rate=_number(env, "IIP_OUTBOX_CONVERSATION_RATE", 7.0),
            outbox_in_flight=int(_number(env, "IIP_OUTBOX_IN_FLIGHT", 16)),
            outbox_lease_seconds=_number(env, "IIP_OUTBOX_LEASE_SECONDS", 120.0),
            outbox_max_retry_after=_number(env, "IIP_OUTBOX_MAX_RETRY_AFTER",
                                           MAX_RETRY_AFTER_SECONDS),
            teams_service_url=env.get("IIP_TEAMS_SERVICE_URL")
            or "https://smba.trafficmanager.net/teams/",
            connector_hosts=_hosts(env, "IIP_CONNECTOR_HOSTS", DEFAULT_CONNECTOR_HOSTS),
            turns_per_minute=_number(env, "IIP_TURNS_PER_MINUTE", 30.0),
            turn_burst=max(1, round(_number(env, "IIP_TURN_BURST", 10))),
        )

    def check_can_serve(self, *, unauthenticated: Mapping[str, str] | None = None) -> None:
        """Refuse configurations that would expose an unauthenticated bot, or one of the
        `unauthenticated` servers started with it ({name: listening address})."""
        for name, host in (unauthenticated or {}).items():
            if not is_loopback_host(host):
                raise SettingsError(
                    f"Refusing to start {name} on {host}: it accepts requests from anyone who "
                    "can reach it, without signing in. It listens on loopback only."
                )
        if self.anonymous and not is_loopback_host(self.host):
            raise SettingsError(
                f"Refusing to listen on {self.host} without MICROSOFT_APP_ID: with no app id the "
                "bot accepts unsigned requests from anyone who can reach it. Set IIP_HOST to "
                "127.0.0.1 for local use, or configure the bot's Entra app registration."
            )
        if (not self.anonymous and self.app_type in TENANT_BOUND_APP_TYPES
                and not self.app_tenant_id):
            raise SettingsError(
                f"MICROSOFT_APP_TENANT_ID is required for a {self.app_type} bot registration."
            )
        if not self.anonymous and self.app_type != "UserAssignedMSI" and not self.app_password:
            raise SettingsError("MICROSOFT_APP_PASSWORD is required when MICROSOFT_APP_ID is set.")

    def sqlite_path(self) -> Path | None:
        """The file behind a SQLite URL, so that its folder can be made; None otherwise."""
        prefix = "sqlite+aiosqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        path = self.database_url[len(prefix) :].split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path)


def _log_level(env: Mapping[str, str]) -> str:
    level = (env.get("IIP_LOG_LEVEL") or "INFO").strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise SettingsError(
            f"IIP_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {level!r}."
        )
    return level


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be on or off, not {value!r}.")


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {value!r}.") from None
    if not math.isfinite(number) or number <= 0:
        raise SettingsError(f"{name} must be a number more than zero, not {value}.")
    return number


def _hosts(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = env.get(name, "").strip()
    if not value:
        return default
    hosts = tuple(h.strip().lower() for h in value.split(",") if h.strip())
    bad = [h for h in hosts if h in ("*", "*.") or "/" in h or ":" in h or " " in h]
    if bad or not hosts:
        raise SettingsError(
            f"{name} must list host names separated by commas (\"*.\" for any subdomain), "
            f"not {value!r}.")
    return hosts
