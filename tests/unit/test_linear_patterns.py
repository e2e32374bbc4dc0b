"""Every regular expression that reads people's or Teams' text runs in time linear in it.

One turn's regular expression holds the only event loop: a pattern that backtracks
(`\\s*` three times in a row took 48 s on 2,000 spaces) freezes the bot for everyone. Each
pattern is timed on crafted worst cases at n, 2n and 4n characters (up to the longest text it
is given), as the least of several runs; time that grows 4x for 4x the text is linear,
16x quadratic. Only ratios are compared, never absolute times.
"""

from __future__ import annotations

import re
import time

import pytest

from bot.domain import campaigns, commands, ideas, intake, legacy, sensitive
from bot.domain import text as text_rules

PATTERNS: dict[str, re.Pattern[str]] = {
    **{f"sensitive {finding.name}": pattern for finding, pattern in sensitive._PATTERNS},
    "mention": commands._MENTION,
    "trailing punctuation": commands._TRAILING_PUNCTUATION,
    "reference": ideas._REFERENCE,
    "control characters": text_rules._CONTROL,
    "blank lines": text_rules._MANY_BLANK_LINES,
    "yes": intake._YES,
    "no": intake._NO,
    "campaign channel": campaigns._CHANNEL,
    "campaign portfolio": campaigns._PORTFOLIO,
    "campaign key": campaigns._NOT_KEY,
    "campaign key on a button": campaigns._KEY,
    "list date": legacy._UK_DATE,
    "list words": legacy._NOT_WORD,
}

# Repeated units that keep a pattern's partial matches going, and long runs between a prefix
# and a suffix that make it give up only at the end.
UNITS = [
    "a", " ", "-", "0", "\n", "!", "<at>", "<at>x", "log ", "log-", "crime ref ", "log #: ",
    "a@", "a.", "a@b.", ".b", "07700 ", "+44 ", "(0", "AB 12 34 56 ", "AB12 ", "A123 ",
    "1 ", "1 Aaaa ", "12 Acacia Avenue ", "LS1 ", "IIP-2026-", "IIP-2026-1", "yes ",
    "1/", "1/1/2025 1:", "1/1/2025, ",
]
RUNS = [
    ("log", " ", "x"), ("crime", " ", "#"), ("log ", "-", "x"), ("log ", "A", "!"),
    ("a", "a", "@"), ("a@b", ".b", "!"), ("1", " ", "1"), ("1 A", "a", "!"),
    ("<at>", "x", "<at"), ("a", "!", "b"), ("IIP-2026-", "1", "x"), ("y", "e", "s"),
]


def crafted(length: int) -> list[tuple[str, str]]:
    cases = [(f"{unit!r} repeated", unit * (length // len(unit))) for unit in UNITS]
    cases += [(f"{head!r}+{fill!r}*n+{tail!r}", head + fill * length + tail)
              for head, fill, tail in RUNS]
    return cases


GROWTH_LIMIT = 6  # for 4x the text: linear is 4 (with noise, under 6), quadratic 16
LOOKS = 4  # measurements of a case before it counts as not linear


def timed(work, text: str, loops: int) -> float:
    """CPU seconds of this thread, not wall time: the time other processes take the core
    (the suite's other workers, say) is not counted against the pattern."""
    start = time.thread_time()
    for _ in range(loops):
        work(text)
    return time.thread_time() - start


def growth(work, texts: list[str]) -> list[float]:
    """How much longer `work` takes on each text than on the first (the shortest), as the
    least of several rounds taken in turn, so that a busy moment of the machine is outweighed.
    A text that grew far past the limit in two rounds ends the measuring."""
    loops = max(1, int(0.0005 / max(timed(work, texts[0], 1), 1e-7)))  # ~0.5 ms, shortest
    best = [float("inf")] * len(texts)
    spent = 0.0
    for _round in range(5):
        for index, text in enumerate(texts):
            took = timed(work, text, loops)
            best[index], spent = min(best[index], took), spent + took
            # Far past linear in two rounds (one could be a busy moment): no need to go on.
            if _round and best[index] / best[0] >= GROWTH_LIMIT * 4:
                return [b / best[0] for b in best[:index + 1]]
        if spent > 0.5:
            break
    return [b / best[0] for b in best]


def assert_linear(work, name: str, sizes: tuple[int, ...]) -> None:
    for same_case in zip(*(crafted(n) for n in sizes), strict=True):
        case = same_case[0][0]
        texts = [text for _, text in same_case]
        # A busy machine can slow a few runs; a pattern that is not linear is slow every time.
        for _look in range(LOOKS):
            ratios = growth(work, texts)
            if ratios[-1] < GROWTH_LIMIT:
                break
        assert ratios[-1] < GROWTH_LIMIT, (
            f"{name} on {case}: time grew {ratios} for sizes {sizes}")


@pytest.mark.parametrize("name", list(PATTERNS))
def test_each_pattern_is_linear_on_crafted_text_up_to_the_longest_field(name: str):
    pattern = PATTERNS[name]
    assert_linear(pattern.search, name, (1_000, 2_000, 4_000))


def test_mentions_are_removed_in_linear_time_from_a_whole_message():
    """A message may be 256 KB: the mention pattern itself is linear far past the cap."""
    assert_linear(commands._MENTION.search, "mention", (12_000, 24_000, 48_000))


def test_the_public_checks_are_linear_on_the_longest_text_they_are_given():
    for work, name in [(sensitive.find_sensitive, "find_sensitive"),
                       (commands.parse_command, "parse_command"),
                       (ideas.find_reference, "find_reference"),
                       (_audience_or_refusal, "parse_audience"),
                       (legacy.parse_when, "parse_when"), (legacy.slug, "slug")]:
        assert_linear(work, name, (1_000, 2_000, 4_000))


def _audience_or_refusal(text: str) -> object:
    try:
        return campaigns.parse_audience("channel:19:" + text)
    except campaigns.InvalidCampaign as refusal:
        return refusal


def test_what_is_looked_at_is_capped():
    """Text past the cap is not read, so the work has a bound whatever is sent."""
    detail = "Ring 07700 900123."
    assert sensitive.find_sensitive(detail) == (sensitive.Finding.PHONE,)
    padded = " " * sensitive.MAX_CHECKED_LENGTH + detail
    assert sensitive.find_sensitive(padded) == ()
    assert commands.parse_command("help" + " " * commands.MAX_COMMAND_LENGTH) is (
        commands.Command.UNKNOWN)
