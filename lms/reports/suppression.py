"""Small-cell suppression for tables of counts with totals. Pure: counts in, published cells out.

A table has R rows by C columns of counts, plus its totals: a total for each row (the last column),
for each column (the last row), and the grand total. Each column is a group of people (a cohort,
or everyone). The totals are what a funder reads first, so they are published; cells are hidden
the way statistical agencies do it:

- primary suppression: a count from 1 to k-1, a total included, is hidden and shown as "<k"
  (``SMALL``); a group smaller than k gets no breakdown: every cell of its column is shown as "<k"
  (``GROUP``), and when everyone together is fewer than k, so is every total;
- secondary suppression: more interior cells, each at least k, are hidden (``COMPLEMENT``, shown as
  "*") until no hidden count from 1 to k-1 can be worked out from the published cells and totals.
  Every row and column with a hidden cell then has at least two; each new cell is the smallest
  that helps, and at the end any that is not needed is published again.

Only when no choice of interior cells can protect the table (a group of 80 beside one of 3: 80
and the grand total give the 3 away) are totals hidden as well, the grand total last;
:attr:`Table.hides_totals` says so, for the report to explain. A table that cannot be protected
even then (a few people spread thin) is withheld whole (``WITHHELD``).

The protection is checked, not hoped for: :func:`_determined` asks, for each hidden small count,
whether any other value fits everything a reader can see. A reader knows a "<k" cell is 1..k-1
(0..k-1 in a small group), a "*" cell is at least k, and every row and column adds up. Those are
bounds on the flows of a network (row -> column edges are cells, totals are the edges in and out),
and the true table is one flow that fits, so "does another value fit?" is answered exactly by
looking for a cycle through the cell's edge in that flow's residual network.
"""

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

SMALL = "small"
GROUP = "group"
COMPLEMENT = "complement"
#: Every cell of a table that cannot be protected cell by cell: shown as "—", promising nothing.
WITHHELD = "withheld"
#: The least k allowed: with k = 2 a hidden cell would always be 1.
MIN_K = 3


@dataclass(frozen=True)
class Cell:
    value: int
    #: None when published; else SMALL, GROUP, COMPLEMENT or WITHHELD.
    hidden: str | None = None

    @property
    def shown(self) -> bool:
        return self.hidden is None


@dataclass(frozen=True)
class Table:
    """Suppressed cells, (R+1) x (C+1): the last row holds column totals, the last column row totals."""

    k: int
    cells: tuple[tuple[Cell, ...], ...]

    @property
    def rows(self) -> int:
        return len(self.cells) - 1

    @property
    def columns(self) -> int:
        return len(self.cells[0]) - 1

    @property
    def withheld(self) -> bool:
        return self.cells[0][0].hidden == WITHHELD

    @property
    def hides_totals(self) -> bool:
        """Whether a total of k or more is hidden, because no choice of interior cells protects the table.

        In a table of one column a row's total only repeats its cell, so hiding both hides no total.
        """
        row_totals = [row[-1] for row in self.cells] if self.columns > 1 else [self.cells[-1][-1]]
        return any(cell.hidden == COMPLEMENT for cell in (*self.cells[-1], *row_totals))

    @property
    def totals_row(self) -> tuple[Cell, ...]:
        return self.cells[-1]

    def cell(self, row: int, column: int) -> Cell:
        return self.cells[row][column]


def check_k(k: int) -> int:
    if not isinstance(k, int) or k < MIN_K:
        raise ValueError(f"The small-cell threshold k must be a whole number of at least {MIN_K}, not {k!r}.")
    return k


def suppress(counts: Sequence[Sequence[int]], k: int, *, totals_row: Sequence[Cell] | None = None) -> Table:
    """Hide what must be hidden in ``counts`` (R x C); ``totals_row`` fixes the column totals' cells.

    Tables that share their column totals (participants by race, by language... per cohort) pass the
    same ``totals_row``, suppressed once, so no table shows a total another one hides.
    """
    check_k(k)
    grid = _with_totals(counts)
    rows, columns = len(grid) - 1, len(grid[0]) - 1
    hidden: dict[tuple[int, int], str] = {}
    fixed: set[tuple[int, int]] = set()
    if totals_row is not None:
        if [cell.value for cell in totals_row] != grid[rows]:
            raise ValueError("totals_row does not match the column totals of counts")
        fixed = {(rows, c) for c in range(columns + 1)}
        hidden.update({(rows, c): cell.hidden for c, cell in enumerate(totals_row) if cell.hidden})
    for r in range(rows + 1):
        for c in range(columns + 1):
            if (r, c) not in fixed and 0 < grid[r][c] < k:
                hidden[r, c] = SMALL
    for c in range(columns + 1):
        if 0 < grid[rows][c] < k:
            for r in range(rows):
                hidden[r, c] = GROUP
    if 0 < grid[rows][columns] < k:  # everyone together is a small group: no cell says more than "<k"
        hidden.update({(rows, c): GROUP for c in range(columns + 1) if (rows, c) not in fixed})
    interior = {(r, c) for r in range(rows) for c in range(columns)}
    if _protect(grid, hidden, fixed, k, interior) or _protect(grid, hidden, fixed, k, _cells(rows, columns)):
        _publish_spare(grid, hidden, fixed, k)
    else:
        hidden.update({cell: WITHHELD for cell in _cells(rows, columns) if cell not in fixed})
    return Table(k, tuple(tuple(Cell(grid[r][c], hidden.get((r, c))) for c in range(columns + 1))
                          for r in range(rows + 1)))


def _with_totals(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    if not counts or not counts[0] or any(len(row) != len(counts[0]) for row in counts):
        raise ValueError("counts must be a non-empty rectangle")
    if any(not isinstance(v, int) or v < 0 for row in counts for v in row):
        raise ValueError("counts must be whole numbers, 0 or more")
    grid = [[*row, sum(row)] for row in counts]
    grid.append([sum(column) for column in zip(*grid)])
    return grid


def _cells(rows: int, columns: int) -> set[tuple[int, int]]:
    return {(r, c) for r in range(rows + 1) for c in range(columns + 1)}


def _lines(rows: int, columns: int, r: int, c: int) -> list[list[tuple[int, int]]]:
    """The two sums cell (r, c) belongs to: its row with the row total, its column with the column total."""
    return [[(r, j) for j in range(columns + 1)], [(i, c) for i in range(rows + 1)]]


def _twins(rows: int, columns: int, cell: tuple[int, int]) -> set[tuple[int, int]]:
    """The cells that always hold the same count as ``cell``, itself included, so are hidden with it.

    With a single column a row's total is its one cell; with a single row a column's total is.
    """
    if rows == 1 and columns == 1:
        return _cells(1, 1)
    r, c = cell
    return {cell} | ({(r, 0), (r, 1)} if columns == 1 else set()) | ({(0, c), (1, c)} if rows == 1 else set())


def _rank(rows: int, columns: int, cell: tuple[int, int]) -> int:
    """0 for an interior cell, 1 for a row or column total, 2 for the grand total: the order to hide them in."""
    return (cell[0] == rows) + (cell[1] == columns)


def _protect(grid, hidden: dict, fixed: set, k: int, allowed: set) -> bool:
    """Hide cells of ``allowed`` until no hidden count from 1 to k-1 can be worked out; False if none helps."""
    rows, columns = len(grid) - 1, len(grid[0]) - 1

    def hideable(cell) -> bool:
        twins = _twins(rows, columns, cell)
        return (cell in allowed and cell not in hidden and grid[cell[0]][cell[1]] >= k
                and all(twin in hidden or twin not in fixed for twin in twins))

    def lone(line) -> bool:
        return sum(cell in hidden for cell in line) == 1

    def candidates(lines) -> list[tuple[int, int]]:
        found = {cell for line in lines for cell in line if hideable(cell)}
        # Interior cells first; then one that also gives a second hidden cell to its other sum; then the smallest.
        return sorted(found, key=lambda rc: (_rank(rows, columns, rc),
                                             not any(lone(line) for line in _lines(rows, columns, *rc)),
                                             grid[rc[0]][rc[1]], rc))

    def hide(cell) -> None:
        hidden.update({twin: COMPLEMENT for twin in _twins(rows, columns, cell) if twin not in hidden})

    # A sum with a single hidden cell gives it away: hide a second one in that sum first (cheap).
    changed = True
    while changed:
        changed = False
        for r in range(rows + 1):
            for c in range(columns + 1):
                for line in _lines(rows, columns, r, c):
                    if lone(line) and (found := candidates([line])):
                        hide(found[0])
                        changed = True
    # Then the exact check. Hiding a cell only widens what fits, so a cell found safe stays safe.
    pending = _primary(grid, hidden)
    while pending:
        exposed = [cell for cell in sorted(pending) if _determined(grid, hidden, k, cell)]
        pending = set(exposed)
        if exposed:
            found = candidates(_component(rows, columns, hidden, exposed[0])[1]) or candidates(
                [sorted(_cells(rows, columns))])
            if not found:
                return False
            hide(found[0])
    return True


def _primary(grid, hidden: dict) -> set[tuple[int, int]]:
    """The hidden counts that must not be worked out: every one from 1 to k-1."""
    return {cell for cell, kind in hidden.items() if kind in (SMALL, GROUP) and grid[cell[0]][cell[1]] > 0}


def _publish_spare(grid, hidden: dict, fixed: set, k: int) -> None:
    """Publish again each complementary cell the protection holds without: totals first, then the largest.

    Until none is left: publishing one cell can leave another alone in its sum, worked out, so spare.
    """
    rows, columns = len(grid) - 1, len(grid[0]) - 1
    primary = _primary(grid, hidden)
    published = True
    while published:
        published = False
        spare = sorted((cell for cell, kind in hidden.items() if kind == COMPLEMENT),
                       key=lambda rc: (-_rank(rows, columns, rc), -grid[rc[0]][rc[1]], rc))
        for cell in spare:
            twins = {twin for twin in _twins(rows, columns, cell) if hidden.get(twin) == COMPLEMENT}
            if cell not in twins or twins & fixed:
                continue  # published already with a twin, or hidden by the table that owns the totals
            linked = _component(rows, columns, hidden, cell)[0] & primary
            for twin in twins:
                del hidden[twin]
            if any(_determined(grid, hidden, k, small) for small in sorted(linked)):
                hidden.update(dict.fromkeys(twins, COMPLEMENT))
            else:
                published = True


def _component(rows: int, columns: int, hidden: dict, start: tuple[int, int]) -> tuple[set, list]:
    """The hidden cells and the sums linked to ``start`` through hidden cells: what a change there can affect.

    Sums sharing no hidden cell are separate equations, so what fits one part of a table does not
    depend on any other part.
    """
    seen_cells, seen_lines, queue = {start}, [], deque([start])
    while queue:
        for line in _lines(rows, columns, *queue.popleft()):
            if line not in seen_lines:
                seen_lines.append(line)
                for cell in line:
                    if cell in hidden and cell not in seen_cells:
                        seen_cells.add(cell)
                        queue.append(cell)
    return seen_cells, seen_lines


def bounds(kind: str | None, value: int, k: int, unbounded: int) -> tuple[int, int]:
    """What a reader knows of a cell: its value if published, else the range its marker says."""
    return {None: (value, value), SMALL: (1, k - 1), GROUP: (0, k - 1), COMPLEMENT: (k, unbounded),
            WITHHELD: (0, unbounded)}[kind]


def _determined(grid, hidden: dict, k: int, cell: tuple[int, int]) -> bool:
    """Tell whether the hidden ``cell`` has a single value that fits everything a reader sees.

    A table that fits is a circulation on a network: source -> row (row total), row -> column
    (cell), column -> sink (column total), sink -> source (grand total), each edge bounded by what
    the reader knows of it. The true table is one; any other differs from it by cycles of its
    residual network. So ``cell`` can take another value exactly when a residual cycle runs through
    its edge: a path back from its head to its tail (more) or from its tail to its head (less).
    """
    rows, columns = len(grid) - 1, len(grid[0]) - 1
    unbounded = grid[-1][-1] + k
    residual: list[list[int]] = [[] for _ in range(2 + rows + columns)]
    for other, kind in hidden.items():  # a published cell is fixed: no residual edge
        if other != cell:
            u, v = _edge(rows, columns, *other)
            value = grid[other[0]][other[1]]
            low, high = bounds(kind, value, k, unbounded)
            if value < high:
                residual[u].append(v)
            if value > low:
                residual[v].append(u)
    u, v = _edge(rows, columns, *cell)
    value = grid[cell[0]][cell[1]]
    low, high = bounds(hidden[cell], value, k, unbounded)
    return not ((value < high and _reaches(residual, v, u)) or (value > low and _reaches(residual, u, v)))


def _edge(rows: int, columns: int, r: int, c: int) -> tuple[int, int]:
    """The network edge of cell (r, c). Nodes: 0 source, 1 sink, 2.. rows, then columns."""
    row_node, column_node = 2 + r, 2 + rows + c
    if r < rows and c < columns:
        return row_node, column_node
    if r < rows:
        return 0, row_node
    if c < columns:
        return column_node, 1
    return 1, 0


def _reaches(residual: list[list[int]], start: int, goal: int) -> bool:
    seen, queue = {start}, deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return True
        for after in residual[node]:
            if after not in seen:
                seen.add(after)
                queue.append(after)
    return False
