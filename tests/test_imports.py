"""The workbench's modules import one another without a cycle: every import (at the top, in a
function or under TYPE_CHECKING) read with ast, a graph built, its strongly connected
components found. A cycle means some module points back up."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from workbench.elle.graph import Digraph, sccs

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "workbench"


def modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the workbench package."""
    out = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _resolve(name: str, path: Path, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{module}" if module else package


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The workbench modules that module `name` imports."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, path, node.level, node.module)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in known:
                    out.add(sub)  # `from . import cycles`: the submodule itself
                elif base in known:
                    out.add(base)
    out.discard(name)
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Elle's Tarjan, which
    the workbench's cycle checkers use: workbench/elle/graph.py)."""
    g = Digraph()
    for v, ws in graph.items():
        g.add_vertex(v)
        for w in ws:
            g.add_edge(v, w, 1)
    return sorted(sorted(c) for c in sccs(g))


@functools.lru_cache(maxsize=1)
def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def test_the_reader_sees_the_imports() -> None:
    g = graph()
    assert "workbench.options" in g["workbench.cli"]
    assert "workbench.validity" in g["workbench.elle"]
    assert "workbench.elle.cycles" in g["workbench.elle.list_append"]  # from . import cycles
    assert "workbench.workloads" in g["workbench.workloads.kafka"]  # from . import Workload


def test_cycles_are_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_workbench_modules() -> None:
    assert cycles(graph()) == []


# Imports never point back up (the project guide's layout): a module in a lower group never
# imports one in a group above it.
FOUNDATION = ("validity", "options", "stages", "edn", "errors", "clock", "seeds", "store")
FORBIDDEN = {
    "elle": ("checkers", "report", "workloads", "cli", "runner", "interpreter"),
    "checkers": ("report", "workloads", "cli", "runner", "interpreter"),
    "report": ("checkers", "elle", "workloads", "cli", "runner", "interpreter"),
    "workloads": ("report", "cli", "runner"),
}


def _group(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_no_module_imports_upward() -> None:
    upward = []
    for module, targets in graph().items():
        group = _group(module)
        for target in targets:
            if group in FOUNDATION or _group(target) in FORBIDDEN.get(group, ()):
                upward.append(f"{module} -> {target}")
    assert upward == []
