"""Argument types the command line shares: values read once, refused in argparse's words."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime

from bot.domain.errors import InvalidText
from bot.domain.ideas import LONDON
from bot.domain.moments import parse_moment


def uk_moment(field: str) -> Callable[[str], datetime]:
    """An option's type for a day or a moment, in UK time unless it names its offset;
    `field` names the option in the refusal."""
    def read(value: str) -> datetime:
        try:
            return parse_moment(value, field=field, zone=LONDON)
        except InvalidText as problem:
            raise argparse.ArgumentTypeError(str(problem)) from None
    return read
