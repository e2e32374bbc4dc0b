"""The scheduler's settings: on or off, the digest's time, the quiet hours; each refused with
the variable's name and what it must be."""

from __future__ import annotations

from datetime import time

import pytest

from bot.config import Settings, SettingsError


def test_the_scheduler_is_on_with_the_digest_at_eight_and_quiet_nights_and_weekends() -> None:
    settings = Settings.from_env({})
    assert settings.jobs is True
    assert settings.pmo_digest_at == time(8, 0)
    assert settings.quiet_hours == (time(20, 0), time(7, 0))
    assert settings.quiet_weekends is True


def test_every_scheduler_variable_is_read() -> None:
    settings = Settings.from_env({"IIP_JOBS": "off", "IIP_PMO_DIGEST_AT": "09:30",
                                  "IIP_QUIET_HOURS": "21:15-06:45",
                                  "IIP_QUIET_WEEKENDS": "no"})
    assert (settings.jobs, settings.pmo_digest_at, settings.quiet_hours,
            settings.quiet_weekends) == (False, time(9, 30), (time(21, 15), time(6, 45)), False)
    assert Settings.from_env({"IIP_QUIET_HOURS": "off"}).quiet_hours is None
    assert Settings.from_env({"IIP_PMO_DIGEST_AT": " "}).pmo_digest_at == time(8, 0)


@pytest.mark.parametrize(("variable", "value", "words"), [
    ("IIP_JOBS", "sometimes", "IIP_JOBS must be on or off, not 'sometimes'."),
    ("IIP_PMO_DIGEST_AT", "8am", "IIP_PMO_DIGEST_AT must be a time of day written like 08:00, "
                                 "not '8am'."),
    ("IIP_PMO_DIGEST_AT", "25:00", "IIP_PMO_DIGEST_AT must be a time of day written like "
                                   "08:00, not '25:00'."),
    ("IIP_QUIET_HOURS", "20:00", "IIP_QUIET_HOURS must be two times of day, from and to, "
                                 "written like 20:00-07:00 (or off), not '20:00'."),
])
def test_a_bad_scheduler_setting_is_refused_in_words(variable: str, value: str,
                                                     words: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({variable: value})
    assert str(refused.value) == words
