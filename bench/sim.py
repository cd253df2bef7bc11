#!/usr/bin/env python3
"""Benchmark: simulated runs (--sim) against real ones, stage by stage, same flags and seeds.

Three tables:
  speed      wall-clock seconds of whole runs (start-up to exit), real vs simulated, for the
             stages named by --speed (default broadcast-3d and kafka-5c), median over seeds
  agreement  for every stage and seed: the verdict, servers msgs-per-op, availability and
             latency quantiles (for broadcast, stable latency), real beside simulated
  run.sh     the wall time of `./run.sh all --sim` (every stage, simulated, one after another)

Run from the repository root; real runs take their full time limits (about 7 minutes per seed
for all stages) and each waits for the machine's other benchmarks (flock):

    .venv/bin/python bench/sim.py [--seeds 5] [--stages all|a,b,...] [--speed a,b] [--no-real]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Outcome, Stage, quantile, run_test, stages


def run(stage: Stage, seed: int, store: Path, sim: bool, lock: bool = False) -> Outcome:
    """One run; real runs always take the shared lock, simulated ones when timed (`lock`)."""
    flags = stage.command() + (["--sim"] if sim else [])
    return run_test(flags, seed, store, stage.args, lock=lock or not sim)


def figures(out: Outcome) -> dict:
    r = out.results
    if r is None:
        return {"valid": f"exit {out.code}"}
    q = r["perf"].get("latency-quantiles", {})
    w = r["workload"]
    stable = w.get("stable-latencies") or {}
    return {"valid": str(r["valid?"]), "mpo": r["net"]["servers"].get("msgs-per-op", 0.0),
            "avail": r["availability"]["ok-fraction"], "p50": quantile(q, 0.5, 0.0),
            "p99": quantile(q, 0.99, 0.0), "max": quantile(q, 1, 0.0),
            "stable": f"{quantile(stable, 0.5, '-')}/{quantile(stable, 1, '-')}" if stable else "-"}


def agreement(names: list[str], seeds: int, tmp: Path, real: bool) -> None:
    header = (f"{'stage':<16} {'seed':>4} {'valid real/sim':>15} {'msgs/op real':>12} "
              f"{'sim':>8} {'diff':>6} {'avail r/s':>11} {'p50 ms r/s':>13} "
              f"{'p99 ms r/s':>13} {'max ms r/s':>15} {'stable ms r/s':>17}")
    print(header)
    print("-" * len(header))
    table = stages()
    for name in names:
        for seed in range(1, seeds + 1):
            s = figures(run(table[name], seed, tmp / f"{name}-{seed}-sim", True))
            r = figures(run(table[name], seed, tmp / f"{name}-{seed}-real", False)) if real \
                else {}
            diff = ""
            if "mpo" in s and "mpo" in r and r["mpo"]:
                diff = f"{100 * (s['mpo'] - r['mpo']) / r['mpo']:+.1f}%"
            elif "mpo" in s and "mpo" in r:
                diff = "0" if s["mpo"] == r["mpo"] else "n/a"

            def pair(key: str, fmt: str, r: dict = r, s: dict = s) -> str:
                a = format(r[key], fmt) if key in r else "-"
                b = format(s[key], fmt) if key in s else "-"
                return f"{a}/{b}"
            print(f"{name:<16} {seed:>4} {r.get('valid', '-') + '/' + s['valid']:>15} "
                  f"{r.get('mpo', float('nan')):>12.3f} {s.get('mpo', float('nan')):>8.3f} "
                  f"{diff:>6} {pair('avail', '.3f'):>11} {pair('p50', '.2f'):>13} "
                  f"{pair('p99', '.2f'):>13} {pair('max', '.1f'):>15} "
                  f"{r.get('stable', '-') + ' / ' + s.get('stable', '-'):>17}", flush=True)


def speed(names: list[str], seeds: int, tmp: Path) -> None:
    # Bytecode as a user's Python caches it after the first run (this machine's environment
    # sets PYTHONDONTWRITEBYTECODE, which would make every run compile the workbench again)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "workbench", "maelstrom_node.py"],
                   cwd=ROOT, check=True)
    header = (f"{'stage':<14} {'seeds':>5} {'real s (median)':>16} {'sim s (median)':>15} "
              f"{'min-max sim':>12} {'speed-up':>9}")
    print(header)
    print("-" * len(header))
    table = stages()
    for name in names:
        real_walls, sim_walls = [], []
        for seed in range(1, seeds + 1):
            real_walls.append(run(table[name], seed, tmp / f"speed-{name}-{seed}-r", False).wall)
            sim_walls.append(run(table[name], seed, tmp / f"speed-{name}-{seed}-s", True,
                                 lock=True).wall)
        r, s = statistics.median(real_walls), statistics.median(sim_walls)
        print(f"{name:<14} {seeds:>5} {r:>16.2f} {s:>15.2f} "
              f"{min(sim_walls):>5.2f}-{max(sim_walls):<6.2f} {r / s:>8.1f}x", flush=True)


def run_sh_all(tmp: Path) -> None:
    started = time.monotonic()
    proc = subprocess.run(["./run.sh", "all", "--sim", "--quiet", "--store", str(tmp / "all")],
                          cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, RESULTS_DIR=str(tmp / "results")))
    wall = time.monotonic() - started
    valid = proc.stdout.count("Everything looks good!")
    print(f"./run.sh all --sim: exit {proc.returncode}, {valid} of {len(stages())} stages "
          f"valid, {wall:.1f} s wall in all")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--stages", default="all", help="agreement table: stages, or all")
    ap.add_argument("--speed", default="broadcast-3d,kafka-5c", help="speed table: stages")
    ap.add_argument("--speed-seeds", type=int, default=3)
    ap.add_argument("--no-real", action="store_true", help="simulated runs only")
    ap.add_argument("--skip", default="", help="tables to skip: speed,agreement,run.sh")
    args = ap.parse_args()
    skip = set(args.skip.split(","))
    names = list(stages()) if args.stages == "all" else args.stages.split(",")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if "run.sh" not in skip:
            run_sh_all(tmp)
            print()
        if "speed" not in skip and not args.no_real:
            speed(args.speed.split(","), args.speed_seeds, tmp)
            print()
        if "agreement" not in skip:
            agreement(names, args.seeds, tmp, not args.no_real)


if __name__ == "__main__":
    sys.exit(main())
