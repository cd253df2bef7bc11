#!/usr/bin/env python3
"""Benchmark: echo and unique-ids at their official flags, over several seeds.

Prints one row per run: stage, seed, valid, ops, servers msgs-per-op, availability, latency
quantiles, wall time and the workbench's overhead beyond --time-limit (start-up, teardown
and analysis). Run from the repository root:

    .venv/bin/python bench/foundation.py [--seeds 5] [--stages echo,unique-ids]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import quantile, run_test, stages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--stages", default="echo,unique-ids")
    args = ap.parse_args()
    header = (f"{'stage':<11} {'seed':>4} {'valid':>6} {'ops':>6} {'srv/op':>7} {'avail':>6} "
              f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'wall s':>7} {'overhead s':>10}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for stage in args.stages.split(","):
            table = stages()[stage]  # the official flags, from stages.txt
            flags, limit = table.command(), float(table.flag("--time-limit") or 60)
            for seed in range(1, args.seeds + 1):
                out = run_test(flags, seed, Path(tmp) / f"{stage}-{seed}")
                r, wall = out.results, out.wall
                if r is None:
                    print(f"{stage:<11} {seed:>4} exit {out.code}: no results")
                    continue
                q = r["perf"].get("latency-quantiles", {})
                print(f"{stage:<11} {seed:>4} {str(r['valid?']):>6} {r['stats']['count']:>6} "
                      f"{r['net']['servers'].get('msgs-per-op', 0):>7.3f} "
                      f"{r['availability']['ok-fraction']:>6.3f} {quantile(q, 0.5, 0):>7.2f} "
                      f"{quantile(q, 0.99, 0):>7.2f} {quantile(q, 1, 0):>7.2f} {wall:>7.2f} "
                      f"{wall - limit:>10.2f}")


if __name__ == "__main__":
    main()
