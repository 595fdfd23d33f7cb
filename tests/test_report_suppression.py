"""Small-cell suppression: no published count is 1..k-1, no hidden one can be worked out, totals stay.

The property tests check the engine with an independent solver: a linear program (SciPy's HiGHS)
finds the least and the greatest value each hidden cell can take given everything published. The
sums make the constraint matrix totally unimodular, so those bounds are exact whole numbers.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from lms.reports.suppression import COMPLEMENT, GROUP, SMALL, Cell, Table, bounds, suppress

counts_tables = st.integers(1, 5).flatmap(lambda rows: st.integers(1, 4).flatmap(
    lambda columns: st.lists(st.lists(st.integers(0, 14), min_size=columns, max_size=columns),
                             min_size=rows, max_size=rows)))


def reader_range(table, row: int, column: int) -> tuple[int, int]:
    """The least and greatest value of one cell, given what a reader sees."""
    rows, columns = table.rows, table.columns
    index = {(r, c): n for n, (r, c) in enumerate((r, c) for r in range(rows + 1) for c in range(columns + 1))}
    equations = []
    for r in range(rows + 1):
        line = np.zeros(len(index))
        for c in range(columns):
            line[index[r, c]] = 1
        line[index[r, columns]] = -1
        equations.append(line)
    for c in range(columns + 1):
        line = np.zeros(len(index))
        for r in range(rows):
            line[index[r, c]] = 1
        line[index[rows, c]] = -1
        equations.append(line)
    limit = table.cell(rows, columns).value + table.k
    variable_bounds = [bounds(table.cell(r, c).hidden, table.cell(r, c).value, table.k, limit)
                       for (r, c) in index]
    target = np.zeros(len(index))
    target[index[row, column]] = 1
    found = []
    for sign in (1, -1):
        result = linprog(sign * target, A_eq=np.array(equations), b_eq=np.zeros(len(equations)),
                         bounds=variable_bounds, method="highs")
        assert result.status == 0, "the published table must be consistent"
        found.append(round(sign * result.fun))
    return found[0], found[1]


def all_cells(table):
    return [(r, c, table.cell(r, c)) for r in range(table.rows + 1) for c in range(table.columns + 1)]


def protected(table) -> bool:
    """Whether no hidden count from 1 to k-1 of ``table`` can be worked out (by the independent solver)."""
    ranges = [reader_range(table, r, c) for r, c, cell in all_cells(table)
              if cell.hidden in (SMALL, GROUP) and cell.value > 0]
    return all(low < high for low, high in ranges)


def lines(table):
    """Every row and every column of ``table``, each with its total."""
    return ([[table.cell(r, c) for c in range(table.columns + 1)] for r in range(table.rows + 1)]
            + [[table.cell(r, c) for r in range(table.rows + 1)] for c in range(table.columns + 1)])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=counts_tables, k=st.integers(3, 6))
def test_no_published_count_is_between_1_and_k_minus_1(counts, k):
    table = suppress(counts, k)
    assert not [cell for _, _, cell in all_cells(table) if cell.shown and 0 < cell.value < k]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=counts_tables, k=st.integers(3, 6))
def test_no_hidden_small_count_can_be_worked_out_from_the_totals(counts, k):
    table = suppress(counts, k)
    for r, c, cell in all_cells(table):
        if cell.hidden and 0 < cell.value < k:
            low, high = reader_range(table, r, c)
            assert low <= cell.value <= high
            assert low < high, f"cell {r},{c} = {cell.value} is recoverable in {counts}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=counts_tables, k=st.integers(3, 6))
def test_totals_are_hidden_only_when_no_choice_of_interior_cells_protects_the_table(counts, k):
    table = suppress(counts, k)
    rows, columns = table.rows, table.columns
    grid = [[cell.value for cell in row] for row in table.cells]

    def most_hidden(r: int, c: int) -> str | None:
        """The most that hiding interior cells can do: the rules' small counts, every other interior one hidden."""
        if r == rows and 0 < grid[rows][columns] < k or r < rows and 0 < grid[rows][c] < k:
            return GROUP
        if 0 < grid[r][c] < k:
            return SMALL
        return COMPLEMENT if r < rows and c < columns and grid[r][c] >= k else None

    most = Table(k, tuple(tuple(Cell(grid[r][c], most_hidden(r, c)) for c in range(columns + 1))
                          for r in range(rows + 1)))
    if protected(most):
        assert not table.withheld
        assert not table.hides_totals, f"a total of {counts} is hidden though interior cells could protect it"
        hidden_totals = [cell for r, c, cell in all_cells(table) if (r == rows or c == columns) and cell.hidden]
        assert all(cell.hidden in (SMALL, GROUP) for cell in hidden_totals)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=counts_tables, k=st.integers(3, 6))
def test_a_hidden_count_never_sits_alone_in_its_row_or_column(counts, k):
    # Alone, it would be its total less the published cells: a hidden small count given away, or a "*" for nothing.
    for line in lines(suppress(counts, k)):
        hidden = [cell for cell in line if cell.hidden]
        assert len(hidden) != 1 or hidden[0].value == 0, line


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=counts_tables, extra=st.lists(st.lists(st.integers(0, 14), min_size=4, max_size=4),
                                            min_size=1, max_size=4), k=st.integers(3, 6))
def test_tables_sharing_their_column_totals_hide_the_same_totals(counts, extra, k):
    columns = len(counts[0])
    totals = [sum(column) for column in zip(*counts)]
    # A second breakdown of the same people: the same column totals, split differently.
    other = [row[:columns] for row in extra]
    for c in range(columns):
        spread = sum(row[c] for row in other)
        other[0][c] += max(totals[c] - spread, 0)
        if spread > totals[c]:
            other = [[totals[c] if (r == 0 and j == c) else (0 if j == c else v) for j, v in enumerate(row)]
                     for r, row in enumerate(other)]
    shared = suppress([totals], k).totals_row
    first, second = suppress(counts, k, totals_row=shared), suppress(other, k, totals_row=shared)
    assert first.totals_row == second.totals_row == shared
    for table in (first, second):
        for r, c, cell in all_cells(table):
            if cell.hidden and 0 < cell.value < k:
                low, high = reader_range(table, r, c)
                assert low < high


def test_a_count_below_k_shows_as_hidden_and_its_row_partner_is_hidden_too():
    table = suppress([[2, 40], [30, 50]], 5)
    assert table.cell(0, 0).hidden == SMALL
    assert table.cell(0, 2).hidden is None and table.cell(0, 2).value == 42
    # Without a second hidden cell in row 0, 42 - 40 would give the 2 away.
    assert table.cell(0, 1).hidden == COMPLEMENT
    assert table.cell(1, 0).hidden == COMPLEMENT


def test_totals_are_published_and_interior_cells_are_hidden_instead():
    # Cohorts of 7 and 12; a 1 in each: the cells beside the 1s are hidden, never a row's or a cohort's total.
    table = suppress([[0, 5], [6, 1], [1, 6]], 5, totals_row=suppress([[7, 12]], 5).totals_row)
    assert [table.cell(r, 2) for r in range(4)] == [Cell(5), Cell(7), Cell(7), Cell(19)]
    assert table.totals_row == (Cell(7), Cell(12), Cell(19))
    assert [[table.cell(r, c).hidden for c in range(2)] for r in (1, 2)] == [[COMPLEMENT, SMALL],
                                                                              [SMALL, COMPLEMENT]]
    assert not table.hides_totals and protected(table)


def test_total_certificates_issued_is_published_when_interior_cells_can_protect_it():
    people, certified = [40, 40, 21], [5, 7, 1]
    table = suppress([certified, [n - done for n, done in zip(people, certified)]], 5,
                     totals_row=suppress([people], 5).totals_row)
    assert table.cell(0, 3) == Cell(13), "the total of certificates issued is what a funder asks first"
    assert table.cell(0, 2).hidden == SMALL and protected(table)
    assert not table.hides_totals


def test_a_total_that_would_give_a_small_count_away_is_hidden_and_the_table_says_so():
    # All 6 of the first cohort certified and 2 of the second: with 6 and the first cohort's 0 shown,
    # a total of 8 would give the 2 away, and no cell of the first cohort can be hidden in its place.
    table = suppress([[6, 2], [0, 18]], 5, totals_row=suppress([[6, 20]], 5).totals_row)
    assert table.cell(0, 2).hidden == COMPLEMENT
    assert table.hides_totals and not table.withheld and protected(table)


def test_a_cohort_of_80_beside_one_of_3_cannot_show_both_its_size_and_the_grand_total():
    table = suppress([[80, 3]], 5)
    assert table.cell(1, 2) == Cell(83), "the grand total is hidden last"
    assert table.cell(1, 1).hidden == SMALL and table.cell(1, 0).hidden == COMPLEMENT
    assert table.hides_totals and protected(table)


def test_in_a_table_of_one_column_a_row_total_is_hidden_with_its_cell():
    # One cohort: its column and the all-cohorts column are the same counts, so they show the same.
    table = suppress([[2], [40], [30]], 5)
    assert [[cell.hidden for cell in row] for row in table.cells] == [
        [SMALL, SMALL], [None, None], [COMPLEMENT, COMPLEMENT], [None, None]]
    assert table.cell(3, 1) == Cell(72) and protected(table)
    assert not table.hides_totals, "no total is hidden that is not also the cohort's own count"


def test_two_small_counts_that_add_up_to_their_only_solution_are_protected():
    # 1 + 1 = 2 with both "<5" and at least 1: each must be 1 unless more is hidden.
    table = suppress([[1, 20], [1, 20], [10, 10]], 5)
    for r in (0, 1):
        low, high = reader_range(table, r, 0)
        assert low < high


def test_a_group_smaller_than_k_gets_no_breakdown():
    table = suppress([[3, 10], [0, 12], [1, 9]], 5)
    assert table.cell(3, 0).value == 4 and table.cell(3, 0).hidden == SMALL
    assert [table.cell(r, 0).hidden for r in range(3)] == [GROUP, GROUP, GROUP]


def test_zeros_are_published():
    table = suppress([[0, 12], [15, 0]], 5)
    assert table.cell(0, 0) .shown and table.cell(1, 1).shown


@pytest.mark.parametrize("k", [2, 0, -1, 2.5, "5"])
def test_k_below_3_is_refused(k):
    with pytest.raises(ValueError):
        suppress([[1]], k)


def test_totals_row_that_does_not_match_is_refused():
    shared = suppress([[10, 20]], 5).totals_row
    with pytest.raises(ValueError):
        suppress([[10, 21]], 5, totals_row=shared)


def test_a_table_that_cannot_be_protected_cell_by_cell_is_withheld_whole():
    # Two cohorts of 2 and a row of 3: whatever is hidden, "<3" + "<3" with at least 4 people gives 2 and 2.
    table = suppress([[0, 1], [2, 1]], 3)
    assert table.withheld
    assert all(cell.hidden for _, _, cell in all_cells(table))
