"""The bot's token goes to the Bot Connector's hosts over HTTPS, and to nothing else."""

from __future__ import annotations

import pytest

from bot.domain.service_urls import ServiceUrlPolicy

DEFAULTS = ServiceUrlPolicy()


@pytest.mark.parametrize("url", [
    "https://smba.trafficmanager.net/teams/v3/conversations/a%3A1/activities",
    "https://smba.trafficmanager.net/emea/",
    "https://SMBA.TrafficManager.net/amer/",
    "https://smba.trafficmanager.net:443/teams/",
    "https://smba.infra.gcc.teams.microsoft.com/teams/",
    "https://smba.infra.gov.teams.microsoft.us/teams",
    "https://smba.infra.dod.teams.microsoft.us/teams",
    "https://webchat.botframework.com/",
    "https://europe.directline.botframework.com/v3/",
])
def test_microsofts_connector_hosts_are_allowed_by_default(url: str) -> None:
    assert DEFAULTS.refusal(url) is None


@pytest.mark.parametrize("url", [
    "http://smba.trafficmanager.net/teams/",  # the token in clear
    "https://smba.trafficmanager.net:8443/teams/",
    "https://smba.trafficmanager.net.evil.example/teams/",
    "https://evil.example/smba.trafficmanager.net/",
    "https://evil.example/?https://smba.trafficmanager.net/",
    "https://user:pass@smba.trafficmanager.net/teams/",
    "https://evil.example@smba.trafficmanager.net/teams/",
    "https://smba.trafficmanager.net@evil.example/teams/",
    "https://evil.example\\@smba.trafficmanager.net/",
    "https://smba.trafficmanager.net\t.evil.example/",
    "https://smba.trafficmanager.net./teams/",
    "https://botframework.com/",  # "*." is subdomains only
    "https://evilbotframework.com/",
    "https://botframework.com.evil.example/",
    "ftp://smba.trafficmanager.net/",
    "//smba.trafficmanager.net/teams/",
    "smba.trafficmanager.net/teams/",
    "https:///teams/",
    "https://[::1/",
    "",
    "http://127.0.0.1:3978/",  # loopback: only for a bot with no token, or when listed
    "http://localhost:56150/_connector",
    "http://[::1]:8080/",
    "https://10.0.0.5/",
    "https://169.254.169.254/latest/meta-data/",
])
def test_anything_else_is_refused_with_a_reason(url: str) -> None:
    assert DEFAULTS.refusal(url)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:3978/", "http://localhost:56150/_connector", "http://[::1]:8080/",
    "https://127.0.0.2/",
])
def test_loopback_is_allowed_to_a_bot_that_sends_no_token(url: str) -> None:
    assert ServiceUrlPolicy(allow_loopback=True).refusal(url) is None


def test_the_loopback_allowance_is_loopback_only() -> None:
    policy = ServiceUrlPolicy(allow_loopback=True)
    assert policy.refusal("http://10.0.0.5:3978/")
    assert policy.refusal("http://smba.trafficmanager.net/teams/")


def test_the_hosts_are_a_setting() -> None:
    policy = ServiceUrlPolicy(hosts=("connector.example.police.uk", "*.proxy.example"))
    assert policy.refusal("https://connector.example.police.uk/teams/") is None
    assert policy.refusal("https://eu.proxy.example/") is None
    assert policy.refusal("https://smba.trafficmanager.net/teams/")
    assert policy.refusal("http://connector.example.police.uk/teams/")
    # A loopback host that is listed may be reached over plain HTTP (a stand-in, a local proxy).
    assert ServiceUrlPolicy(hosts=("127.0.0.1",)).refusal("http://127.0.0.1:9000/") is None
    assert ServiceUrlPolicy(hosts=("127.0.0.1",)).refusal("http://localhost:9000/")

