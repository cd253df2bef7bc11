#!/usr/bin/env python3
"""Benchmark: kafka.py at the 5c flags (and optionally with --nemesis partition) over seeds.

Prints one row per run: stage, seed, valid, ops, servers msgs-per-op, availability, worst
realtime lag, latency quantiles, and the kafka checker's analysis time (the stored history
re-read and checked again, timed alone). Run from the repository root, holding the lock:

    flock /tmp/workbench-run.lock .venv/bin/python bench/kafka.py [--seeds 5] [--partition]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from common import quantile, run_test, stages

from workbench.checkers.kafka import check

FLAGS = stages()["kafka-5c"].command()  # the official flags, from stages.txt


def run(flags: list[str], seed: int, store: Path) -> tuple[int, dict | None, float]:
    """(exit code, results, seconds our checker takes on the run's history)."""
    out = run_test(flags, seed, store)
    if out.results is None:
        return out.code, None, 0.0
    history = out.history()
    started = time.perf_counter()
    check(None, history)
    return out.code, out.results, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--partition", action="store_true", help="also run with --nemesis partition")
    args = ap.parse_args()
    variants = [("5c", FLAGS)]
    if args.partition:
        variants.append(("5c+part", FLAGS + ["--nemesis", "partition"]))
    header = (f"{'stage':<8} {'seed':>4} {'valid':>6} {'ops':>6} {'srv/op':>7} {'avail':>7} "
              f"{'lag s':>6} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>8} {'check s':>8}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for name, flags in variants:
            rows = []
            for seed in range(1, args.seeds + 1):
                code, r, took = run(flags, seed, Path(tmp) / f"{name}-{seed}")
                if r is None:
                    print(f"{name:<8} {seed:>4} exit {code}: no results")
                    continue
                q = r["perf"].get("latency-quantiles", {})
                row = (r["net"]["servers"].get("msgs-per-op", 0.0),
                       r["availability"]["ok-fraction"],
                       r["workload"]["worst-realtime-lag"]["lag"], took)
                rows.append(row)
                print(f"{name:<8} {seed:>4} {str(r['valid?']):>6} {r['stats']['count']:>6} "
                      f"{row[0]:>7.3f} {row[1]:>7.4f} {row[2]:>6.3f} {quantile(q, 0.5, 0):>7.2f} "
                      f"{quantile(q, 0.99, 0):>7.2f} {quantile(q, 1, 0):>8.2f} {took:>8.2f}",
                      flush=True)
            if rows:
                cols = list(zip(*rows, strict=True))
                print(f"{name:<8} mean {'':>6} {'':>6} {statistics.mean(cols[0]):>7.3f} "
                      f"{statistics.mean(cols[1]):>7.4f} {statistics.mean(cols[2]):>6.3f} "
                      f"{'':>7} {'':>7} {'':>8} {statistics.mean(cols[3]):>8.2f}")


if __name__ == "__main__":
    main()
