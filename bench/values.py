#!/usr/bin/env python3
"""Benchmark: the cost of workbench.values.clojure, the boundary every client completion's value
crosses (floats and booleans wrapped for Clojure's =).

Two tables:
  per call   nanoseconds per clojure() call on values shaped like each workload's (the fast
             path: nothing to wrap, the value comes back as it is), and on one that has floats
  per run    simulated runs at a stage's official flags, one per seed, each in a child
             process: completions that crossed the boundary, the seconds spent inside
             clojure() (timed around each call), the run's CPU seconds, and the share

Run from the repository root:

    .venv/bin/python bench/values.py [--stages kafka-5c,txn-6c] [--seeds 3] [--calls 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

from common import ROOT, stages

from workbench.edn import Keyword
from workbench.values import clojure

POLL, SEND, R, W = Keyword("poll"), Keyword("send"), Keyword("r"), Keyword("w")

SHAPES = {
    "unique-ids id (str)": "n0.18867251edfa00003be6.0",
    "counter read (int)": 1130,
    "broadcast read (100 ints)": list(range(100)),
    "kafka send": [[SEND, "74", [812, 5]]],
    "kafka poll (3 keys x 10 pairs)": [[POLL, {str(k): [[i, i] for i in range(10)]
                                               for k in range(3)}]],
    "txn (4 micro-ops)": [[R, 1, 3], [W, 2, 4], [R, 3, None], [W, 1, 5]],
    "echo body (map)": {"type": "echo_ok", "echo": "Please echo 12", "in_reply_to": 1,
                        "msg_id": 2},
    "kafka poll, floats (slow path)": [[POLL, {str(k): [[i, float(i)] for i in range(10)]
                                               for k in range(3)}]],
}

# Runs in the child: time every clojure() call the interpreter makes, then run the test.
CHILD = """
import json, resource, sys, time
from workbench import interpreter
from workbench.__main__ import main
calls, spent, real = [0], [0.0], interpreter.clojure
def timed(value):
    t0 = time.perf_counter()
    out = real(value)
    spent[0] += time.perf_counter() - t0
    calls[0] += 1
    return out
interpreter.clojure = timed
code = main(["test", *sys.argv[1:]])
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"code": code, "calls": calls[0], "spent": spent[0],
                  "cpu": use.ru_utime + use.ru_stime}), file=sys.stderr)
"""


def per_call(n: int) -> None:
    header = f"{'value':<34} {'ns per call':>12} {'same object':>12}"
    print(header)
    print("-" * len(header))
    for name, value in SHAPES.items():
        seconds = min(timeit.repeat(lambda v=value: clojure(v), number=n, repeat=5))
        print(f"{name:<34} {seconds / n * 1e9:>12.0f} {str(clojure(value) is value):>12}")


def per_run(names: list[str], seeds: int, tmp: Path) -> None:
    header = (f"{'stage':<12} {'seed':>4} {'exit':>4} {'completions':>11} "
              f"{'in clojure() s':>14} {'run cpu s':>9} {'share':>7}")
    print(header)
    print("-" * len(header))
    table = stages()
    for name in names:
        stage = table[name]
        for seed in range(1, seeds + 1):
            flags = [*stage.command(), "--sim", "--quiet", "--seed", str(seed),
                     "--store", str(tmp / f"{name}-{seed}")]
            if stage.args:
                flags += ["--", *stage.args]
            proc = subprocess.run([sys.executable, "-c", CHILD, *flags], cwd=ROOT,
                                  capture_output=True, text=True,
                                  env=dict(os.environ, PYTHONHASHSEED="0"))
            got = json.loads(proc.stderr.strip().splitlines()[-1])
            print(f"{name:<12} {seed:>4} {got['code']:>4} {got['calls']:>11} "
                  f"{got['spent']:>14.3f} {got['cpu']:>9.2f} "
                  f"{100 * got['spent'] / got['cpu']:>6.2f}%", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stages", default="kafka-5c,txn-6c,unique-ids")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--calls", type=int, default=20000)
    args = ap.parse_args()
    per_call(args.calls)
    print()
    with tempfile.TemporaryDirectory() as tmp:
        per_run(args.stages.split(","), args.seeds, Path(tmp))


if __name__ == "__main__":
    main()
