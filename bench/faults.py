#!/usr/bin/env python3
"""Benchmark: the fault sweep table, and the cost of crash safety.

Sweep: each stage at its official flags (its own --nemesis replaced) under each fault mix,
partition, kill, pause and partition,kill,pause, over seeds 1..N, as one `python3 -m
workbench sweep --swarm --swarm-all-faults` per cell: every seed keeps the cell's faults and
the stage's node count, rate, latency and time limit, and draws its --nemesis-interval from
1 to 10 s (from the seed alone, so a seed draws the same interval in every cell with as many
faults, and the replay command spells it out). One row per cell: valid seeds / seeds;
unanswerable seeds (invalid, and no op's request reached a running node while its client
waited, so no node program could pass them: see docs/sweep.md); held-only seeds (every such
request had waited through a pause of 5 s or more, so a node could have answered it only
blind: it may be older than its client's patience, and answering a client that left mutes
the node); the other invalid seeds, which are the script's fault; servers msgs-per-op and
availability (mean :ok-fraction); the most common failure signature among the others, with
its count and first seed. Every failing seed's replay command follows the table.

`--availability total` stays only under partition alone: a dead or paused node cannot
answer, so the flag is dropped from cells with kill or pause (unique-ids, txn-6a,
txn-6b-partition, txn-6c). Stages whose flags coincide once the nemesis is replaced
(broadcast-3b and 3c, kafka-5b and 5c, txn-6b and 6b-partition without the flag) are run
once and named together. The efficiency settings are stages too: broadcast-3d (--mode
latency), broadcast-3e (--mode traffic) and counter-lean (counter.py --mode lean).

Cost (--cost): each stage at its official flags without faults, the scripts as they were
before crash safety (git revision --old, taken into a temporary directory) beside the
current ones: msgs-per-op, latency median / max (broadcast: stable latency) and availability,
median over seeds.

Sweeps are simulated (deterministic per seed) on --jobs processes unless --real; cost runs
go one at a time, and real ones take the shared lock. Run from the repository root:

    .venv/bin/python bench/faults.py [--seeds 20 | --seeds 1-200] [--stages a,b]
        [--faults 'partition|kill|pause|partition,kill,pause'] [--interval 3] [--real]
        [--jobs 2] [--jsonl FILE] [--cost] [--no-matrix] [--old REV]
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, Outcome, Stage, quantile, run_test, stages

from workbench.sweep import unpassable

DEFAULT_STAGES = ["unique-ids", "broadcast-3b", "broadcast-3c", "counter", "kafka-5b",
                  "kafka-5c", "txn-6a", "txn-6b", "txn-6b-partition", "txn-6c"]
EFFICIENCY = {"broadcast-3d": [], "broadcast-3e": [], "counter-lean": ["--mode", "lean"]}
COST_STAGES = ["unique-ids", "broadcast-3b", "broadcast-3d", "broadcast-3e", "counter",
               "kafka-5c", "txn-6b", "txn-6c"]
FAULTS = ["partition", "kill", "pause", "partition,kill,pause"]
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


@dataclass
class Cell:
    names: list[str]  # stages with these very flags
    faults: str
    flags: list[str]  # without --nemesis-interval, --seed, --store
    args: list[str]


def cells(names: list[str], faults: list[str]) -> list[Cell]:
    """The cells to run, stages with the same flags under a fault mix merged."""
    table = stages()
    out: dict[tuple[str, ...], Cell] = {}
    for f in faults:
        for name in names:
            base = "counter" if name == "counter-lean" else name
            stage = table[base]
            args = EFFICIENCY.get(name, stage.args) or stage.args
            flags = without(without(stage.command(), "--nemesis"), "--nemesis-interval")
            stops = bool({"kill", "pause"} & set(f.split(",")))
            if stops:
                flags = without(flags, "--availability")
            flags += ["--nemesis", f]
            key = (f, *flags, "--", *args)
            if key in out:
                out[key].names.append(name)
            else:
                out[key] = Cell([name], f, flags, list(args))
    return list(out.values())


def figures(out: Outcome) -> dict:
    r = out.results
    if r is None:
        return {"valid": False}
    q = r["perf"].get("latency-quantiles", {})
    stable = r["workload"].get("stable-latencies") or {}
    return {"valid": r["valid?"] is True, "mpo": r["net"]["servers"].get("msgs-per-op", 0.0),
            "avail": r["availability"]["ok-fraction"], "p50": quantile(q, 0.5, 0.0),
            "max": quantile(q, 1, 0.0), "s50": quantile(stable, 0.5), "smax": quantile(stable, 1)}


def run(flags: list[str], args: list[str], seed: int, store: Path, real: bool) -> Outcome:
    return run_test(flags + ([] if real else ["--sim"]), seed, store, args, lock=real)


def sweep_cell(c: Cell, seeds: list[int], fixed: float | None, tmp: Path, real: bool,
               jobs: int, jsonl: Path | None) -> list[dict]:
    """The cell's seeds as one `workbench sweep`; its lines."""
    pinned = {name: flag_value(c.flags, f"--{name}", "0")
              for name in ("node-count", "rate", "latency", "time-limit")}
    interval = f"{fixed}-{fixed}" if fixed is not None else "1-10"
    store = tmp / f"sweep-{next(RUN_IDS)}"
    cmd = [sys.executable, "-m", "workbench", "sweep", *c.flags, "--seeds", seed_span(seeds),
           "--jobs", str(jobs), "--store", str(store), "--quiet", "--swarm",
           "--swarm-all-faults", "--swarm-nemesis-interval", interval,
           *(x for k, v in pinned.items() for x in (f"--swarm-{k}", f"{v}-{v}")),
           *(["--real"] if real else []), *(["--", *c.args] if c.args else [])]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    found = sorted(store.glob("sweeps/*/sweep.jsonl"))
    if not found:
        raise SystemExit(f"{' '.join(c.names)} {c.faults}: the sweep wrote no lines "
                         f"(exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
    rows = [json.loads(x) for x in found[-1].read_text().splitlines()]
    if jsonl is not None:
        with jsonl.open("a") as f:
            for row in rows:
                f.write(json.dumps({"stages": c.names, "faults": c.faults, **row}) + "\n")
    shutil.rmtree(store, ignore_errors=True)
    return sorted(rows, key=lambda r: r["seed"])


def flag_value(flags: list[str], name: str, default: str) -> str:
    """The value after `name` in `flags`, or `default` if it is not there."""
    return flags[flags.index(name) + 1] if name in flags else default


def replay(command: str) -> str:
    """A sweep line's replay command without the bench's scratch --store and --quiet."""
    return re.sub(r" --store \S+| --quiet", "", command)


def seed_span(seeds: list[int]) -> str:
    return f"{seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) \
        else ",".join(map(str, seeds))


def seed_list(text: str) -> list[int]:
    """"N" (seeds 1..N), "A-B", or a comma-separated list."""
    if "-" in text:
        a, b = text.split("-", 1)
        return list(range(int(a), int(b) + 1))
    if "," in text:
        return [int(x) for x in text.split(",")]
    return list(range(1, int(text) + 1))


def summary(rows: list[dict]) -> str:
    """valid/seeds, unanswerable, held only, the other invalid seeds, msgs-per-op,
    availability, the most common failure signature among the others."""
    ok = sum(1 for r in rows if r["exit"] == 0)
    why = collections.Counter(unpassable(r) for r in rows if r["exit"] != 0)
    mpo = [r["msgs_per_op"] for r in rows if r.get("msgs_per_op") is not None]
    avail = [r["ok_fraction"] for r in rows if r.get("ok_fraction") is not None]
    bad = [r for r in rows if r["exit"] != 0 and unpassable(r) is None]
    sigs = collections.Counter(r["signature"] or f"exit {r['exit']}" for r in bad)
    worst = "-"
    if sigs:
        sig, n = sigs.most_common(1)[0]
        first = min(r["seed"] for r in bad if (r["signature"] or f"exit {r['exit']}") == sig)
        worst = f"{sig} x{n} (seed {first})"
    return (f"{f'{ok}/{len(rows)}':>9} {why['unanswerable']:>6} {why['held only']:>4} "
            f"{len(bad):>5} "
            f"{statistics.mean(mpo) if mpo else math.nan:>8.3f} "
            f"{statistics.mean(avail) if avail else math.nan:>7.4f}  {worst}")


def matrix(names: list[str], faults: list[str], seeds: list[int], fixed: float | None,
           tmp: Path, real: bool, jobs: int, jsonl: Path | None) -> None:
    drawn = f"--nemesis-interval {fixed}" if fixed is not None else \
        "--nemesis-interval drawn per seed from 1-10 s"
    print(f"fault sweep: seeds {seed_span(seeds)}, {drawn}, "
          f"{'real processes' if real else 'simulated (--sim)'}, {jobs} jobs")
    header = (f"{'stage':<30} {'faults':<21} {'valid':>9} {'unansw':>6} {'held':>4} {'bad':>5} "
              f"{'msgs/op':>8} {'avail':>7}  worst signature")
    print(header)
    print("-" * (len(header) + 30))
    failing: list[str] = []
    for c in cells(names, faults):
        rows = sweep_cell(c, seeds, fixed, tmp, real, jobs, jsonl)
        label = " = ".join(c.names)
        if "--availability" in c.flags:
            label += " +avail"
        print(f"{label:<30} {c.faults:<21} {summary(rows)}", flush=True)
        failing += [f"  {label} {c.faults}: {r['signature'] or 'exit ' + str(r['exit'])}"
                    + (f" ({unpassable(r)})" if unpassable(r) else "")
                    + f"\n    {replay(r['replay'])}" for r in rows if r["exit"] != 0]
    if failing:
        print("\nfailing seeds:")
        print("\n".join(failing))


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


def cell(flags: list[str], args: list[str], seeds: int, tmp: Path, real: bool) -> list[dict]:
    return [figures(run(flags, args, seed, tmp / f"run-{next(RUN_IDS)}", real))
            for seed in range(1, seeds + 1)]


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
    ap.add_argument("--seeds", default="20", help="N (seeds 1..N), A-B, or a list a,b,c")
    ap.add_argument("--interval", type=float, default=None,
                    help="a fixed --nemesis-interval (s); default: drawn per seed from 1-10 s")
    ap.add_argument("--stages", default=",".join([*DEFAULT_STAGES, *EFFICIENCY]))
    ap.add_argument("--faults", default="|".join(FAULTS),
                    help="fault mixes separated by |, e.g. 'kill|partition,kill,pause'")
    ap.add_argument("--real", action="store_true", help="real processes instead of --sim")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="seeds at once in each cell's sweep")
    ap.add_argument("--jsonl", type=Path, help="also append one line per run to this file")
    ap.add_argument("--cost", action="store_true", help="also the cost table")
    ap.add_argument("--cost-stages", default=",".join(COST_STAGES))
    ap.add_argument("--no-matrix", action="store_true")
    ap.add_argument("--old", default=OLD_REV, help="git revision of the old scripts")
    args = ap.parse_args()
    seeds = seed_list(args.seeds)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not args.no_matrix:
            matrix(args.stages.split(","), args.faults.split("|"), seeds, args.interval, tmp,
                   args.real, args.jobs, args.jsonl)
            print()
        if args.cost:
            cost(args.cost_stages.split(","), len(seeds), args.old, tmp, args.real)


if __name__ == "__main__":
    sys.exit(main())
