#!/usr/bin/env python3
"""Benchmark: counter.py (challenge 4) at the official flags over several seeds.

    --node-count 3 --rate 100 --time-limit 20 --nemesis partition

One row per seed: validity, ops, servers msgs-per-op, whether every final read was exact
(the acceptable set is one value and every final read is it), latency quantiles, and how
stale the reads during the run were. A read's staleness is judged against the adds that
were acknowledged before the read was invoked (it had to see those to be fresh):

    lag     = max(0, acked sum at the read's invocation - value read)
    age     = how long before the invocation the acked sum first exceeded the value (0 when
              fresh): the age of the newest state the read could have been showing
    fresh%  = share of reads with lag 0

Run from the repository root, holding the shared lock:

    flock /tmp/workbench-run.lock .venv/bin/python bench/counter.py [--seeds 5] \
        [--mode lean] [--budget 0.9]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import quantile, read_history, run_test, stages
from frontier_counter import quantiles, staleness

FLAGS = stages()["counter"].command()  # the official flags, from stages.txt


def run(seed: int, store: Path, node_args: list[str]) -> tuple[int, dict | None, Path | None,
                                                               float]:
    out = run_test(FLAGS, seed, store, node_args)
    return out.code, out.results, out.run_dir, out.wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--budget", type=float, default=None, help="counter.py --budget")
    ap.add_argument("--mode", choices=("durable", "lean"), default=None, help="counter.py --mode")
    args = ap.parse_args()
    node_args = ["--budget", str(args.budget)] if args.budget is not None else []
    node_args += ["--mode", args.mode] if args.mode is not None else []
    header = (f"{'seed':>4} {'valid':>6} {'ops':>5} {'srv/op':>7} {'exact':>6} {'final':>6} "
              f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'fresh%':>7} {'lag p50/95/max':>15} "
              f"{'age ms p50/95/max':>18} {'wall s':>7}")
    print(header)
    print("-" * len(header))
    all_lags: list[float] = []
    all_ages: list[float] = []
    all_cut: list[bool] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            code, r, run_dir, wall = run(seed, Path(tmp) / f"s{seed}", node_args)
            if r is None or run_dir is None:
                print(f"{seed:>4} exit {code}: no results")
                continue
            w = r["workload"]
            finals = w["final-reads"]
            exact = (len(w["acceptable"]) == 1 and w["acceptable"][0][0] == w["acceptable"][0][1]
                     and bool(finals) and all(v == w["acceptable"][0][0] for v in finals))
            lags, ages, cut = staleness(read_history(run_dir))
            all_lags += lags
            all_ages += ages
            all_cut += cut
            fresh = 100.0 * sum(1 for x in lags if x == 0) / max(1, len(lags))
            q = r["perf"].get("latency-quantiles", {})
            lq = "/".join(f"{x:g}" for x in quantiles(lags))
            aq = "/".join(f"{x:.0f}" for x in quantiles(ages))
            print(f"{seed:>4} {str(r['valid?']):>6} {r['stats']['count']:>5} "
                  f"{r['net']['servers'].get('msgs-per-op', 0):>7.3f} {str(exact):>6} "
                  f"{finals[0] if finals else '-':>6} {quantile(q, 0.5, 0):>7.2f} "
                  f"{quantile(q, 0.99, 0):>7.2f} "
                  f"{quantile(q, 1, 0):>7.2f} {fresh:>7.1f} {lq:>15} {aq:>18} {wall:>7.1f}")
    if all_lags:
        fresh = 100.0 * sum(1 for x in all_lags if x == 0) / len(all_lags)
        print(f"all seeds: {len(all_lags)} in-run reads, {fresh:.1f}% fresh; "
              f"lag p50/95/max {'/'.join(f'{x:g}' for x in quantiles(all_lags))}; "
              f"age ms p50/95/max {'/'.join(f'{x:.0f}' for x in quantiles(all_ages))}")
        for label, want in (("healed", False), ("partitioned", True)):
            lags = [x for x, c in zip(all_lags, all_cut, strict=True) if c == want]
            ages = [x for x, c in zip(all_ages, all_cut, strict=True) if c == want]
            if lags:
                fresh = 100.0 * sum(1 for x in lags if x == 0) / len(lags)
                print(f"  while {label}: {len(lags)} reads, {fresh:.1f}% fresh; lag p50/95/max "
                      f"{'/'.join(f'{x:g}' for x in quantiles(lags))}; age ms p50/95/max "
                      f"{'/'.join(f'{x:.0f}' for x in quantiles(ages))}")


if __name__ == "__main__":
    main()
