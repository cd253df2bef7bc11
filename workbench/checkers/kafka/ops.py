"""The plain data the kafka checker works on: each completion's sends and polls as
(key, offset, value) and key -> [(offset, value)], values made hashable; and the crash that
stands where Maelstrom's checker throws."""

from __future__ import annotations

from typing import Any

TXN_FS = ("send", "poll", "txn")


class CheckerCrash(Exception):
    """Raised where Maelstrom's kafka checker throws; the workload result becomes :unknown."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(str(data))
        self.data = data


def freeze(v: Any) -> Any:
    """A hashable stand-in for a JSON message (lists -> tuples, maps -> tuples of pairs)."""
    if type(v) is int or type(v) is str:  # what almost every message is
        return v
    if isinstance(v, list):
        return tuple(freeze(x) for x in v)
    if isinstance(v, dict):
        return tuple((k, freeze(x)) for k, x in v.items())
    return v


def op_writes(op: dict[str, Any]) -> list[tuple[Any, Any, Any]]:
    """(key, offset or None, value) for each send micro-op of a completion."""
    if op["f"] not in ("send", "txn") or not isinstance(op.get("value"), list):
        return []
    out = []
    for mop in op["value"]:
        if isinstance(mop, list) and len(mop) >= 3 and mop[0] == "send":
            x = mop[2]
            if isinstance(x, list):
                out.append((mop[1], x[0] if x else None, freeze(x[1]) if len(x) > 1 else None))
            else:
                out.append((mop[1], None, freeze(x)))
    return out


def op_reads(op: dict[str, Any]) -> dict[Any, list[tuple[Any, Any]]]:
    """key -> [(offset, value), ...] for each poll micro-op of a completion."""
    if op["f"] not in ("poll", "txn") or not isinstance(op.get("value"), list):
        return {}
    out: dict[Any, list[Any]] = {}
    for mop in op["value"]:
        if isinstance(mop, list) and len(mop) >= 2 and mop[0] == "poll" \
                and isinstance(mop[1], dict):
            for k, pairs in mop[1].items():
                if pairs:
                    out.setdefault(k, []).extend([(p[0], freeze(p[1])) for p in pairs])
                else:
                    out.setdefault(k, [])
    return out
