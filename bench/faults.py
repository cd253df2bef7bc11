#!/usr/bin/env python3
"""Benchmark: the fault matrix, and the cost of crash safety.

Matrix: every challenge's stage (unique-ids, broadcast-3b, broadcast-3d, counter, kafka-5b,
txn-6b, txn-6c) at its official flags, under each fault set: none, partition, kill, pause and
partition,kill,pause (the stage's own --nemesis is replaced; --nemesis-interval is --interval),
over --seeds seeds. One row per cell: runs valid, servers msgs-per-op (mean), availability
(mean ok-fraction) and, for broadcast, stable latency (median of the runs' medians / max of
their maxima, ms).

Some cells cannot hold by their nature, and are named in the `why` column:
  * `--availability total` (unique-ids, txn-6c) under kill or pause: a dead or stopped node
    cannot answer, so some ops fail or time out. Such a cell is also run without the flag
    (row marked `-avail`), which must be valid.
  * broadcast-3d under kill: its `--mode latency` is an efficiency setting that trades crash
    safety for messages (a kill of every node that held a value loses it). Such a cell is
    also run with the crash-safe default, `--mode durable` (row marked `durable`).

Cost (--cost): each stage at its official flags without faults, the scripts as they were
before crash safety (git revision --old, taken into a temporary directory) beside the
current ones: msgs-per-op, latency median / max (broadcast: stable latency) and availability,
median over seeds.

Runs are simulated (--sim, deterministic per seed) unless --real, one at a time; real runs
take the shared lock. Run from the repository root:

    .venv/bin/python bench/faults.py [--seeds 5] [--interval 2] [--stages a,b] [--faults f,g]
                                     [--real] [--cost] [--no-matrix] [--old REV]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, Outcome, Stage, quantile, run_test, stages

MATRIX_STAGES = ["unique-ids", "broadcast-3b", "broadcast-3d", "counter", "kafka-5b", "txn-6b",
                 "txn-6c"]
COST_STAGES = ["unique-ids", "broadcast-3b", "broadcast-3d", "broadcast-3e", "counter",
               "kafka-5c", "txn-6b", "txn-6c"]
FAULTS = ["none", "partition", "kill", "pause", "partition,kill,pause"]
RUN_IDS = itertools.count()
OLD_REV = "75bfde8"  # main before the solutions were made crash-safe
SCRIPTS = ["unique_ids.py", "broadcast.py", "counter.py", "kafka.py", "txn.py",
           "maelstrom_node.py"]


def without(flags: list[str], name: str, has_value: bool = True) -> list[str]:
    """`flags` without `name` (and its value)."""
    out, skip = [], False
    for f in flags:
        if skip:
            skip = False
            continue
        if f == name:
            skip = has_value
            continue
        out.append(f)
    return out


def faulted(stage: Stage, faults: str, interval: float) -> list[str]:
    flags = without(without(stage.command(), "--nemesis"), "--nemesis-interval")
    if faults != "none":
        flags += ["--nemesis", faults, "--nemesis-interval", str(interval)]
    return flags


def by_nature(stage: Stage, faults: str) -> tuple[str, list[str], list[str]] | None:
    """(why, flags change, script args) for a cell that cannot hold by its nature."""
    crash = "kill" in faults.split(",")
    stops = crash or "pause" in faults.split(",")
    if "--availability" in stage.flags and stops:
        return ("a dead or paused node cannot answer: no total availability", ["-avail"],
                stage.args)
    if stage.name == "broadcast-3d" and crash:
        return ("--mode latency trades crash safety for messages", ["durable"],
                ["--mode", "durable"])
    return None


def run(flags: list[str], args: list[str], seed: int, store: Path, real: bool) -> Outcome:
    return run_test(flags + ([] if real else ["--sim"]), seed, store, args, lock=real)


def figures(out: Outcome) -> dict:
    r = out.results
    if r is None:
        return {"valid": f"exit {out.code}"}
    q = r["perf"].get("latency-quantiles", {})
    stable = r["workload"].get("stable-latencies") or {}
    return {"valid": r["valid?"], "mpo": r["net"]["servers"].get("msgs-per-op", 0.0),
            "avail": r["availability"]["ok-fraction"], "p50": quantile(q, 0.5, 0.0),
            "max": quantile(q, 1, 0.0), "s50": quantile(stable, 0.5), "smax": quantile(stable, 1)}


def cell(flags: list[str], args: list[str], seeds: int, tmp: Path, real: bool) -> list[dict]:
    out = []
    for seed in range(1, seeds + 1):
        out.append(figures(run(flags, args, seed, tmp / f"run-{next(RUN_IDS)}", real)))
    return out


def summary(rows: list[dict]) -> str:
    ok = sum(1 for r in rows if r["valid"] is True)
    mpo = [r["mpo"] for r in rows if "mpo" in r]
    avail = [r["avail"] for r in rows if "avail" in r]
    s50 = [r["s50"] for r in rows if r.get("s50") is not None]
    smax = [r["smax"] for r in rows if r.get("smax") is not None]
    stable = f"{statistics.median(s50):.0f}/{max(smax):.0f}" if s50 else "-"
    bad = sorted({str(r["valid"]) for r in rows if r["valid"] is not True})
    return (f"{ok}/{len(rows):<3} {statistics.mean(mpo) if mpo else float('nan'):>8.3f} "
            f"{statistics.mean(avail) if avail else float('nan'):>7.4f} {stable:>11} "
            f"{','.join(bad):>8}")


def matrix(names: list[str], faults: list[str], seeds: int, interval: float, tmp: Path,
           real: bool) -> None:
    print(f"fault matrix: {seeds} seeds, --nemesis-interval {interval}, "
          f"{'real processes' if real else 'simulated (--sim)'}")
    header = (f"{'stage':<14} {'faults':<21} {'run':<8} {'valid':<5} {'msgs/op':>8} "
              f"{'avail':>7} {'stable ms':>11} {'not ok':>8}  why")
    print(header)
    print("-" * (len(header) + 40))
    table = stages()
    for name in names:
        stage = table[name]
        for f in faults:
            rows = cell(faulted(stage, f, interval), stage.args, seeds, tmp, real)
            nature = by_nature(stage, f)
            print(f"{name:<14} {f:<21} {'official':<8} {summary(rows)}  "
                  f"{nature[0] if nature else ''}", flush=True)
            if nature:
                why, (label,), args = nature
                flags = faulted(stage, f, interval)
                if label == "-avail":
                    flags = without(flags, "--availability")
                rows = cell(flags, args, seeds, tmp, real)
                print(f"{name:<14} {f:<21} {label:<8} {summary(rows)}", flush=True)


def old_scripts(rev: str, tmp: Path) -> Path:
    """The node scripts at `rev`, in a directory of their own."""
    where = tmp / f"old-{rev}"
    where.mkdir(parents=True, exist_ok=True)
    for script in SCRIPTS:
        text = subprocess.run(["git", "show", f"{rev}:{script}"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
        (where / script).write_text(text)
        (where / script).chmod(0o755)  # real runs execute it
    return where


def cost(names: list[str], seeds: int, old_rev: str, tmp: Path, real: bool) -> None:
    print(f"cost of crash safety: official flags, no faults, median over {seeds} seeds; "
          f"old = scripts at {old_rev}")
    header = (f"{'stage':<14} {'msgs/op old':>11} {'new':>7} {'lat p50 old':>11} {'new':>7} "
              f"{'lat max old':>11} {'new':>8} {'stable old':>10} {'new':>9} "
              f"{'avail old':>9} {'new':>7}")
    print(header)
    print("-" * len(header))
    old_dir = old_scripts(old_rev, tmp)
    table = stages()
    for name in names:
        stage = table[name]
        flags = faulted(stage, "none", 1.0)
        i = flags.index("--bin")
        old_flags = flags[:i + 1] + [str(old_dir / flags[i + 1])] + flags[i + 2:]
        old = cell(old_flags, stage.args, seeds, tmp / "old", real)
        new = cell(flags, stage.args, seeds, tmp / "new", real)

        def med(rows: list[dict], key: str) -> float:
            xs = [r[key] for r in rows if r.get(key) is not None]
            return statistics.median(xs) if xs else float("nan")

        def stable(rows: list[dict]) -> str:
            return f"{med(rows, 's50'):.0f}/{med(rows, 'smax'):.0f}" if rows[0].get("s50") \
                is not None else "-"
        valid = "" if all(r["valid"] is True for r in old + new) else "  (some runs not valid)"
        print(f"{name:<14} {med(old, 'mpo'):>11.3f} {med(new, 'mpo'):>7.3f} "
              f"{med(old, 'p50'):>11.1f} {med(new, 'p50'):>7.1f} {med(old, 'max'):>11.1f} "
              f"{med(new, 'max'):>8.1f} {stable(old):>10} {stable(new):>9} "
              f"{med(old, 'avail'):>9.4f} {med(new, 'avail'):>7.4f}{valid}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--interval", type=float, default=2.0, help="--nemesis-interval (s)")
    ap.add_argument("--stages", default=",".join(MATRIX_STAGES))
    ap.add_argument("--faults", default="|".join(FAULTS),
                    help="fault sets separated by |, e.g. 'kill|partition,kill,pause'")
    ap.add_argument("--real", action="store_true", help="real processes instead of --sim")
    ap.add_argument("--cost", action="store_true", help="also the cost table")
    ap.add_argument("--cost-stages", default=",".join(COST_STAGES))
    ap.add_argument("--no-matrix", action="store_true")
    ap.add_argument("--old", default=OLD_REV, help="git revision of the old scripts")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not args.no_matrix:
            matrix(args.stages.split(","), args.faults.split("|"), args.seeds, args.interval,
                   tmp, args.real)
            print()
        if args.cost:
            cost(args.cost_stages.split(","), args.seeds, args.old, tmp, args.real)


if __name__ == "__main__":
    sys.exit(main())
