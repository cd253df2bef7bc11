""":perf: latency quantiles and throughput of client ops (the plots come from report/)."""

from __future__ import annotations

from typing import Any

from ..history import pairs

QUANTILES = (0, 0.5, 0.95, 0.99, 1)


def quantiles(sorted_values: list[Any], qs: tuple[Any, ...] = QUANTILES) -> dict[str, Any]:
    """Jepsen's rule: the value at index min(n-1, floor(n*q))."""
    n = len(sorted_values)
    return {q: sorted_values[min(n - 1, int(n * q))] for q in qs} if n else {}


def perf(history: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = []
    first = last = None
    ok = 0
    for inv, done in pairs(history):
        if done is None:
            continue
        latencies.append((done["time"] - inv["time"]) / 1e6)
        ok += done["type"] == "ok"
        first = inv["time"] if first is None else min(first, inv["time"])
        last = done["time"] if last is None else max(last, done["time"])
    latencies.sort()
    span = (last - first) / 1e9 if first is not None and last > first else 0.0
    out: dict[str, Any] = {"latency-graph": {"valid?": True}, "rate-graph": {"valid?": True}}
    if latencies:
        out["latency-quantiles"] = {q: round(v, 3) for q, v in quantiles(latencies).items()}
        out["ok-rate"] = round(ok / span, 3) if span else 0.0
    out["valid?"] = True
    return out
