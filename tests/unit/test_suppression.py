"""The small-number rule of the diversity tables: no published row lets a count from 1 to 4
be read or worked out from the total."""

from __future__ import annotations

from itertools import product

from bot.domain.suppression import HIDDEN, PROTECTING, SuppressedRow, suppress


def test_counts_under_five_are_shown_as_under_five_and_the_rest_whole():
    row = suppress({"a": 12, "b": 3, "c": 4, "d": 20})

    assert row.cells == {"a": "12", "b": HIDDEN, "c": HIDDEN, "d": "20"}
    assert row.total == "39"


def test_one_hidden_cell_hides_the_next_smallest_so_the_total_cannot_give_it_away():
    row = suppress({"constable": 30, "sergeant": 2, "inspector": 9, "staff": 11})

    assert row.cells == {"constable": "30", "sergeant": HIDDEN, "inspector": PROTECTING,
                         "staff": "11"}
    assert row.total == "52"
    # The total less what is shown is the two hidden cells together (11), never the 2 alone:
    # 2 + 9, 1 + 10, 3 + 8, 4 + 7 all fit.


def test_two_cells_of_four_are_not_left_for_the_total_to_pin_down():
    """4 + 4 = 52 - 44: two "<5" cells summing to 8 could only be 4 and 4."""
    row = suppress({"a": 4, "b": 4, "c": 20, "d": 24})

    assert row.cells == {"a": HIDDEN, "b": HIDDEN, "c": PROTECTING, "d": "24"}


def test_a_zero_is_hidden_only_when_no_larger_cell_is_left():
    row = suppress({"a": 40, "b": 1, "c": 0, "d": 6})

    assert row.cells == {"a": "40", "b": HIDDEN, "c": "0", "d": PROTECTING}


def test_a_row_with_fewer_than_five_in_all_shows_nothing():
    row = suppress({"a": 3, "b": 1})

    assert row.cells == {"a": HIDDEN, "b": HIDDEN} and row.total == HIDDEN


def readings(row: SuppressedRow, keys: str) -> list[dict[str, int]]:
    """Every set of counts a reader who knows the rule could take the published row for."""
    total = int(row.total)
    choices = []
    for key in keys:
        shown = row.cells[key]
        if shown == HIDDEN:
            choices.append(range(1, 5))
        elif shown == PROTECTING:
            choices.append([0, *range(5, total + 1)])
        else:
            choices.append([int(shown)])
    return [dict(zip(keys, values, strict=True)) for values in product(*choices)
            if sum(values) == total]


def test_no_row_lets_a_reader_who_knows_the_rule_work_out_a_count_under_five():
    """Every row of three cells with counts 0 to 11, checked by brute force: each "<5" cell
    could hold at least two values given everything published."""
    keys = "abc"
    for counts in product(range(12), repeat=3):
        row = suppress(dict(zip(keys, counts, strict=True)))
        assert all(row.cells[k] == HIDDEN for k, c in zip(keys, counts, strict=True)
                   if 0 < c < 5), counts
        if not row.total.isdigit():
            continue
        possible = readings(row, keys)
        assert dict(zip(keys, counts, strict=True)) in possible, counts
        for key in keys:
            if row.cells[key] == HIDDEN:
                assert len({reading[key] for reading in possible}) >= 2, (counts, key)


def test_nothing_at_all_is_shown_as_nothing():
    row = suppress({"a": 0, "b": 0})

    assert row.cells == {"a": "0", "b": "0"} and row.total == "0"
