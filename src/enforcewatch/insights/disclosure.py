"""Small-cell suppression for published tables of counts, with complementary suppression so that
no suppressed value can be worked out from what is published.

A table is a grid of counts with its row totals, column totals and grand total: an extended
(R+1)×(C+1) grid whose every row and column obeys "cells add up to the total". An entry (cell or
total) is hidden when it is 1 … k−1 (primary suppression; zeros are published). Complementary
suppression then hides further entries until no hidden entry is determined by the published ones:

- within a table, the hidden entries are edges of a bipartite graph (rows ↔ columns of the
  extended grid); an entry is determined by the published values exactly when its edge is a
  bridge (it lies on no cycle: the null space of "rows and columns add up" is spanned by
  alternating cycles). Each bridge is closed with the cheapest rectangle of further entries,
  preferring small non-zero cells over totals;
- tables that share their row totals (same rows, e.g. several breakdowns of one agency's
  inspections) hide those totals together, and the combined linear system of all linked tables
  is checked exactly (Gaussian elimination over the rationals) — an entry still determined gets
  another rectangle.

Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

Entry = tuple[int, int]
DEFAULT_K = 5
_ZERO_COST = 10**7  # hiding a zero protects only one way (counts cannot go below zero): last resort
_TOTAL_COST = 10**3  # a hidden total costs readers more than a hidden cell
_GRAND_COST = 10**5


@dataclass
class Grid:
    """One table: `values` is the extended grid, the last row and column being the totals."""

    name: str
    rows: list[str]
    columns: list[str]
    values: list[list[int]]
    link: str | None = None  # tables with the same link share their row totals (and grand total)
    hidden: set[Entry] = field(default_factory=set)

    @classmethod
    def of(cls, name: str, rows: list[str], columns: list[str], cells: list[list[int]], link: str | None = None
           ) -> Grid:
        if len(cells) != len(rows) or any(len(r) != len(columns) for r in cells):
            raise ValueError(f"{name}: cells do not match rows × columns")
        values = [[*r, sum(r)] for r in cells]
        values.append([sum(r[j] for r in values) for j in range(len(columns) + 1)])
        return cls(name, rows, columns, values, link)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.values), len(self.values[0])

    def published(self) -> list[list[int | None]]:
        return [[None if (i, j) in self.hidden else v for j, v in enumerate(row)] for i, row in enumerate(self.values)]

    def _cost(self, entry: Entry) -> int:
        if entry in self.hidden:
            return 0
        i, j = entry
        rows, cols = self.shape
        value = self.values[i][j]
        cost = value if value else _ZERO_COST
        if i == rows - 1 and j == cols - 1:
            return cost + _GRAND_COST
        return cost + (_TOTAL_COST if i == rows - 1 or j == cols - 1 else 0)

    def close(self, entry: Entry) -> bool:
        """Hide the cheapest rectangle through `entry` that hides something new; False if none."""
        i, j = entry
        rows, cols = self.shape
        best: tuple[int, list[Entry]] | None = None
        for i2 in range(rows):
            for j2 in range(cols):
                if i2 == i or j2 == j:
                    continue
                others = [(i, j2), (i2, j2), (i2, j)]
                new = [e for e in others if e not in self.hidden]
                if not new:
                    continue
                cost = sum(self._cost(e) for e in new)
                if best is None or cost < best[0]:
                    best = (cost, new)
        if best is None:
            return False
        self.hidden.update(best[1])
        return True


def bridges(grid: Grid) -> list[Entry]:
    """Hidden entries lying on no cycle of hidden entries (Tarjan's bridge search)."""
    rows, cols = grid.shape
    adjacency: dict[int, list[tuple[int, Entry]]] = {n: [] for n in range(rows + cols)}
    for i, j in grid.hidden:
        adjacency[i].append((rows + j, (i, j)))
        adjacency[rows + j].append((i, (i, j)))
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    found: list[Entry] = []

    def visit(node: int, via: Entry | None) -> None:
        order[node] = low[node] = len(order)
        for other, edge in adjacency[node]:
            if edge == via:
                continue
            if other in order:
                low[node] = min(low[node], order[other])
            else:
                visit(other, edge)
                low[node] = min(low[node], low[other])
                if low[other] > order[node]:
                    found.append(edge)

    for node in adjacency:
        if node not in order:
            visit(node, None)
    return sorted(found)


def _shared(grid: Grid) -> list[Entry]:
    rows, cols = grid.shape
    return [(i, cols - 1) for i in range(rows)]


def _sync_links(grids: list[Grid]) -> bool:
    """Hide in every linked table the shared totals hidden in any of them."""
    changed = False
    groups: dict[str, list[Grid]] = {}
    for g in grids:
        if g.link:
            groups.setdefault(g.link, []).append(g)
    for group in groups.values():
        hidden_rows = {i for g in group for (i, j) in g.hidden if (i, j) in _shared(g)}
        for g in group:
            cols = g.shape[1]
            for i in hidden_rows:
                if (i, cols - 1) not in g.hidden:
                    g.hidden.add((i, cols - 1))
                    changed = True
    return changed


def _variable(grid: Grid, entry: Entry) -> str:
    i, j = entry
    if grid.link and j == grid.shape[1] - 1:
        return f"{grid.link}#{i}"
    return f"{grid.name}#{i}#{j}"


def _lines(g: Grid) -> list[list[tuple[Entry, int]]]:
    """Each row and column of an extended grid as (entry, sign): cells +1, the total −1."""
    rows, cols = g.shape
    lines = [[((i, j), -1 if j == cols - 1 else 1) for j in range(cols)] for i in range(rows)]
    lines += [[((i, j), -1 if i == rows - 1 else 1) for i in range(rows)] for j in range(cols)]
    return lines


def _equation(g: Grid, line: list[tuple[Entry, int]]) -> dict[str, int]:
    """One line's constraint on its hidden entries (variables with a zero coefficient left out)."""
    eq: dict[str, int] = {}
    for entry, sign in line:
        if entry in g.hidden:
            var = _variable(g, entry)
            eq[var] = eq.get(var, 0) + sign
    return {v: c for v, c in eq.items() if c}


def equations(grids: Iterable[Grid]) -> list[dict[str, int]]:
    """The linear constraints on the hidden entries: each row and column of each extended grid
    adds up (cells − total = known part). Linked totals are one variable."""
    return [eq for g in grids for line in _lines(g) if (eq := _equation(g, line))]


def _reduced(row: dict[str, Fraction], pivots: dict[str, dict[str, Fraction]]) -> dict[str, Fraction]:
    """`row` less its part along each pivot row found so far (zero coefficients dropped)."""
    for var, prow in pivots.items():
        if var in row:
            factor = row[var]
            for v, c in prow.items():
                row[v] = row.get(v, Fraction(0)) - factor * c
            row = {v: c for v, c in row.items() if c}
    return row


def _add_pivot(pivots: dict[str, dict[str, Fraction]], row: dict[str, Fraction]) -> None:
    """Make a reduced, non-zero row a pivot row, and clear its pivot from the other pivot rows."""
    pivot = min(row)
    scale = row[pivot]
    row = {v: c / scale for v, c in row.items()}
    for var, prow in pivots.items():
        if pivot in prow:
            factor = prow[pivot]
            merged = {v: prow.get(v, Fraction(0)) - factor * row.get(v, Fraction(0)) for v in prow.keys() | row}
            pivots[var] = {v: c for v, c in merged.items() if c}
    pivots[pivot] = row


def determined(system: list[dict[str, int]]) -> set[str]:
    """Variables whose value the system fixes: those whose unit vector lies in the row space
    (in reduced row echelon form: a pivot row with no other non-zero entry)."""
    pivots: dict[str, dict[str, Fraction]] = {}
    for eq in system:
        row = _reduced({v: Fraction(c) for v, c in eq.items()}, pivots)
        if row:
            _add_pivot(pivots, row)
    return {var for var, prow in pivots.items() if len(prow) == 1}


def protect(grids: list[Grid], k: int = DEFAULT_K) -> None:
    """Primary and complementary suppression of every grid, in place."""
    for g in grids:
        g.hidden |= {(i, j) for i, row in enumerate(g.values) for j, v in enumerate(row) if 0 < v < k}
    while True:
        _sync_links(grids)
        _close_bridges(grids)
        if _sync_links(grids):
            continue
        if not _protect_one_determined(grids):
            return


def _close_bridges(grids: list[Grid]) -> None:
    """Close every bridge (a hidden entry on no cycle of hidden entries: the totals would give it away)."""
    for g in grids:
        while found := bridges(g):
            if not g.close(found[0]):
                raise RuntimeError(f"{g.name}: cannot protect {found[0]}")


def _protect_one_determined(grids: list[Grid]) -> bool:
    """Hide more to protect the first hidden entry the published figures still determine. False when
    none is determined, or when everything is hidden (nothing published, nothing to recover)."""
    fixed = determined(equations(grids))
    if not fixed:
        return False
    by_var = {_variable(g, e): (g, e) for g in grids for e in sorted(g.hidden)}
    g, e = by_var[sorted(fixed)[0]]
    return g.close(e) or _hide_cheapest(grids)


def _hide_cheapest(grids: list[Grid]) -> bool:
    """Last resort when every rectangle through a determined entry is hidden (it is fixed only through
    a linked table): hide the cheapest entry still published anywhere. False if there is none."""
    candidates = [(g._cost((i, j)), n, (i, j)) for n, g in enumerate(grids) for i, row in enumerate(g.values)
                  for j in range(len(row)) if (i, j) not in g.hidden]
    if not candidates:
        return False
    _, n, entry = min(candidates)
    grids[n].hidden.add(entry)
    return True
