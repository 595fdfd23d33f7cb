"""Small-cell suppression for tables of counts with totals. Pure: counts in, published cells out.

A table has R rows by C columns of counts, plus its totals: a total for each row (the last column),
for each column (the last row), and the grand total. Each column is a group of people (a cohort,
or everyone). Three rules hide cells:

- a count from 1 to k-1 is hidden and shown as "<k" (``SMALL``);
- a group smaller than k gets no breakdown: every cell of its column is shown as "<k" (``GROUP``),
  and when everyone together is fewer than k, so is every total;
- more cells, each at least k, are hidden (``COMPLEMENT``, shown as "*") until no hidden count from
  1 to k-1 can be worked out from the published cells and the totals.

A table where that cannot be done (a few people spread thin) is withheld whole (``WITHHELD``).
The last rule is checked, not hoped for: :func:`_exposed` asks, for each such hidden count, whether
any other value fits everything a reader can see. A reader knows a "<k" cell is 1..k-1 (0..k-1 in a
small group), a "*" cell is at least k, and every row and column adds up. Those are bounds on the
flows of a network (row -> column edges are cells, totals are the edges in and out), so "does
another value fit?" is a feasible-flow question, answered exactly with a max-flow.
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
    #: None when published; else SMALL, GROUP or COMPLEMENT.
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
    if not _protect(grid, hidden, fixed, k):
        hidden.update({(r, c): WITHHELD for r in range(rows + 1) for c in range(columns + 1) if (r, c) not in fixed})
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


def _lines(rows: int, columns: int, r: int, c: int) -> list[list[tuple[int, int]]]:
    """The two sums cell (r, c) belongs to: its row with the row total, its column with the column total."""
    return [[(r, j) for j in range(columns + 1)], [(i, c) for i in range(rows + 1)]]


def _protect(grid, hidden: dict, fixed: set, k: int) -> bool:
    """Hide complementary cells until no hidden count from 1 to k-1 can be worked out; False if none helps."""
    rows, columns = len(grid) - 1, len(grid[0]) - 1

    def candidates(lines) -> list[tuple[int, int]]:
        found = {cell for line in lines for cell in line
                 if cell not in hidden and cell not in fixed and grid[cell[0]][cell[1]] >= k}
        # The smallest count first; a cell before a total, so totals stay published when they can.
        return sorted(found, key=lambda rc: (grid[rc[0]][rc[1]], rc[0] == rows or rc[1] == columns, rc))

    # A sum with a single hidden cell gives it away: hide a second one in that sum first (cheap).
    changed = True
    while changed:
        changed = False
        for r in range(rows + 1):
            for c in range(columns + 1):
                for line in _lines(rows, columns, r, c):
                    if sum(cell in hidden for cell in line) == 1 and (found := candidates([line])):
                        hidden[found[0]] = COMPLEMENT
                        changed = True
    # Then the exact check. Hiding a cell only widens what fits, so a cell found safe stays safe.
    pending = {cell for cell, kind in hidden.items() if kind != COMPLEMENT and grid[cell[0]][cell[1]] > 0}
    while pending:
        exposed = [cell for cell in sorted(pending) if _determined(grid, hidden, k, cell)]
        pending = set(exposed)
        if exposed:
            found = candidates(_connected_lines(rows, columns, hidden, exposed[0])) or candidates(
                [[(r, c) for r in range(rows + 1) for c in range(columns + 1)]])
            if not found:
                return False
            hidden[found[0]] = COMPLEMENT
    return True


def _connected_lines(rows: int, columns: int, hidden: dict, start: tuple[int, int]) -> list:
    """The sums reachable from ``start`` through hidden cells: where a new hidden cell can help."""
    seen_cells, seen_lines, queue = {start}, [], deque([start])
    while queue:
        for line in _lines(rows, columns, *queue.popleft()):
            if line not in seen_lines:
                seen_lines.append(line)
                for cell in line:
                    if cell in hidden and cell not in seen_cells:
                        seen_cells.add(cell)
                        queue.append(cell)
    return seen_lines


def bounds(kind: str | None, value: int, k: int, unbounded: int) -> tuple[int, int]:
    """What a reader knows of a cell: its value if published, else the range its marker says."""
    return {None: (value, value), SMALL: (1, k - 1), GROUP: (0, k - 1), COMPLEMENT: (k, unbounded),
            WITHHELD: (0, unbounded)}[kind]


def _determined(grid, hidden: dict, k: int, cell: tuple[int, int]) -> bool:
    """Tell whether the hidden ``cell`` has a single value that fits everything a reader sees."""
    value = grid[cell[0]][cell[1]]
    unbounded = grid[-1][-1] + k
    low, high = bounds(hidden[cell], value, k, unbounded)
    return not any(_feasible(grid, hidden, k, cell, option, unbounded)
                   for option in ((value + 1, high), (low, value - 1)) if option[0] <= option[1])


def _feasible(grid, hidden: dict, k: int, cell, option: tuple[int, int], unbounded: int) -> bool:
    """Is there a table that adds up, fits every marker, and puts ``cell`` within ``option``?

    Nodes: 0 source, 1 sink, 2.. rows, then columns. Edges: source -> row (row total),
    row -> column (cell), column -> sink (column total), sink -> source (grand total).
    """
    rows, columns = len(grid) - 1, len(grid[0]) - 1
    row_node, column_node = (lambda r: 2 + r), (lambda c: 2 + rows + c)
    flow = _Network(2 + rows + columns + 2)
    excess = [0] * flow.size
    for r in range(rows + 1):
        for c in range(columns + 1):
            low, high = option if (r, c) == cell else bounds(hidden.get((r, c)), grid[r][c], k, unbounded)
            if r < rows and c < columns:
                u, v = row_node(r), column_node(c)
            elif r < rows:
                u, v = 0, row_node(r)
            elif c < columns:
                u, v = column_node(c), 1
            else:
                u, v = 1, 0
            flow.add(u, v, high - low)
            excess[v] += low
            excess[u] -= low
    source, sink = flow.size - 2, flow.size - 1
    need = 0
    for node, amount in enumerate(excess[:-2]):
        if amount > 0:
            flow.add(source, node, amount)
            need += amount
        elif amount < 0:
            flow.add(node, sink, -amount)
    return flow.max_flow(source, sink) == need


class _Network:
    """A small max-flow network (Dinic's algorithm)."""

    def __init__(self, size: int):
        self.size = size
        self.edges: list[list] = []  # [to, capacity, index of the reverse edge]
        self.out: list[list[int]] = [[] for _ in range(size)]

    def add(self, u: int, v: int, capacity: int) -> None:
        self.out[u].append(len(self.edges))
        self.edges.append([v, capacity, len(self.edges) + 1])
        self.out[v].append(len(self.edges))
        self.edges.append([u, 0, len(self.edges) - 1])

    def max_flow(self, source: int, sink: int) -> int:
        total = 0
        while True:
            level = self._levels(source)
            if level[sink] < 0:
                return total
            position = [0] * self.size
            while pushed := self._push(source, sink, float("inf"), level, position):
                total += pushed

    def _levels(self, source: int) -> list[int]:
        level = [-1] * self.size
        level[source] = 0
        queue = deque([source])
        while queue:
            u = queue.popleft()
            for index in self.out[u]:
                v, capacity, _ = self.edges[index]
                if capacity > 0 and level[v] < 0:
                    level[v] = level[u] + 1
                    queue.append(v)
        return level

    def _push(self, u: int, sink: int, limit, level: list[int], position: list[int]) -> int:
        if u == sink:
            return limit
        while position[u] < len(self.out[u]):
            edge = self.edges[self.out[u][position[u]]]
            v, capacity, reverse = edge
            if capacity > 0 and level[v] == level[u] + 1:
                pushed = self._push(v, sink, min(limit, capacity), level, position)
                if pushed:
                    edge[1] -= pushed
                    self.edges[reverse][1] += pushed
                    return pushed
            position[u] += 1
        return 0
