"""The demo organisation file and small variations of it, for organisation tests."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from bot.domain.organisation import Organisation, parse_organisation

DEMO_FILE = Path(__file__).parents[2] / "bot" / "demo" / "organisation.toml"

# The Teams Playground's mock users, as the demo file names them.
ALEX = "00000000-0000-0000-0000-0000000000020"
MEGAN = "00000000-0000-0000-0000-0000000000021"
ADELE = "00000000-0000-0000-0000-0000000000022"
ISAIAH = "00000000-0000-0000-0000-0000000000023"


def demo_data() -> dict[str, Any]:
    """The demo file, decoded: a fresh copy that a test may change freely."""
    return copy.deepcopy(tomllib.loads(DEMO_FILE.read_text(encoding="utf-8")))


def demo_organisation() -> Organisation:
    return parse_organisation(demo_data())


def organisation_from(data: dict[str, Any]) -> Organisation:
    return parse_organisation(data)
