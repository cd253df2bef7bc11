#!/usr/bin/env python3
"""Benchmark: `python -m workbench sweep` throughput, and where a seed's CPU goes.

Tables:
  stages   every stage at its official flags (stages.txt), a handful of seeds each: seeds per
           minute (the whole sweep's wall clock, pool start-up included), CPU seconds per
           seed (median, from sweep.jsonl), the sweep's exit status and failing seeds
  counter  counter at its official flags plus --nemesis partition,kill,pause over
           --counter-seeds seeds (default 100): seeds per minute and the time 1,000 seeds take
           (measured when --counter-seeds is 1000, else extrapolated, and marked so)
  cluster  (--cluster-seeds N) the same counter sweep through a local Dask scheduler with two
           single-threaded workers against the local pool of two: seeds per minute each
  find     (--find N) swarm sweeps of kafka.py (5c flags) and broadcast.py (3b flags) over
           partition, kill and pause at interval 3: failures by signature, and every failing
           seed's replay command run again (same exit and signature, or not)
  profile  cProfile of one simulated counter seed (bare, as a sweep runs it): the functions
           with the most own CPU time, and the same time by file

Run from the repository root, on a quiet machine (each sweep waits for the machine's other
benchmarks through the shared flock):

    .venv/bin/python bench/sweep.py [--seeds 4] [--jobs 2] [--stages all|a,b] \\
        [--counter-seeds 100] [--cluster-seeds 0] [--find 0] [--no-profile]
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import os
import pstats
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import LOCK, ROOT, stages

from workbench.local_cluster import local_cluster

sys.path.insert(0, str(ROOT))

COUNTER_FAULTS = ["--nemesis", "partition,kill,pause"]


@dataclasses.dataclass
class Swept:
    seeds: int
    wall: float
    code: int
    cpu: list[float]
    failing: list[int]

    @property
    def per_minute(self) -> float:
        return self.seeds / self.wall * 60


def sweep(flags: list[str], args: list[str], seeds: int, jobs: int, store: Path,
          cluster: str | None = None) -> Swept:
    cmd = [sys.executable, "-m", "workbench", "sweep", *flags, "--seeds", f"1-{seeds}",
           "--store", str(store), "--quiet"]
    cmd += ["--cluster", cluster] if cluster else ["--jobs", str(jobs)]
    cmd += ["--", *args] if args else []
    if shutil.which("flock"):
        cmd = ["flock", LOCK, *cmd]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    lines = [json.loads(x) for f in store.glob("sweeps/*/sweep.jsonl")
             for x in f.read_text().splitlines()]
    if not lines:
        sys.exit(f"the sweep wrote no lines (exit {proc.returncode}): {proc.stderr.strip()}")
    return Swept(len(lines), wall, proc.returncode, [x["cpu_s"] for x in lines],
                 sorted(x["seed"] for x in lines if x["exit"] != 0))


def stage_table(names: list[str], seeds: int, jobs: int, tmp: Path) -> None:
    header = (f"{'stage':<17} {'seeds':>5} {'wall s':>7} {'seeds/min':>9} {'cpu s/seed':>10} "
              f"{'exit':>4}  failing seeds")
    print(header)
    print("-" * len(header))
    table = stages()
    for name in names:
        st = table[name]
        s = sweep(st.command(), st.args, seeds, jobs, tmp / name)
        print(f"{name:<17} {s.seeds:>5} {s.wall:>7.1f} {s.per_minute:>9.1f} "
              f"{statistics.median(s.cpu):>10.2f} {s.code:>4}  "
              f"{','.join(map(str, s.failing)) or '-'}", flush=True)


def counter_table(seeds: int, jobs: int, tmp: Path) -> Swept:
    st = stages()["counter"]
    s = sweep([*st.command(), *COUNTER_FAULTS], st.args, seeds, jobs, tmp / "counter-faults")
    thousand = 1000 / s.per_minute
    how = "measured" if seeds == 1000 else f"extrapolated from {seeds} seeds"
    print(f"counter + {COUNTER_FAULTS[1]}: {s.seeds} seeds in {s.wall:.1f} s on {jobs} jobs "
          f"= {s.per_minute:.1f} seeds/min; median CPU {statistics.median(s.cpu):.2f} s/seed, "
          f"max {max(s.cpu):.2f}; exit {s.code}, failing: "
          f"{','.join(map(str, s.failing)) or 'none'}")
    print(f"1,000 seeds: {thousand:.1f} min ({how}); target <= 10 min")
    return s


def find_table(seeds: int, jobs: int, tmp: Path) -> None:
    """A swarm sweep of kafka.py (5c's flags) and broadcast.py (3b's) over partition, kill
    and pause; then every failing seed's replay command, run, must fail the same way."""
    from workbench.report import results as results_file
    from workbench.seedrun import signature

    table = stages()
    print(f"{'script (flags)':<22} {'seeds':>5} {'seeds/min':>9} {'failing':>7} "
          f"{'replays ok':>10}  signatures (count)")
    for name in ("kafka-5c", "broadcast-3b"):
        st = table[name]
        flags = [*st.command(), *COUNTER_FAULTS, "--nemesis-interval", "3", "--swarm"]
        store = tmp / f"find-{name}"
        s = sweep(flags, st.args, seeds, jobs, store)
        lines = [json.loads(x) for f in store.glob("sweeps/*/sweep.jsonl")
                 for x in f.read_text().splitlines()]
        failing = [x for x in lines if x["exit"] != 0]
        ok = 0
        for x in failing:
            argv = shlex.split(x["replay"])[1:]
            where = tmp / f"replay-{name}-{x['seed']}"
            proc = subprocess.run([sys.executable, *argv, "--store", str(where), "--quiet"],
                                  cwd=ROOT, capture_output=True, text=True)
            latest = where / "latest"
            sig = signature(results_file.read(latest.resolve())) if latest.exists() else ""
            ok += proc.returncode == x["exit"] and sig == x["signature"]
        counts: dict[str, int] = {}
        for x in failing:
            counts[x["signature"]] = counts.get(x["signature"], 0) + 1
        shown = ", ".join(f"{k} ({v})" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
        print(f"{name + ' swarm':<22} {s.seeds:>5} {s.per_minute:>9.1f} {len(failing):>7} "
              f"{ok:>4} of {len(failing):<3}  {shown or '-'}", flush=True)


def cluster_table(seeds: int, tmp: Path) -> None:
    with local_cluster(2, ROOT, tmp) as address:
        st = stages()["counter"]
        flags = [*st.command(), *COUNTER_FAULTS]
        local = sweep(flags, st.args, seeds, 2, tmp / "cluster-local")  # beside Dask's run
        remote = sweep(flags, st.args, seeds, 2, tmp / "cluster-dask", cluster=address)
    print(f"{'pool':<28} {'seeds':>5} {'wall s':>7} {'seeds/min':>9}")
    for name, s in (("local, 2 processes", local), ("Dask, 2 workers x 1 thread", remote)):
        print(f"{name:<28} {s.seeds:>5} {s.wall:>7.1f} {s.per_minute:>9.1f}")
    print(f"Dask / local: {remote.per_minute / local.per_minute:.2f} (target >= 0.90)")


def profile_table(tmp: Path, top: int = 25) -> None:
    from workbench import cli, runner
    from workbench.seedrun import silenced

    st = stages()["counter"]
    argv = [*st.command(), *COUNTER_FAULTS, "--sim", "--seed", "1", "--store",
            str(tmp / "profile"), "--quiet"]
    opts = dataclasses.replace(cli.parse(argv), bare=True)
    os.chdir(ROOT)
    prof = cProfile.Profile()
    with silenced():
        prof.runcall(runner.run_once, opts)
    stats = pstats.Stats(prof, stream=io.StringIO())
    total = sum(v[2] for v in stats.stats.values())
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)
    print(f"one counter seed (+{COUNTER_FAULTS[1]}, seed 1, bare): {total:.2f} s of own "
          f"time under cProfile (which slows it); the top {top} functions:")
    print(f"{'own s':>6} {'share':>6} {'cum s':>6} {'calls':>9}  function")
    for (file, line, fn), (_, calls, own, cum, _) in rows[:top]:
        where = Path(file).name if file != "~" else ""
        print(f"{own:>6.2f} {own / total:>6.1%} {cum:>6.2f} {calls:>9}  {fn} ({where}:{line})")
    by_file: dict[str, float] = {}
    for (file, _, _), (_, _, own, _, _) in rows:
        by_file[_area(file)] = by_file.get(_area(file), 0.0) + own
    print(f"\nthe same own time by where the code lives:\n{'own s':>6} {'share':>6}  where")
    for where, own in sorted(by_file.items(), key=lambda kv: kv[1], reverse=True)[:top]:
        print(f"{own:>6.2f} {own / total:>6.1%}  {where}")


def _area(file: str) -> str:
    """A profiled function's file as a place: a workbench module, a node script, the
    standard library's package (json, asyncio) or built-ins."""
    if file == "~":
        return "built-ins (C)"
    path = Path(file)
    try:
        rel = path.resolve().relative_to(ROOT)
    except ValueError:
        if "site-packages" in path.parts:
            return f"site-packages {path.parent.name}"
        stdlib = f"python{sys.version_info[0]}.{sys.version_info[1]}"
        return f"stdlib {path.stem if path.parent.name == stdlib else path.parent.name}"
    return str(rel)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4, help="seeds per stage (stages table)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--stages", default="all")
    ap.add_argument("--counter-seeds", type=int, default=100)
    ap.add_argument("--cluster-seeds", type=int, default=0)
    ap.add_argument("--find", type=int, default=0,
                    help="seeds of the swarm sweeps of kafka.py and broadcast.py (find table)")
    ap.add_argument("--no-profile", action="store_true")
    a = ap.parse_args()
    if os.environ.get("PYTHONHASHSEED") != "0":  # the profiled run is simulated here
        os.execve(sys.executable, [sys.executable, *sys.argv],
                  dict(os.environ, PYTHONHASHSEED="0"))
    names = list(stages()) if a.stages == "all" else a.stages.split(",")
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp_dir:
        tmp = Path(tmp_dir)
        print(f"# sweep throughput, {a.jobs} jobs, {os.cpu_count()} cores\n")
        if a.seeds > 0:
            stage_table(names, a.seeds, a.jobs, tmp)
            print()
        if a.counter_seeds > 0:
            counter_table(a.counter_seeds, a.jobs, tmp)
        if a.cluster_seeds > 0:
            print()
            cluster_table(a.cluster_seeds, tmp)
        if a.find > 0:
            print()
            find_table(a.find, a.jobs, tmp)
        if not a.no_profile:
            print()
            profile_table(tmp)


if __name__ == "__main__":
    main()
