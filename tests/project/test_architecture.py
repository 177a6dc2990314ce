"""The package's shape (docs/architecture.md): imports point down the layers, no module imports
itself back round a cycle, and an import left inside a function says it is there for cold start.

Every module of src/enforcewatch is parsed with `ast`; the import graph holds module-level AND
function-level imports (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
PACKAGE = "enforcewatch"

# A rank per package: a module may import from its own rank or a lower one. The kernel is the
# package's top-level modules that everything shares; the entry points (CLI, local stack) sit on top.
RANKS = {
    "kernel": 0,  # config, errors, codes, uscc, cells, clock, progress
    "tabular": 0,  # reading the office's spreadsheets: shared by the registry and the lists
    "store": 1,
    "intake": 2,
    "monitoring": 3,
    "staff": 4,
    "sitegen": 5,
    "casework": 6,
    "draws": 6,  # 双随机 draws: audited like casework; detection (insights) matches reports to them
    "insights": 7,
    "control": 7,  # inspection plans on file and matching: findings like detection's (seed 002)
    "channel": 7,  # notices and replies to the points (seed 000 §六)
    "jobs": 8,
    "api": 9,
    "commands": 10,
    "cli": 10,
    "local": 10,
    "__main__": 10,
}
KERNEL = {"enforcewatch", "config", "errors", "codes", "uscc", "cells", "clock", "progress"}
COLD_START = re.compile(r"#.*cold start", re.I)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    path: Path
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def layer(module: str) -> str:
    top = module.split(".")[1] if "." in module else module
    return "kernel" if top in KERNEL else top


def _targets(node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if node.level or not node.module:
        raise AssertionError("relative import: write enforcewatch.… in full")
    # `from pkg import mod` depends on pkg.mod when that is a module, else on pkg itself.
    return [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module for a in node.names]


def _function_imports(tree: ast.AST) -> set[int]:
    """ids of the import nodes inside a function body (at any depth)."""
    inside: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            inside.update(id(n) for n in ast.walk(fn) if isinstance(n, ast.Import | ast.ImportFrom))
    return inside


def edges() -> list[Edge]:
    known = modules()
    out = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        inside = _function_imports(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(node, known):
                    if target == PACKAGE or target.startswith(PACKAGE + "."):
                        out.append(Edge(name, target, path, node.lineno, id(node) in inside))
    return out


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path, or None (depth-first search, white/grey/black)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_every_package_has_a_rank() -> None:
    assert {layer(m) for m in modules()} <= set(RANKS), "a new package needs a rank in RANKS"


def test_imports_point_down_the_layers() -> None:
    wrong = [f"{e.path.relative_to(ROOT)}:{e.line}: {e.source} ({layer(e.source)}) imports {e.target} "
             f"({layer(e.target)})" for e in edges() if RANKS[layer(e.target)] > RANKS[layer(e.source)]]
    assert wrong == []


def test_the_module_graph_has_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for e in edges():
        if e.target != e.source:
            graph.setdefault(e.source, set()).add(e.target)
    assert _cycle(graph) is None


def function_imports() -> list[tuple[Path, int]]:
    """Every import statement inside a function (of any module, the package's or another)."""
    out = []
    for path in modules().values():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        out += [(path, n.lineno) for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
                for n in ast.walk(fn) if isinstance(n, ast.Import | ast.ImportFrom)]
    return sorted(set(out))


def _is_import(line: str) -> bool:
    return line.strip().startswith(("from ", "import "))


def says_cold_start(lines: list[str], line: int) -> bool:
    """A `# … cold start …` comment on the import's line or in the comment lines just above its block."""
    i = line - 1
    while i > 0 and (_is_import(lines[i - 1]) or (not lines[i - 1].strip() and i > 1 and _is_import(lines[i - 2]))):
        i -= 1  # to the first import of the block (its groups may be apart by a blank line)
    above = []
    while i > 0 and lines[i - 1].strip().startswith("#"):
        i -= 1
        above.append(i)
    return any(COLD_START.search(lines[k]) for k in [line - 1, *above])


def test_imports_inside_functions_say_they_are_there_for_cold_start() -> None:
    missing = [f"{path.relative_to(ROOT)}:{line}" for path, line in function_imports()
               if not says_cold_start(path.read_text(encoding="utf-8").splitlines(), line)]
    assert missing == []


def test_no_test_module_imports_another() -> None:
    """What tests share lives in tests/support/; basenames stay unique (pytest's default import mode)."""
    tests = sorted((ROOT / "tests").rglob("test_*.py"))
    names = [p.name for p in tests]
    assert len(names) == len(set(names)), "two test files with the same name"
    wrong = []
    for path in tests + sorted((ROOT / "tests" / "support").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                wrong += [f"{path.relative_to(ROOT)}:{node.lineno}: {m}" for m in mods
                          if m.split(".")[-1].startswith("test_") or m.startswith("tests")]
    assert wrong == []


def test_the_checks_can_fail() -> None:
    """The cycle finder and the layering see a planted problem."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None
    assert RANKS[layer("enforcewatch.insights.detection")] > RANKS[layer("enforcewatch.monitoring.flags")]
    assert layer("enforcewatch.clock") == "kernel" and layer("enforcewatch.api.staff.app") == "api"
    lines = ["def f():", "    # cold start: heavy", "    import a", "", "    import b", "    x = 1", "    import c"]
    assert says_cold_start(lines, 5) and not says_cold_start(lines, 7)
