"""The Teams app package: manifest.json and the two icons, in one zip.

The manifest is built here from a dict rather than filled in from a template: the only
values that vary between deployments are the Teams app id, the bot's app id, the version
and the developer details, and each is checked before it is written.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from bot.domain.commands import Command

MANIFEST_VERSION = "1.30"
SCHEMA_URL = (
    f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/"
    "MicrosoftTeams.schema.json"
)
DEFAULT_VERSION = "1.0.0"
ACCENT_COLOUR = "#1B3A6B"
COLOUR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
ICONS = (COLOUR_ICON, OUTLINE_ICON)

# What a person can pick from the command menu in a 1:1 chat. Each title is the word the
# bot itself understands (bot.domain.commands), so the menu cannot offer a dead command.
PERSONAL_COMMANDS: tuple[tuple[Command, str], ...] = (
    (Command.HELP, "How it works, what makes a good suggestion, and how to reach the PMO"),
    (Command.NEW_IDEA, "Suggest an improvement, step by step"),
    (Command.MY_IDEAS, "The ideas you have submitted and where they are"),
    (Command.SEARCH, "Earlier ideas and what became of them: search custody handovers"),
    (Command.STATUS, "One idea's story so far: status IIP-2026-0042"),
    (Command.WITHDRAW, "Withdraw an idea not yet decided: withdraw IIP-2026-0042"),
    (Command.MY_PROFILE, "See or change your optional answers about you"),
    (Command.MY_QUEUE, "Business leads: ideas awaiting your assessment"),
    (Command.TRIAGE, "PMO: new ideas awaiting triage"),
    (Command.FEEDBACK, "Tell us how the bot could be better"),
    (Command.PMO, "PMO: triage, campaigns, deferred ideas and the digest in one place"),
)

# The menu in a team channel: only what is answered where everyone reads it (the rest is
# private: see bot/channel/privacy.py).
TEAM_COMMANDS: tuple[tuple[Command, str], ...] = (
    (Command.HELP, "How it works; ideas are submitted in a 1:1 chat with the bot"),
    (Command.FEEDBACK, "Tell us how the bot could be better"),
)

SHORT_NAME = "IIP"
FULL_NAME = "Improvement and Innovation Portal"
SHORT_DESCRIPTION = "Suggest a better way of working, and hear back on what happens to it."
FULL_DESCRIPTION = (
    "The Improvement and Innovation Portal lets anyone in the force suggest a way to do "
    "things better: a new approach, or an improvement to a process or system you use. "
    "Chat with the bot to send your idea. It goes to the team that owns that area, and you "
    "hear back within two months, whatever the decision. Business leads and the portfolio "
    "management office review ideas from cards in Teams, and delivered improvements are "
    "celebrated in the news channel. Type help in the chat at any time to see how it works."
)

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_DEVELOPER_NAME_MAX = 32
# A fixed timestamp for every zip entry, so the same inputs give a byte-identical package.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class PackageError(ValueError):
    """The package cannot be built from the values given."""


@dataclass(frozen=True, slots=True)
class Developer:
    """Who publishes the app, as Teams shows it on the app's details page.

    The defaults are placeholders on a reserved domain; a real deployment passes the
    force's own name and pages.
    """

    name: str = "Example Police Force"
    website_url: str = "https://iip.example.org/"
    privacy_url: str = "https://iip.example.org/privacy"
    terms_url: str = "https://iip.example.org/terms"

    @property
    def placeholders(self) -> list[str]:
        """The fields still holding their placeholder value."""
        default = Developer()
        return [f.name for f in fields(self) if getattr(self, f.name) == getattr(default, f.name)]


def check_guid(value: str, what: str) -> str:
    """`value` stripped, or PackageError if it is missing or not a GUID."""
    value = (value or "").strip()
    if not value:
        raise PackageError(f"{what} is missing; it must be a GUID like "
                           "00000000-0000-0000-0000-000000000000.")
    if not _GUID.match(value):
        raise PackageError(f"{what} {value!r} is not a GUID; it must look like "
                           "00000000-0000-0000-0000-000000000000.")
    return value


def build_manifest(
    app_id: str,
    bot_id: str,
    version: str = DEFAULT_VERSION,
    developer: Developer | None = None,
) -> dict[str, Any]:
    """The manifest.json content for this app; PackageError if any value is unusable."""
    developer = developer or Developer()
    app_id = check_guid(app_id, "The Teams app id")
    bot_id = check_guid(bot_id, "The bot id")
    if not _VERSION.match(version or ""):
        raise PackageError(f"The version {version!r} must be three numbers, like 1.0.0.")
    _check_developer(developer)
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": developer.name.strip(),
            "websiteUrl": developer.website_url,
            "privacyUrl": developer.privacy_url,
            "termsOfUseUrl": developer.terms_url,
        },
        "name": {"short": SHORT_NAME, "full": FULL_NAME},
        "description": {"short": SHORT_DESCRIPTION, "full": FULL_DESCRIPTION},
        "icons": {"color": COLOUR_ICON, "outline": OUTLINE_ICON},
        "accentColor": ACCENT_COLOUR,
        "bots": [
            {
                "botId": bot_id,
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": [scope],
                        "commands": [
                            {"title": command.value, "description": description}
                            for command, description in commands
                        ],
                    }
                    for scope, commands in (("personal", PERSONAL_COMMANDS),
                                            ("team", TEAM_COMMANDS))
                ],
            }
        ],
        "defaultInstallScope": "personal",
        "validDomains": [],
    }


def icon_bytes(name: str) -> bytes:
    """One of the icons shipped in this package."""
    if name not in ICONS:
        raise PackageError(f"There is no icon called {name!r}.")
    return resources.files("manifest").joinpath(name).read_bytes()


def write_package(path: Path, manifest: dict[str, Any]) -> Path:
    """Write the app package zip: manifest.json, color.png and outline.png at its root."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = {"manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
               .encode("utf-8")}
    entries.update({name: icon_bytes(name) for name in ICONS})
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return path


def _check_developer(developer: Developer) -> None:
    name = developer.name.strip()
    if not name or len(name) > _DEVELOPER_NAME_MAX:
        raise PackageError(f"The developer name must be 1 to {_DEVELOPER_NAME_MAX} characters, "
                           f"not {developer.name!r}.")
    for label, url in (("website", developer.website_url), ("privacy", developer.privacy_url),
                       ("terms of use", developer.terms_url)):
        if not re.match(r"^https://[^\s/]+", url or ""):
            raise PackageError(f"The developer {label} URL must start with https://, "
                               f"not {url!r}.")
