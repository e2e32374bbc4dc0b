"""Where the bot's token may go: the Bot Connector's own hosts, over HTTPS, and nowhere else.

A service URL comes from an inbound activity and is stored with the address; the outbox sends
to it later with the bot's token. A URL that is not one of the Bot Connector's hosts (a forged
or corrupted address) would hand that token to whoever runs it, so it is refused.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

# Microsoft's Bot Connector for Teams: the public cloud, GCC, GCC High and DoD; and the Bot
# Framework's own channels. "*." admits any subdomain (but not the bare domain).
DEFAULT_CONNECTOR_HOSTS = (
    "smba.trafficmanager.net",
    "smba.infra.gcc.teams.microsoft.com",
    "smba.infra.gov.teams.microsoft.us",
    "smba.infra.dod.teams.microsoft.us",
    "*.botframework.com",
)


def is_loopback_host(host: str) -> bool:
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class ServiceUrlPolicy:
    """Which service URLs may receive the bot's token. Loopback addresses (the Playground, a
    stand-in connector) are allowed, over plain HTTP too, when listed in `hosts` or when
    `allow_loopback` is set (a bot without an app id, which sends no token)."""

    hosts: tuple[str, ...] = DEFAULT_CONNECTOR_HOSTS
    allow_loopback: bool = False

    def refusal(self, url: str) -> str | None:
        """Why the bot's token must not be sent to `url`; None when it may."""
        if any(c.isspace() or not c.isprintable() or c == "\\" for c in url):
            return "the URL holds spaces, control characters or backslashes"
        try:
            parts = urlsplit(url)
            host, port = parts.hostname, parts.port
        except ValueError:
            return "the URL cannot be read"
        if parts.scheme not in ("https", "http") or not host:
            return "not an http(s) URL with a host"
        if "@" in parts.netloc:
            return "the URL carries credentials"
        loopback = is_loopback_host(host)
        if loopback and (self.allow_loopback or self._listed(host)):
            return None
        if not self._listed(host):
            return f"{host} is not a Bot Connector host"
        if parts.scheme != "https":
            return "the Bot Connector is only reached over HTTPS"
        if port not in (None, 443):
            return "the Bot Connector is only reached on port 443"
        return None

    def _listed(self, host: str) -> bool:
        host = host.casefold()
        for entry in self.hosts:
            entry = entry.strip().casefold()
            if entry.startswith("*."):
                if host.endswith(entry[1:]):
                    return True
            elif host == entry:
                return True
        return False
