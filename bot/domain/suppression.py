"""Small numbers kept from identifying people: the rule every diversity table in a report obeys.

A count from 1 to 4 is shown as "<5" (primary suppression). A row's total is shown, so hidden
cells could be worked out as the total less the cells shown, by someone who also knows this
rule. So the row is checked as such a reader would: each "<5" cell is from 1 to 4, each cell
hidden to protect another ("x") is 0 or at least 5, and together they make the total less the
cells shown. While some "<5" cell could hold only one value, the smallest cell still shown
(one of 5 or more first, a zero only when none is left) is hidden too, as "x" (secondary
suppression). If hiding every cell is not enough, the total is hidden as well. A row whose
total is under 5 hides everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

THRESHOLD = 5
HIDDEN = f"<{THRESHOLD}"
PROTECTING = "x"


@dataclass(frozen=True, slots=True)
class SuppressedRow:
    """A row of counts as it may be published: each cell and the total a number, "<5", or
    "x" (hidden so that another cannot be worked out)."""

    cells: dict[str, str]
    total: str

    @property
    def hidden(self) -> frozenset[str]:
        """The cells not shown as a number."""
        return frozenset(key for key, shown in self.cells.items() if not shown.isdigit())


def suppress(counts: Mapping[str, int]) -> SuppressedRow:
    """`counts` (cell -> count, none negative) as they may be published: see the module."""
    total = sum(counts.values())
    if 0 < total < THRESHOLD:
        return SuppressedRow({key: HIDDEN for key in counts}, HIDDEN)
    small = {key for key, count in counts.items() if 0 < count < THRESHOLD}
    protecting: set[str] = set()
    while small and not _safe([counts[key] for key in small],
                              sum(counts[key] for key in small | protecting), bool(protecting)):
        candidates = sorted((count < THRESHOLD, count, key) for key, count in counts.items()
                            if key not in small and key not in protecting)
        if not candidates:
            break
        protecting.add(candidates[0][2])
    shown_total = str(total) if not small or _safe(
        [counts[key] for key in small], sum(counts[key] for key in small | protecting),
        bool(protecting)) else PROTECTING
    return SuppressedRow({key: HIDDEN if key in small else PROTECTING if key in protecting
                          else str(count) for key, count in counts.items()}, shown_total)


def _safe(small: Sequence[int], hidden_sum: int, any_protecting: bool) -> bool:
    """Whether no "<5" cell's value is fixed by knowing the sum of all hidden cells, where
    the "<5" cells are `small` and the rest of the hidden sum is held by the "x" cells, if
    any (0 or at least 5 each, so 0 or at least 5 in sum)."""
    for index in range(len(small)):
        others = [value for i, value in enumerate(small) if i != index]
        possible = {value for value in range(1, THRESHOLD)
                    if _reachable(others, hidden_sum - value, any_protecting)}
        if len(possible) < 2:
            return False
    return True


def _reachable(small: Sequence[int], remainder: int, any_protecting: bool) -> bool:
    """Whether `len(small)` cells of 1..4 plus the protecting cells (0 or at least 5 in sum,
    when there are any; exactly 0 when there are none) can make `remainder`."""
    low, high = len(small), len(small) * (THRESHOLD - 1)
    rest = range(remainder - high, remainder - low + 1)
    if not any_protecting:
        return 0 in rest
    return any(value == 0 or value >= THRESHOLD for value in rest)
