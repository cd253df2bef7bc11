"""Can a node script run under --sim? Read, not run: what it and the modules beside it
import, and whether it reads stdin itself."""

from __future__ import annotations

import ast
from pathlib import Path

THREADED = ("threading", "_thread", "multiprocessing", "concurrent", "subprocess")


def unsimulable(script: str) -> str | None:
    """Why `script` cannot run under --sim, or None if it can (as far as reading it, and the
    modules it imports from its own directory, tells). A script with a syntax error is left
    to fail at start, as it would in real mode."""
    path = Path(script)
    try:
        first = path.read_text().split("\n", 1)[0]
    except (OSError, UnicodeDecodeError) as err:
        return f"it cannot be read as Python source ({err})"
    if path.suffix != ".py" and not (first.startswith("#!") and "python" in first):
        return "it is not a Python script (--sim runs Python nodes built on maelstrom_node.py)"
    imported: set[str] = set()
    why = _read_imports(path, imported, set())
    if why is not None:
        return why
    threaded = sorted(imported & set(THREADED))
    if threaded:
        return (f"it imports {', '.join(threaded)}: threads and child processes cannot run "
                "on the simulation's virtual time")
    if "maelstrom_node" not in imported:
        return "it does not use maelstrom_node.Node (--sim runs nodes built on it)"
    return None


def _read_imports(path: Path, imported: set[str], seen: set[Path]) -> str | None:
    """Add what `path` and the modules beside it that it imports import; or say why the
    code cannot be simulated."""
    seen.add(path)
    try:
        tree = ast.parse(path.read_text(), str(path))
    except (SyntaxError, OSError, UnicodeDecodeError):
        return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Attribute) and node.attr == "stdin" \
                and isinstance(node.value, ast.Name) and node.value.id == "sys":
            return (f"{path.name} reads sys.stdin itself (line {node.lineno}); under --sim "
                    "only maelstrom_node's Node may receive messages")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "input":
            return f"{path.name} reads stdin with input() (line {node.lineno})"
    imported.update(names)
    for name in sorted(names):
        local = path.parent / f"{name}.py"
        if name != "maelstrom_node" and local.is_file() and local not in seen:
            why = _read_imports(local, imported, seen)
            if why is not None:
                return why
    return None
