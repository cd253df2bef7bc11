""":stats, :availability and :exceptions (Jepsen's jepsen/checker.clj stats, Maelstrom's
availability and exceptions checkers)."""

from __future__ import annotations

import collections
from typing import Any

from ..history import is_client_op

EXEMPT_FS = {"crash", "debug-topic-partitions"}


def _counts(ops: list[dict[str, Any]]) -> dict[str, Any]:
    c = collections.Counter(op["type"] for op in ops)
    return {"count": len(ops), "ok-count": c["ok"], "fail-count": c["fail"],
            "info-count": c["info"]}


def stats(history: list[dict[str, Any]]) -> dict[str, Any]:
    done = [op for op in history if op["type"] != "invoke" and is_client_op(op)]
    by_f: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for op in done:
        by_f[op["f"]].append(op)
    per_f = {}
    for f in sorted(by_f):
        entry = _counts(by_f[f])
        per_f[f] = {"valid?": entry["ok-count"] > 0, **entry}
    valid = all(v["valid?"] for f, v in per_f.items() if f not in EXEMPT_FS)
    return {"valid?": valid, **_counts(done), "by-f": per_f}


def availability(history: list[dict[str, Any]], expected: object | None) -> dict[str, Any]:
    invokes = sum(1 for op in history if op["type"] == "invoke" and is_client_op(op))
    oks = sum(1 for op in history if op["type"] == "ok" and is_client_op(op))
    fraction = oks / invokes if invokes else 1.0
    if expected is None:
        valid = True
    elif expected == "total":
        valid = fraction == 1.0
    else:
        valid = expected <= fraction  # type: ignore[operator]
    return {"valid?": valid, "ok-fraction": float(f"{fraction:.7g}")}


def exceptions(history: list[dict[str, Any]]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for op in history:
        if op["type"] == "info" and is_client_op(op) and "exception" in op:
            groups[str(op["exception"].get("type", "Exception"))].append(op)
    out: dict[str, Any] = {"valid?": True}
    if groups:
        ranked = sorted(groups.items(), key=lambda kv: -len(kv[1]))
        out["exceptions"] = [{"count": len(ops), "class": cls, "example": _strip(ops[0])}
                             for cls, ops in ranked]
    return out


def _strip(op: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in op.items() if not k.startswith("_")}
