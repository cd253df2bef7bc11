#!/usr/bin/env python3
"""Benchmark: broadcast.py at 3d/3e's flags (25 nodes, rate 100, latency 100, 20 s).

Part 1: both settings (`--mode latency` for 3d, `--mode traffic` for 3e), five seeds each,
without and with `--nemesis partition`. One row per run: validity, servers msgs-per-op,
servers messages per broadcast value (free of the read/broadcast mix's chance),
stable-latency quantiles (ms), lost values and whether the row meets the setting's target.

Part 2: a sweep of each setting's batching interval (one seed, no partitions): the origin's
wait before its direct sends (latency, `--batch`) and the hub's batch interval (traffic,
`--interval`). Fewer, larger batches cost latency and save messages.

Each run takes the shared lock on its own (other work can interleave). Run from the
repository root:

    .venv/bin/python bench/broadcast.py [--seeds 5] [--no-sweep] [--sweep-only]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import quantile, run_test, stages

from workbench.report.summary import our_bounds

STAGE = {"latency": "broadcast-3d", "traffic": "broadcast-3e"}  # setting -> its stage
FLAGS = stages()["broadcast-3d"].command()  # 3d's and 3e's official flags (stages.txt)
SETTINGS = {s: stages()[stage].args for s, stage in STAGE.items()}  # ["--mode", s]


def _target(stage: str) -> tuple[float, float, float]:
    bounds = our_bounds(stage)
    return (bounds["servers msgs-per-op"], bounds["median stable latency"],
            bounds["max stable latency"])


# (msgs-per-op, median ms, max ms): our targets (results/SUMMARY.md), measured without
# partitions
TARGETS = {s: _target(stage) for s, stage in STAGE.items()}
# setting -> (the node flag that sets its batching interval, values to try)
SWEEPS = {"latency": ("--batch", [0.0, 0.02, 0.05, 0.1]),
          "traffic": ("--interval", [0.2, 0.4, 0.6, 0.8, 1.2])}
QS = (0, 0.5, 0.95, 0.99, 1)


def run(node_args: list[str], seed: int, partition: bool, store: Path) -> tuple[dict, float]:
    flags = FLAGS + (["--nemesis", "partition"] if partition else [])
    out = run_test(flags, seed, store, node_args, lock=True)
    assert out.results is not None, f"run broke (exit {out.code})"
    return out.results, out.wall


def summary(results: dict) -> dict:
    w = results["workload"]
    lat = w.get("stable-latencies", {})
    servers = results["net"]["servers"]
    return {"valid": results["valid?"], "mpo": servers["msgs-per-op"],
            "per-value": servers["msg-count"] / max(1, w["attempt-count"]),
            "lat": [quantile(lat, q) for q in QS], "lost": w["lost-count"],
            "never": w["never-read-count"]}


def meets(setting: str, s: dict, partition: bool) -> bool:
    if s["valid"] is not True:
        return False
    if partition:
        return True  # under partitions the target is validity only
    mpo, median, top = TARGETS[setting]
    return s["mpo"] <= mpo and s["lat"][1] <= median and s["lat"][4] <= top


def header() -> None:
    print(f"{'setting':<9} {'nemesis':<9} {'seed':>4} {'valid':<6} {'msgs/op':>8} {'/value':>6} "
          f"{'lat0':>5} {'p50':>5} {'p95':>5} {'p99':>5} {'max':>5} {'lost':>4} {'target':<6}"
          f" {'secs':>5}", flush=True)


def line(setting: str, nemesis: str, seed: int, s: dict, ok: str, took: float) -> None:
    lat = " ".join(f"{x if x is not None else '-':>5}" for x in s["lat"])
    print(f"{setting:<9} {nemesis:<9} {seed:>4} {str(s['valid']).lower():<6} {s['mpo']:>8.3f} "
          f"{s['per-value']:>6.2f} "
          f"{lat} {s['lost']:>4} {ok:<6} {took:>5.0f}", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--no-sweep", action="store_true")
    p.add_argument("--sweep-only", action="store_true")
    p.add_argument("--settings", default="latency,traffic")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as tmp:
        store = Path(tmp)
        if not args.sweep_only:
            print("== both settings, 3d/3e flags; target = issue #3's figures (partition rows:"
                  " valid only)")
            header()
            for setting in args.settings.split(","):
                for partition in (False, True):
                    for seed in range(1, args.seeds + 1):
                        results, took = run(SETTINGS[setting], seed, partition, store)
                        s = summary(results)
                        ok = "ok" if meets(setting, s, partition) else "MISS"
                        line(setting, "partition" if partition else "none", seed, s, ok, took)
        if not args.no_sweep:
            for setting in args.settings.split(","):
                flag, points = SWEEPS[setting]
                print(f"\n== {setting} setting: {flag} sweep (seed 1, no partitions)")
                print(f"{flag:>10} {'msgs/op':>8} {'/value':>6} {'p50':>5} {'p95':>5} {'max':>5} "
                      f"{'valid':<6}", flush=True)
                for point in points:
                    results, _ = run([*SETTINGS[setting], flag, str(point)], 1, False, store)
                    s = summary(results)
                    print(f"{point:>10.2f} {s['mpo']:>8.3f} {s['per-value']:>6.2f} "
                          f"{s['lat'][1]:>5} {s['lat'][2]:>5} {s['lat'][4]:>5} "
                          f"{str(s['valid']).lower():<6}", flush=True)


if __name__ == "__main__":
    main()
