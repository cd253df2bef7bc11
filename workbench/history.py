"""History operations and the history files (Jepsen's history ops; Maelstrom's history.edn and
history.txt).

An op (`Op`) is a dict with Maelstrom's keys without colons: index, time (ns since the run
started), type ("invoke" | "ok" | "fail" | "info"), process (int, or "nemesis"), f, value,
and extras such as "error", "final?", "exception". Keys starting with "_" are the
workbench's own and are never written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

from . import edn
from .edn import Keyword
from .values import clojure

Op = dict[str, Any]  # an op, as above

FIRST_KEYS = ("index", "time", "type", "process", "f", "value")
NEMESIS = "nemesis"


def is_client_op(op: Op) -> bool:
    process: int | str = op["process"]
    return process != NEMESIS


def pairs(history: Iterable[Op]) -> list[tuple[Op, Op | None]]:
    """(invocation, completion or None) for every client op, in invocation order."""
    open_by_process: dict[Any, Op] = {}
    result: list[list[Any]] = []  # [invocation, completion or None]
    slot: dict[int, int] = {}
    for op in history:
        if not is_client_op(op):
            continue
        if op["type"] == "invoke":
            open_by_process[op["process"]] = op
            slot[op["index"]] = len(result)
            result.append([op, None])
        else:
            inv = open_by_process.pop(op["process"], None)
            if inv is not None:
                result[slot[inv["index"]]][1] = op
    return [(a, b) for a, b in result]


def edn_op(op: Op) -> Op:
    """The op as written: keys in Maelstrom's order, type and f as keywords."""
    out: dict[str, Any] = {}
    for key in FIRST_KEYS:
        if key in op:
            value = op[key]
            if key in ("type", "f") or (key == "process" and value == NEMESIS):
                value = Keyword(value)
            out[key] = value
    for key, value in op.items():
        if key not in out and not key.startswith("_"):
            out[key] = value
    return out


def op_line(op: Op, value: str | None = None) -> str:
    """One history.edn line; `value` is the op's value already written as EDN, if known."""
    if value is None or not all(k in op for k in FIRST_KEYS):
        return edn.dumps(edn_op(op))
    process = op["process"]
    head = (f'{{:index {op["index"]}, :time {op["time"]}, :type :{op["type"]}, :process '
            f'{":nemesis" if process == NEMESIS else edn.dumps(process)}, :f :{op["f"]}, '
            f':value {value}')
    extras = [f"{edn.key_text(k)} {edn.dumps(v)}" for k, v in op.items()
              if k not in _FIRST and not k.startswith("_")]
    return head + (", " + ", ".join(extras) if extras else "") + "}"


_FIRST = frozenset(FIRST_KEYS)


def write_edn(path: Path, history: Iterable[Op],
              values: Sequence[str] | None = None) -> None:
    """history.edn; `values`: each op's value as EDN, in order (saves writing them again)."""
    with path.open("w") as f:
        for i, op in enumerate(history):
            f.write(op_line(op, values[i] if values is not None else None))
            f.write("\n")


def txt_line(op: Op, value: str | None = None) -> str:
    process = Keyword(NEMESIS) if op["process"] == NEMESIS else op["process"]
    cols = [edn.dumps(process), ":" + op["type"], ":" + str(op["f"]),
            edn.dumps(op.get("value")) if value is None else value]
    if "error" in op:
        cols.append(edn.dumps(op["error"]))
    return "\t".join(cols)


def read_edn(path: Path) -> list[Op]:
    """A history.edn read back: ops with plain string keys (type and f stay Keywords, which
    compare equal to their names), each value as the interpreter recorded it (floats and
    booleans wrapped by workbench.values.clojure, as Jepsen reads them back: 7.0 is not 7)."""
    ops = []
    with path.open() as f:
        for line in f:
            if line.strip():
                op = {str(k): v for k, v in edn.loads(line).items()}
                if "value" in op:
                    op["value"] = clojure(op["value"])
                ops.append(op)
    return ops


def write_txt(path: Path, history: Iterable[Op],
              values: Sequence[str] | None = None) -> None:
    with path.open("w") as f:
        for i, op in enumerate(history):
            f.write(txt_line(op, values[i] if values is not None else None))
            f.write("\n")
