"""Settings: read from the environment once, and refused when unsafe to serve with."""

from __future__ import annotations

import re

import pytest

from bot.config import DEFAULT_DATABASE_URL, Settings, SettingsError

REGISTERED = {
    "MICROSOFT_APP_ID": "9f3a0c55-8c52-4c35-9f0e-0d8c7a1b2c3d",
    "MICROSOFT_APP_PASSWORD": "a-secret",
    "MICROSOFT_APP_TENANT_ID": "50612dbb-0237-4969-b378-8d42590f9c00",
}


def test_defaults_from_an_empty_environment() -> None:
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert (settings.host, settings.port) == ("127.0.0.1", 3978)
    assert settings.anonymous
    settings.check_can_serve()


def test_every_variable_is_read() -> None:
    settings = Settings.from_env({
        **REGISTERED,
        "IIP_DATABASE_URL": "postgresql+asyncpg://iip@db/iip",
        "IIP_HOST": "0.0.0.0",
        "IIP_PORT": "8080",
        "MICROSOFT_APP_TYPE": "MultiTenant",
        "IIP_LOG_LEVEL": "debug",
        "IIP_LOG_FORMAT": "console",
    })
    assert settings == Settings(
        database_url="postgresql+asyncpg://iip@db/iip", host="0.0.0.0", port=8080,
        app_id=REGISTERED["MICROSOFT_APP_ID"], app_password="a-secret",
        app_tenant_id=REGISTERED["MICROSOFT_APP_TENANT_ID"], app_type="MultiTenant",
        log_level="DEBUG", log_format="console",
    )
    assert not settings.anonymous


def test_from_env_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IIP_PORT", "4000")
    monkeypatch.setenv("IIP_DATABASE_URL", "sqlite+aiosqlite:///elsewhere.sqlite3")
    settings = Settings.from_env()
    assert settings.port == 4000
    assert settings.database_url == "sqlite+aiosqlite:///elsewhere.sqlite3"


@pytest.mark.parametrize("port", ["abc", "", "39.78", "0x10"])
def test_a_port_that_is_not_a_whole_number_is_refused(port: str) -> None:
    expected = re.escape(f"IIP_PORT must be a whole number, not {port!r}")
    with pytest.raises(SettingsError, match=expected):
        Settings.from_env({"IIP_PORT": port})


@pytest.mark.parametrize("port", ["0", "-1", "65536", "100000"])
def test_a_port_out_of_range_is_refused(port: str) -> None:
    with pytest.raises(SettingsError, match="IIP_PORT must be between 1 and 65535"):
        Settings.from_env({"IIP_PORT": port})


def test_the_longest_retry_after_is_a_setting() -> None:
    assert Settings.from_env({}).outbox_max_retry_after == 300.0
    assert Settings.from_env({"IIP_OUTBOX_MAX_RETRY_AFTER": "60"}).outbox_max_retry_after == 60.0


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "0", "-5"])
def test_a_number_setting_must_be_finite_and_positive(value: str) -> None:
    with pytest.raises(SettingsError, match="IIP_OUTBOX_MAX_RETRY_AFTER must be a number more"):
        Settings.from_env({"IIP_OUTBOX_MAX_RETRY_AFTER": value})


def test_the_hosts_the_token_may_go_to_are_a_setting() -> None:
    assert "smba.trafficmanager.net" in Settings.from_env({}).connector_hosts
    settings = Settings.from_env({"IIP_CONNECTOR_HOSTS": " Connector.Example , *.proxy.example,"})
    assert settings.connector_hosts == ("connector.example", "*.proxy.example")


@pytest.mark.parametrize("value", ["*", "https://smba.trafficmanager.net/", "a b", ",", "*."])
def test_connector_hosts_must_be_host_names(value: str) -> None:
    with pytest.raises(SettingsError, match="IIP_CONNECTOR_HOSTS must list host names"):
        Settings.from_env({"IIP_CONNECTOR_HOSTS": value})


def test_an_unknown_app_type_is_refused() -> None:
    with pytest.raises(SettingsError, match="MICROSOFT_APP_TYPE must be one of"):
        Settings.from_env({"MICROSOFT_APP_TYPE": "Anonymous"})


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_an_anonymous_bot_may_listen_on_loopback(host: str) -> None:
    Settings.from_env({"IIP_HOST": host}).check_can_serve()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "iip.example.police.uk"])
def test_an_anonymous_bot_refuses_to_listen_beyond_loopback(host: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"IIP_HOST": host}).check_can_serve()
    message = str(raised.value)
    assert f"Refusing to listen on {host} without MICROSOFT_APP_ID" in message
    assert "accepts unsigned requests from anyone" in message
    assert "127.0.0.1" in message


def test_a_blank_app_id_is_still_anonymous() -> None:
    settings = Settings.from_env({"MICROSOFT_APP_ID": "   ", "IIP_HOST": "0.0.0.0"})
    assert settings.anonymous
    with pytest.raises(SettingsError, match=re.escape("Refusing to listen on 0.0.0.0")):
        settings.check_can_serve()


def test_a_registered_bot_may_listen_anywhere() -> None:
    Settings.from_env({**REGISTERED, "IIP_HOST": "0.0.0.0"}).check_can_serve()


def test_a_single_tenant_bot_needs_its_tenant_id() -> None:
    env = {**REGISTERED, "MICROSOFT_APP_TENANT_ID": " ", "IIP_HOST": "0.0.0.0"}
    with pytest.raises(SettingsError, match="MICROSOFT_APP_TENANT_ID is required"):
        Settings.from_env(env).check_can_serve()
    Settings.from_env({**env, "MICROSOFT_APP_TYPE": "MultiTenant"}).check_can_serve()


def test_a_registered_bot_needs_its_password() -> None:
    env = {**REGISTERED, "MICROSOFT_APP_PASSWORD": ""}
    with pytest.raises(SettingsError, match="MICROSOFT_APP_PASSWORD is required"):
        Settings.from_env(env).check_can_serve()
    with pytest.raises(SettingsError, match="MICROSOFT_APP_PASSWORD is required"):
        Settings.from_env({**env, "MICROSOFT_APP_TYPE": "MultiTenant"}).check_can_serve()


def test_a_managed_identity_needs_no_password() -> None:
    env = {**REGISTERED, "MICROSOFT_APP_PASSWORD": "", "MICROSOFT_APP_TYPE": "UserAssignedMSI"}
    Settings.from_env(env).check_can_serve()


def test_a_managed_identity_needs_its_tenant_id() -> None:
    """The SDK cannot build a managed identity's credentials without it: say so at start-up."""
    env = {**REGISTERED, "MICROSOFT_APP_PASSWORD": "", "MICROSOFT_APP_TYPE": "UserAssignedMSI",
           "MICROSOFT_APP_TENANT_ID": ""}
    with pytest.raises(SettingsError, match="MICROSOFT_APP_TENANT_ID is required"):
        Settings.from_env(env).check_can_serve()


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite+aiosqlite:///var/iip.sqlite3", "var/iip.sqlite3"),
        ("sqlite+aiosqlite:////srv/iip/iip.sqlite3?timeout=5", "/srv/iip/iip.sqlite3"),
        ("sqlite+aiosqlite:///:memory:", None),
        ("postgresql+asyncpg://iip@db/iip", None),
    ],
)
def test_sqlite_path(url: str, path: str | None) -> None:
    found = Settings(database_url=url).sqlite_path()
    assert (str(found) if found else None) == path


def test_the_turn_limit_is_generous_by_default_and_can_be_set() -> None:
    assert (Settings().turns_per_minute, Settings().turn_burst) == (30.0, 10)
    settings = Settings.from_env({"IIP_TURNS_PER_MINUTE": "60", "IIP_TURN_BURST": "20"})
    assert (settings.turns_per_minute, settings.turn_burst) == (60.0, 20)
    with pytest.raises(SettingsError, match="IIP_TURN_BURST must be a number more than zero"):
        Settings.from_env({"IIP_TURN_BURST": "0"})


@pytest.mark.parametrize(("given", "sends_at_once"), [("0.5", 1), ("2.5", 2), ("16", 16)])
def test_the_outbox_always_sends_at_least_one_message_at_a_time(given: str,
                                                                sends_at_once: int) -> None:
    settings = Settings.from_env({"IIP_OUTBOX_IN_FLIGHT": given})
    assert settings.outbox_in_flight == sends_at_once


def test_a_server_started_beside_the_bot_without_sign_in_must_listen_on_loopback() -> None:
    """`iip dev` starts the Playground too, which drives the bot as the demo's PMO member:
    even beside a registered bot, it must not be reachable from the network."""
    registered = Settings.from_env({**REGISTERED, "IIP_HOST": "0.0.0.0"})
    registered.check_can_serve(unauthenticated={"the Teams Playground": "127.0.0.1"})

    with pytest.raises(SettingsError) as refused:
        registered.check_can_serve(unauthenticated={"the Teams Playground": "0.0.0.0"})

    assert "Refusing to start the Teams Playground on 0.0.0.0" in str(refused.value)



def test_settings_made_in_code_are_what_they_are_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only from_env reads the environment: a test's or a tool's Settings(...) is not changed
    by whatever the shell it runs in has set."""
    monkeypatch.setenv("IIP_PORT", "4000")
    monkeypatch.setenv("MICROSOFT_APP_ID", REGISTERED["MICROSOFT_APP_ID"])
    assert Settings(host="::1") == Settings.from_env({"IIP_HOST": "::1"})
    assert Settings().port == 3978 and Settings().anonymous


@pytest.mark.parametrize("name", [
    "IIP_DATABASE_URL", "IIP_HOST", "MICROSOFT_APP_TYPE", "IIP_LOG_LEVEL", "IIP_OUTBOX_WORKER",
    "IIP_OUTBOX_TENANT_RATE", "IIP_OUTBOX_IN_FLIGHT", "IIP_CONNECTOR_HOSTS", "IIP_TURN_BURST",
])
@pytest.mark.parametrize("blank", ["", "  "])
def test_a_variable_set_to_nothing_leaves_its_setting_at_the_default(name: str,
                                                                      blank: str) -> None:
    assert Settings.from_env({name: blank}) == Settings()


def test_the_password_is_kept_out_of_the_settings_printed() -> None:
    settings = Settings.from_env({**REGISTERED, "MICROSOFT_APP_PASSWORD": "hunter2-secret"})
    assert settings.app_password == "hunter2-secret"
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings)


def test_the_metrics_token_is_read_and_kept_out_of_the_settings_printed() -> None:
    settings = Settings.from_env({"IIP_METRICS_TOKEN": "scrape-hunter2",
                                  "IIP_REPORT_SECRET": "pack-hunter2"})
    assert settings.metrics_token == "scrape-hunter2"
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings)
    assert set(settings.secrets) == {"scrape-hunter2", "pack-hunter2"}  # blanked out of logs


def test_the_settings_cannot_be_changed_once_read() -> None:
    settings = Settings.from_env({})
    with pytest.raises((AttributeError, ValueError)):  # whichever the model raises
        settings.port = 80  # type: ignore[misc]


def test_the_retention_periods_are_read_as_whole_days_and_months() -> None:
    defaults = Settings.from_env({})
    assert (defaults.retain_drafts_days, defaults.retain_sent_days, defaults.retain_outbox_days,
            defaults.retain_feedback_months, defaults.retain_job_marks_days,
            defaults.outbox_pause_give_up_days) == (90, 30, 400, 24, 90, 14)

    settings = Settings.from_env({"IIP_RETAIN_DRAFTS_DAYS": "60", "IIP_RETAIN_SENT_DAYS": "7",
                                  "IIP_RETAIN_OUTBOX_DAYS": "800",
                                  "IIP_RETAIN_FEEDBACK_MONTHS": "12",
                                  "IIP_RETAIN_JOB_MARKS_DAYS": "30",
                                  "IIP_OUTBOX_PAUSE_GIVE_UP_DAYS": "3"})
    assert (settings.retain_drafts_days, settings.retain_sent_days,
            settings.retain_outbox_days, settings.retain_feedback_months,
            settings.retain_job_marks_days, settings.outbox_pause_give_up_days) == (
                60, 7, 800, 12, 30, 3)


@pytest.mark.parametrize("value", ["0", "-3", "soon", "inf"])
def test_a_retention_period_that_is_no_period_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="IIP_RETAIN_SENT_DAYS"):
        Settings.from_env({"IIP_RETAIN_SENT_DAYS": value})
