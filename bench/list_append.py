#!/usr/bin/env python3
"""Benchmark: our Elle list-append analysis on a realistic txn-list-append history of a
20 s run at --rate 1000 (about 20,000 txns), target 2 s or less.

The history is synthesized, not run: 10 client processes issue the workload's own txns
(txn_list_append.AppendGenerator, default flags) back to back, each txn takes 1-10 ms and
takes effect atomically at a random instant inside that window against one in-memory store,
so the clean history is strict-serializable. The "stale" rows make a fraction of reads miss
their key's newest element (real-time and G-single-item anomalies to find and explain); the
"info" rows turn some completions into timeouts.

One row per scenario and consistency model: txns, ok count, anomaly types found, and the
best of three analysis times (s).

    .venv/bin/python bench/list_append.py [--txns 20000] [--seed 1]
"""

from __future__ import annotations

import argparse
import heapq
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.elle import list_append  # noqa: E402
from workbench.workloads.txn_list_append import AppendGenerator  # noqa: E402

PROCESSES = 10


def synthesize(n: int, seed: int, stale: float = 0.0, info: float = 0.0) -> list[dict]:
    """A history of `n` txns (see the module docstring)."""
    rng = random.Random(seed)
    gen = AppendGenerator(random.Random(seed + 1))
    store: dict = {}
    events: list[tuple] = []  # (time ns, order, kind, process, value, type)
    queue = [(rng.randint(0, 10**6), p) for p in range(PROCESSES)]  # (next invoke, process)
    heapq.heapify(queue)
    applies: list[tuple] = []
    for i in range(n):
        start, p = heapq.heappop(queue)
        mops = gen.op(p, 0.0)["value"]
        latency = rng.randint(10**6, 10**7)
        applies.append((start + rng.randint(0, latency - 1), i, p, mops, start,
                        start + latency))
        heapq.heappush(queue, (start + latency + rng.randint(0, 10**6), p))
    for _at, i, p, mops, start, end in sorted(applies):
        out = []
        for f, k, v in mops:
            if f == "append":
                store.setdefault(k, []).append(v)
                out.append([f, k, v])
            else:
                got = list(store[k]) if k in store else None
                if got and rng.random() < stale:
                    got = got[:-1]
                out.append([f, k, got])
        kind = "info" if rng.random() < info else "ok"
        events.append((start, i, "invoke", p, [[f, k, v] for f, k, v in mops]))
        events.append((end, i, kind, p, out if kind == "ok" else events[-1][4]))
    events.sort(key=lambda e: (e[0], e[2] != "invoke", e[1]))
    return [{"index": j, "time": t, "type": kind, "process": p, "f": "txn", "value": value}
            for j, (t, _i, kind, p, value) in enumerate(events)]


def timed(history: list[dict], models: list[str]) -> tuple[float, dict]:
    best, result = float("inf"), {}
    for _ in range(3):
        started = time.perf_counter()
        result = list_append.check(history, models)
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--txns", type=int, default=20000)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    scenarios = [("clean", 0.0, 0.0), ("info 1%", 0.0, 0.01), ("stale 0.1%", 0.001, 0.0),
                 ("stale 1%", 0.01, 0.0)]
    rows = []
    for name, stale, info in scenarios:
        history = synthesize(args.txns, args.seed, stale, info)
        oks = sum(1 for op in history if op["type"] == "ok")
        for models in (["strict-serializable"], ["serializable"], ["read-committed"]):
            seconds, result = timed(history, models)
            kinds = ",".join(str(t) for t in result.get("anomaly-types", [])) or "-"
            rows.append((name, models[0], args.txns, oks, str(result["valid?"]), kinds,
                         f"{seconds:.2f}"))
    head = ("history", "models", "txns", "ok", "valid?", "anomaly types", "analysis s")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    for row in [head] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
