"""Settings, read once from the environment."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError
from pydantic_core import ErrorDetails, PydanticUseDefault
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.delivery.throttling import MAX_RETRY_AFTER_SECONDS
from bot.domain.breakers import GIVE_UP_AFTER
from bot.domain.classification import checked_marking
from bot.domain.retention import (
    DRAFTS_DAYS,
    FEEDBACK_MONTHS,
    JOB_MARKS_DAYS,
    OUTBOX_ROWS_DAYS,
    SENT_DAYS,
)
from bot.domain.service_urls import DEFAULT_CONNECTOR_HOSTS, is_loopback_host

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/iip.sqlite3"
APP_TYPES = ("SingleTenant", "MultiTenant", "UserAssignedMSI")
# Registrations that live in one tenant, whose credentials cannot be built without its id.
TENANT_BOUND_APP_TYPES = ("SingleTenant", "UserAssignedMSI")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """The environment describes a configuration the bot must not run with."""


def _blank_is_default(value: Any) -> Any:
    """A variable set to nothing (or only spaces) leaves the setting at its default."""
    if isinstance(value, str) and not value.strip():
        raise PydanticUseDefault()
    return value


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _port(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        port = int(value)
    except ValueError:
        raise ValueError(f"must be a whole number, not {value!r}.") from None
    if not 0 < port < 65536:
        raise ValueError(f"must be between 1 and 65535, not {port}.")
    return port


def _one_of(choices: tuple[str, ...], wording: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(f"must be {wording}, not {value!r}.")
        return value

    return AfterValidator(check)


def _positive_number(value: Any) -> float:
    """A finite number more than zero, from its text or as given."""
    text = value.strip() if isinstance(value, str) else value
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"must be a number, not {text!r}.") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"must be a number more than zero, not {text}.")
    return number


def _flag(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    word = value.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"must be on or off, not {word!r}.")


def _hosts(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    hosts = tuple(h.strip().lower() for h in value.split(",") if h.strip())
    bad = [h for h in hosts if h in ("*", "*.") or "/" in h or ":" in h or " " in h]
    if bad or not hosts:
        raise ValueError("must list host names separated by commas (\"*.\" for any subdomain), "
                         f"not {value!r}.")
    return hosts


def _time_of_day(value: Any) -> Any:
    """A time of day written as people here write it in settings: 08:00, 20:30."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    hours, colon, minutes = text.partition(":")
    if (colon and hours.isdigit() and minutes.isdigit() and len(minutes) == 2
            and int(hours) < 24 and int(minutes) < 60):
        return time(int(hours), int(minutes))
    raise ValueError(f"must be a time of day written like 08:00, not {text!r}.")


def _quiet_hours(value: Any) -> Any:
    """From-to, such as 20:00-07:00 (across midnight), or off."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.lower() == "off":
        return None
    start, dash, end = text.partition("-")
    try:
        if not dash:
            raise ValueError
        return (_time_of_day(start), _time_of_day(end))
    except ValueError:
        raise ValueError("must be two times of day, from and to, written like 20:00-07:00 "
                         f"(or off), not {text!r}.") from None


def _marking(value: str) -> str:
    """A classification marking, or "" (none) for a blank one."""
    text = value.strip()
    return checked_marking(text) if text else ""


Text = Annotated[str, BeforeValidator(_blank_is_default)]
Positive = Annotated[float, BeforeValidator(_positive_number),
                     BeforeValidator(_blank_is_default)]
# A whole number of days or months, at least one.
Whole = Annotated[int, BeforeValidator(lambda n: max(1, round(_positive_number(n)))),
                  BeforeValidator(_blank_is_default)]


def _read_from(name: str) -> Any:
    """The environment variable a setting is read from."""
    return Field(validation_alias=name)


class Settings(BaseSettings):
    """What the bot runs with. `Settings(...)` is exactly what it is given; `from_env` reads
    the environment (IIP_*, and the Bot Framework's own MICROSOFT_APP_* names)."""

    model_config = SettingsConfigDict(frozen=True, validate_by_name=True, case_sensitive=True,
                                      extra="forbid")

    database_url: Annotated[Text, _read_from("IIP_DATABASE_URL")] = DEFAULT_DATABASE_URL
    host: Annotated[Text, _read_from("IIP_HOST")] = "127.0.0.1"
    port: Annotated[int, BeforeValidator(_port), _read_from("IIP_PORT")] = 3978
    app_id: Annotated[str, BeforeValidator(_stripped), _read_from("MICROSOFT_APP_ID")] = ""
    app_password: Annotated[str, _read_from("MICROSOFT_APP_PASSWORD"), Field(repr=False)] = ""
    app_tenant_id: Annotated[str, BeforeValidator(_stripped),
                             _read_from("MICROSOFT_APP_TENANT_ID")] = ""
    app_type: Annotated[str, _one_of(APP_TYPES, f"one of {', '.join(APP_TYPES)}"),
                        BeforeValidator(_blank_is_default),
                        _read_from("MICROSOFT_APP_TYPE")] = "SingleTenant"
    log_level: Annotated[str, _one_of(LOG_LEVELS, "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
                         BeforeValidator(lambda level: _blank_is_default(level).strip().upper()),
                         _read_from("IIP_LOG_LEVEL")] = "INFO"
    log_format: Annotated[Text, _read_from("IIP_LOG_FORMAT")] = "json"
    outbox_worker: Annotated[bool, BeforeValidator(_flag), BeforeValidator(_blank_is_default),
                             _read_from("IIP_OUTBOX_WORKER")] = True
    outbox_tenant_rate: Annotated[Positive, _read_from("IIP_OUTBOX_TENANT_RATE")] = 50.0
    outbox_conversation_rate: Annotated[Positive,
                                        _read_from("IIP_OUTBOX_CONVERSATION_RATE")] = 7.0
    # A whole number, though any number more than zero is taken (2.5 is 2, and 0.5 is 1: none
    # at a time would never send anything).
    outbox_in_flight: Annotated[int, BeforeValidator(lambda n: max(1, int(_positive_number(n)))),
                                BeforeValidator(_blank_is_default),
                                _read_from("IIP_OUTBOX_IN_FLIGHT")] = 16
    # How long a claimed message stays a worker's own; after it, another worker may send it.
    outbox_lease_seconds: Annotated[Positive, _read_from("IIP_OUTBOX_LEASE_SECONDS")] = 120.0
    # The longest a 429's Retry-After may hold a tenant, whatever the connector asked for.
    outbox_max_retry_after: Annotated[Positive, _read_from("IIP_OUTBOX_MAX_RETRY_AFTER")] = (
        MAX_RETRY_AFTER_SECONDS)
    # A team channel or group chat still refusing the bot this many days after it was paused
    # is given up: its waiting messages die, and the PMO is told.
    outbox_pause_give_up_days: Annotated[Whole, _read_from("IIP_OUTBOX_PAUSE_GIVE_UP_DAYS")] = (
        GIVE_UP_AFTER.days)
    teams_service_url: Annotated[Text, _read_from("IIP_TEAMS_SERVICE_URL")] = (
        "https://smba.trafficmanager.net/teams/")
    # The only hosts the bot's token is sent to ("*." for any subdomain).
    connector_hosts: Annotated[tuple[str, ...], NoDecode, BeforeValidator(_hosts),
                               BeforeValidator(_blank_is_default),
                               _read_from("IIP_CONNECTOR_HOSTS")] = DEFAULT_CONNECTOR_HOSTS
    # Turns one person may take (messages and button presses), per process: a burst, then a
    # steady rate. Generous to anyone typing; a script flooding the PMO is refused.
    turns_per_minute: Annotated[Positive, _read_from("IIP_TURNS_PER_MINUTE")] = 30.0
    turn_burst: Annotated[int, BeforeValidator(lambda n: max(1, round(_positive_number(n)))),
                          BeforeValidator(_blank_is_default), _read_from("IIP_TURN_BURST")] = 10

    # Similar ideas ranked with the sentence model blended with characters (on), or by
    # characters alone (off: less memory and a quicker start, and recall@3 lower; the
    # README gives both). Without the model installed, characters alone rank either way.
    similar_model: Annotated[bool, BeforeValidator(_flag), BeforeValidator(_blank_is_default),
                             _read_from("IIP_SIMILAR_MODEL")] = True
    # How long the submission's problem turn waits for similar ideas, in seconds, before it
    # asks the next question without them (the search still finishes, unseen).
    suggestions_wait: Annotated[Positive, _read_from("IIP_SUGGESTIONS_WAIT")] = 0.1
    # The scheduler (reminders, digests): on beside the outbox worker in `iip serve`, or off
    # where `iip jobs run-due` runs from cron instead.
    jobs: Annotated[bool, BeforeValidator(_flag), BeforeValidator(_blank_is_default),
                    _read_from("IIP_JOBS")] = True
    # When the PMO's digest goes out on working days, UK time.
    pmo_digest_at: Annotated[time, BeforeValidator(_time_of_day),
                             BeforeValidator(_blank_is_default),
                             _read_from("IIP_PMO_DIGEST_AT")] = time(8, 0)
    # Reminders wait out these hours, UK time (from, to), and weekends unless turned off.
    quiet_hours: Annotated[tuple[time, time] | None, NoDecode, BeforeValidator(_quiet_hours),
                           BeforeValidator(_blank_is_default),
                           _read_from("IIP_QUIET_HOURS")] = (time(20, 0), time(7, 0))
    quiet_weekends: Annotated[bool, BeforeValidator(_flag), BeforeValidator(_blank_is_default),
                              _read_from("IIP_QUIET_WEEKENDS")] = True
    # Signs the links to board packs (`report`); empty: a random secret made at each start, so
    # links last until the process restarts and each replica honours only its own.
    report_secret: Annotated[str, _read_from("IIP_REPORT_SECRET"), Field(repr=False)] = ""
    # When set, GET /metrics answers only a request that carries it as a bearer token; unset,
    # anyone who can reach the bot may read its counts (no names, ids or text are in them).
    metrics_token: Annotated[str, _read_from("IIP_METRICS_TOKEN"), Field(repr=False)] = ""
    # Where people reach the bot from Teams (the links to board packs); empty: the address it
    # listens on (http://IIP_HOST:IIP_PORT), which serves only local use.
    public_url: Annotated[str, BeforeValidator(_stripped), _read_from("IIP_PUBLIC_URL")] = ""
    # Retention (bot.domain.retention), run daily by the scheduler and by `iip retention run`:
    # drafts and conversation state unchanged this many days are purged; sent messages lose
    # their card after this many days (staff cards of open ideas excepted), and finished
    # outbox rows go altogether after the longer period; feedback after this many months.
    retain_drafts_days: Annotated[Whole, _read_from("IIP_RETAIN_DRAFTS_DAYS")] = DRAFTS_DAYS
    retain_sent_days: Annotated[Whole, _read_from("IIP_RETAIN_SENT_DAYS")] = SENT_DAYS
    retain_outbox_days: Annotated[Whole, _read_from("IIP_RETAIN_OUTBOX_DAYS")] = (
        OUTBOX_ROWS_DAYS)
    retain_feedback_months: Annotated[Whole, _read_from("IIP_RETAIN_FEEDBACK_MONTHS")] = (
        FEEDBACK_MONTHS)
    # The scheduler's marks older than this many days go, but the latest of each job and idea.
    retain_job_marks_days: Annotated[Whole, _read_from("IIP_RETAIN_JOB_MARKS_DAYS")] = (
        JOB_MARKS_DAYS)
    # The classification marking (OFFICIAL, OFFICIAL-SENSITIVE...) put at the top and foot of
    # every card as it is sent, and before its notification text; empty: no marking.
    classification: Annotated[str, AfterValidator(_marking),
                              _read_from("IIP_CLASSIFICATION")] = ""

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        **_others: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what the constructor is given: the environment is read by `from_env`."""
        return (init_settings,)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings `env` describes (the process's environment by default)."""
        found = _Environment(cls, os.environ if env is None else env)()
        try:
            return cls(**found)
        except ValidationError as error:
            raise SettingsError(_explain(error.errors()[0])) from None

    @property
    def public_base_url(self) -> str:
        """The bot's address as Teams users reach it, without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def secrets(self) -> tuple[str, ...]:
        """What no log line may carry: the app password and the bot's own secrets."""
        return tuple(s for s in (self.app_password, self.report_secret, self.metrics_token)
                     if s)

    @property
    def anonymous(self) -> bool:
        """No app id: the bot neither checks nor sends tokens (local runs only)."""
        return not self.app_id

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


class _Environment(EnvSettingsSource):
    """The settings' variables as `env` has them (pydantic-settings reads os.environ only)."""

    def __init__(self, settings: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._env = env
        super().__init__(settings)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return dict(self._env)


def _explain(error: ErrorDetails) -> str:
    """'<VARIABLE> must be ..., not ...': the variable and what is wrong with it. A value is
    quoted only where it was refused for its form, and no secret has a form to refuse."""
    name = error["loc"][0]
    context = error.get("ctx") or {}
    if "error" in context:  # the ValueError of a check above
        return f"{name} {context['error']}"
    return f"{name} is not valid: {error['msg']}."
