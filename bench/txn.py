#!/usr/bin/env python3
"""Benchmark: txn.py (challenge 6) at a stage's official flags over several seeds, and which
stronger consistency models the same histories also satisfy.

One row per seed: validity, ops, servers msgs-per-op, availability, latency quantiles (s),
time spent in our Elle on the history (at the stage's models), and then, per extra model,
the anomaly types our Elle finds in that history under that model ("ok" if none). Partition
stages show how many start-partition ops actually cut the network (with 2 nodes, half the
grudge kinds are no-ops).

Run from the repository root, holding the shared lock:

    flock /tmp/workbench-run.lock .venv/bin/python bench/txn.py [--stage txn-6c] [--seeds 5]
    .venv/bin/python bench/txn.py --dirs store/txn-rw-register/2026...   (recheck only)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import quantile, read_history, run_test, stages

from workbench import elle
from workbench.report import results as results_file

# the challenge 6 stages and their official flags, from stages.txt
STAGES = {name: stage for name, stage in stages().items() if stage.workload == "txn-rw-register"}
EXTRA_MODELS = ["read-atomic", "strong-session-read-committed", "strong-read-committed",
                "snapshot-isolation", "serializable", "strict-serializable"]


def cuts(history: list[dict]) -> str:
    starts = [op for op in history if op["f"] == "start-partition"
              and isinstance(op.get("value"), list)]
    real = sum(1 for op in starts if op["value"][1])
    return f"{real}/{len(starts)}"


def recheck(run_dir: Path, models: list[str]) -> dict:
    history = read_history(run_dir)
    t0 = time.monotonic()
    base = elle.check(history, models)
    took = time.monotonic() - t0
    extra = {}
    for model in EXTRA_MODELS:
        result = elle.check(history, [model])
        found = [str(t) for t in result.get("anomaly-types", [])]
        extra[model] = "ok" if not found else ",".join(found)
    return {"elle-s": took, "base": base["valid?"], "extra": extra, "cuts": cuts(history)}


def run(stage: str, seed: int, store: Path) -> Path:
    out = run_test(STAGES[stage].command(), seed, store, STAGES[stage].args)
    assert out.run_dir is not None, f"{stage} seed {seed} broke (exit {out.code})"
    return out.run_dir


def row(label: str, run_dir: Path, models: list[str]) -> list[str]:
    results = results_file.read(run_dir)
    q = results["perf"]["latency-quantiles"]
    servers = results["net"]["servers"].get("msgs-per-op")
    info = recheck(run_dir, models)
    cells = [label, str(results["valid?"]), str(results["stats"]["count"]),
             f"{servers:.3f}" if servers is not None else "-",
             str(results["availability"].get("ok-fraction", "-")),
             " ".join(f"{quantile(q, k):.3f}" for k in (0.5, 0.95, 0.99, 1)), info["cuts"],
             f"{info['elle-s']:.2f}"]
    return cells + [info["extra"][m] for m in EXTRA_MODELS]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stage", default="txn-6c", choices=sorted(STAGES))
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--dirs", nargs="*", help="recheck these run directories instead")
    args = ap.parse_args()
    models = [STAGES[args.stage].flag("--consistency-models") or "strict-serializable"]
    header = ["run", "valid?", "ops", "srv msgs/op", "avail", "lat p50 p95 p99 max",
              "cuts", "elle s"] + EXTRA_MODELS
    print("\t".join(header))
    if args.dirs:
        for d in args.dirs:
            print("\t".join(row(Path(d).name, Path(d), models)), flush=True)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, args.seeds + 1):
            run_dir = run(args.stage, seed, Path(tmp) / f"s{seed}")
            print("\t".join(row(f"{args.stage} seed {seed}", run_dir, models)), flush=True)


if __name__ == "__main__":
    main()
