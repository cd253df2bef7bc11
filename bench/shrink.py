#!/usr/bin/env python3
"""Benchmark: `python -m workbench shrink` on known failures: how far each shrinks, in how
many candidate runs and how much wall time.

Cases:
  kafka     kafka.py at the fault-matrix flags with --nemesis-interval 3, seed 1 (invalid:
            :unseen); the target is at most 2 fault ops and 8 s of time limit in 5 minutes
  counter   tests/nodes/memory_counter.py (loses its total when killed) under --nemesis kill

Each shrink runs in a subprocess as a user runs it (with the default --budget 300), waiting
for the machine's other benchmarks through the shared flock. Run from the repository root:

    .venv/bin/python bench/shrink.py [--jobs 2] [--cases kafka,counter] [--budget 300]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import LOCK, ROOT  # noqa: E402

CASES = {
    "kafka": ["-w", "kafka", "--bin", "kafka.py", "--node-count", "2", "--concurrency", "2n",
              "--time-limit", "20", "--rate", "1000", "--nemesis", "partition,kill,pause",
              "--nemesis-interval", "3", "--sim", "--seed", "1"],
    "counter": ["-w", "g-counter", "--bin", "tests/nodes/memory_counter.py", "--node-count", "1",
                "--time-limit", "10", "--rate", "10", "--nemesis", "kill",
                "--nemesis-interval", "1", "--sim", "--seed", "1"],
}


def shrink(flags: list[str], jobs: int, budget: float, store: Path) -> tuple[int, float, dict]:
    cmd = [sys.executable, "-m", "workbench", "shrink", "--jobs", str(jobs), "--budget",
           str(budget), "--store", str(store), *flags]
    if shutil.which("flock"):
        cmd = ["flock", LOCK, *cmd]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    found = sorted((store / "shrinks").glob("*/shrink.json"))
    record = json.loads(found[-1].read_text()) if found else {}
    if proc.returncode != 0:
        print(proc.stdout + proc.stderr, file=sys.stderr)
    return proc.returncode, wall, record


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--budget", type=float, default=300.0)
    p.add_argument("--cases", default=",".join(CASES))
    ns = p.parse_args()
    rows = []
    for name in ns.cases.split(","):
        with tempfile.TemporaryDirectory(prefix="bench-shrink-") as tmp:
            code, wall, rec = shrink(CASES[name], ns.jobs, ns.budget, Path(tmp))
        final = rec.get("final", {})
        check = final.get("check", {})
        rows.append([name, str(code), str(len(rec.get("steps", []))), str(rec.get("runs", "")),
                     f"{rec.get('search_wall_s', 0):.1f}", f"{wall:.1f}",
                     rec.get("original", {}).get("size", ""), final.get("size", ""),
                     f"{check.get('exit', '')} {check.get('signature', '')}"])
        for step in rec.get("steps", []):
            print(f"  {name} step {step['step']}: {step['what']} -> {step['size']} "
                  f"(run {step['run']}, {step['wall_s']} s)")
    head = ["case", "exit", "steps", "runs", "search s", "wall s", "before", "after",
            "final rerun"]
    print(f"\nshrink, --jobs {ns.jobs}, --budget {ns.budget:g} s (wall s includes the "
          "original run with its store and the final rerun)\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
