#!/usr/bin/env python3
"""Benchmark: counter.py's frontier, servers msgs-per-op against how fresh the reads during
the run are, over its two settings and a range of budgets, at the official flags
(`-w g-counter --node-count 3 --rate 100 --time-limit 20 --nemesis partition`).

The sweep runs under --sim: virtual time, one process, and the same seed gives the same
history, so every figure in it is reproducible (PYTHONHASHSEED=0, as run.sh sets for --sim).
Simulated latencies come from the network model, not from a machine, so the sweep's latency
columns only compare points with each other; `--real N` runs the lean setting and the default
again as real runs (seeds 1..N, one at a time under the shared flock), whose latencies can
be set beside other programs'.

Per point, five seeds (--seeds): which runs were valid and which had every final read exact
(the acceptable set is one value and every final read is it), one letter per seed, y or n;
servers msgs-per-op (mean, and the range); pooled over the seeds' ok reads during the run
(see bench/counter.py for the definitions; a read is judged against the adds acknowledged
before it was invoked):

    fresh%  share of those reads that saw every such add
    lag     how many units short a read was, p50/p95
    age     how old, in ms, the newest state a read could have been showing was, p50/p95

and the latency of every op, p50/p99 in ms (the median of the seeds' quantiles).

Peers. Two public solutions in Python, credited by repository and file, as measured on the
real workbench at the official flags (msgs-per-op, latency p50/p99):

    patrickzbhe/dist-sys-challenges  python/grow_only_counter.py  0.59   1.1/2.2 ms
    danielclarke/maelstrom-py        src/g_counter.py             0.021  0.84/1.5 ms

Both acknowledge an add at once, from memory (so neither is kill-safe either; the first
keeps one shared total in seq-kv by cas, the second gossips its state every 5 s). Their read
freshness was not measured for those figures; `--peer NAME=PATH` runs a local checkout's
script through the real workbench (seeds as --real) and measures it like ours. No peer code
is in this repository. A point of ours dominates a peer when it sends fewer messages per op,
its real latency p50 and p99 are no higher, and (where the peer's freshness is measured) its
reads are at least as fresh (fresh% no lower, median age no higher); sweep points
(simulated) are judged on messages and freshness only. PATH must be executable; a peer
that needs another Python can be a two-line shell wrapper that execs it.

    .venv/bin/python bench/frontier_counter.py [--seeds 5] [--real 3] [--peer NAME=PATH ...]

(--seeds 0 skips the sweep.)
"""

from __future__ import annotations

import argparse
import bisect
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from common import quantile, run_test, stages

FLAGS = ["-w", "g-counter", *stages()["counter"].flags]  # the official flags, from stages.txt
DURABLE_BUDGETS = (0.1, 0.3, 0.9, 2.0)
LEAN_BUDGETS = (0.002, 0.005, 0.01, 0.015, 0.02, 0.05, 0.1, 0.3, 0.9)
PEERS = {  # published real-run figures: msgs-per-op, latency p50, p99 (ms)
    "patrickzbhe/dist-sys-challenges python/grow_only_counter.py": (0.59, 1.1, 2.2),
    "danielclarke/maelstrom-py src/g_counter.py": (0.021, 0.84, 1.5),
}


def staleness(history: list[dict]) -> tuple[list[int], list[float], list[bool]]:
    """(lags, ages in ms, partitioned at invocation?) of the ok non-final reads; see
    bench/counter.py's doc."""
    acked_times: list[int] = []  # completion times of ok adds, in order
    acked_sums: list[int] = []  # running sum after each
    invoked_at: dict[object, int] = {}
    reads: list[tuple[int, int, bool]] = []  # (invocation time, value, partitioned)
    total = 0
    partitioned = False
    for op in history:
        if op["process"] == "nemesis":
            if op["f"] in ("start-partition", "stop-partition"):
                partitioned = op["f"] == "start-partition"
            continue
        if op["type"] == "invoke":
            invoked_at[op["process"]] = op["time"]
        elif op["type"] == "ok" and op["f"] == "add":
            total += op["value"]
            acked_times.append(op["time"])
            acked_sums.append(total)
        elif op["type"] == "ok" and op["f"] == "read" and not op.get("final?"):
            reads.append((invoked_at[op["process"]], op["value"], partitioned))
    lags, ages = [], []
    for t, value, _ in reads:
        i = bisect.bisect_left(acked_times, t)  # adds acked strictly before t
        acked = acked_sums[i - 1] if i else 0
        lag = max(0, acked - value)
        lags.append(lag)
        if lag == 0:
            ages.append(0.0)
            continue
        first_above = bisect.bisect_right(acked_sums, value)  # sums are non-decreasing
        ages.append((t - acked_times[first_above]) / 1e6)
    return lags, ages, [p for _, _, p in reads]


def quantiles(xs: list[float], qs: tuple[float, ...] = (0.5, 0.95, 1.0)) -> list[float]:
    s = sorted(xs)
    return [s[min(len(s) - 1, int(q * len(s)))] if s else 0.0 for q in qs]


def marks(flags: list[bool]) -> str:
    """One letter per seed, in seed order: y or n."""
    return "".join("y" if f else "n" for f in flags)


@dataclass
class Point:
    """One setting over several seeds."""
    name: str
    real: bool
    valid: list[bool] = field(default_factory=list)
    exact: list[bool] = field(default_factory=list)
    mpo: list[float] = field(default_factory=list)
    lat50: list[float] = field(default_factory=list)
    lat99: list[float] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)
    ages: list[float] = field(default_factory=list)

    @property
    def fresh(self) -> float:
        return 100.0 * sum(1 for x in self.lags if x == 0) / max(1, len(self.lags))

    def row(self) -> str:
        mpo = (f"{statistics.mean(self.mpo):.4f} ({min(self.mpo):.3f}-{max(self.mpo):.3f})"
               if self.mpo else "-")
        lag = "/".join(f"{x:g}" for x in quantiles(self.lags, (0.5, 0.95)))
        age = "/".join(f"{x:.0f}" for x in quantiles(self.ages, (0.5, 0.95)))
        lat = (f"{statistics.median(self.lat50):.2f}/{statistics.median(self.lat99):.2f}"
               if self.lat50 else "-")
        return (f"{self.name:<24} {'real' if self.real else 'sim':>4} "
                f"{marks(self.valid):<6} {marks(self.exact):<6} {mpo:>24} "
                f"{self.fresh:>6.1f} {lag:>9} {age:>11} {lat:>11}")


HEADER = (f"{'setting':<24} {'run':>4} {'valid':<6} {'exact':<6} {'srv msgs/op mean (range)':>24} "
          f"{'fresh%':>6} {'lag 50/95':>9} {'age ms 50/95':>11} {'lat 50/99':>11}")


def measure(point: Point, script: str, node_args: list[str], seeds: range, store: Path) -> None:
    """Run `script` with `node_args` once per seed and add the figures to `point`."""
    for seed in seeds:
        flags = [*FLAGS, "--bin", script] + ([] if point.real else ["--sim"])
        out = run_test(flags, seed, store / f"{point.name}-{seed}".replace("/", "_"),
                       node_args, lock=point.real)
        r = out.results
        if r is None:
            print(f"  {point.name} seed {seed}: exit {out.code}, no results")
            point.valid.append(False)
            point.exact.append(False)
            continue
        w = r["workload"]
        finals = w["final-reads"]
        acceptable = w["acceptable"]
        point.valid.append(r["valid?"] is True)
        point.exact.append(len(acceptable) == 1 and acceptable[0][0] == acceptable[0][1]
                           and bool(finals) and all(v == acceptable[0][0] for v in finals))
        point.mpo.append(r["net"]["servers"].get("msgs-per-op", 0.0))
        q = r["perf"].get("latency-quantiles", {})
        point.lat50.append(quantile(q, 0.5, 0.0))
        point.lat99.append(quantile(q, 0.99, 0.0))
        lags, ages, _ = staleness(out.history())
        point.lags += lags
        point.ages += ages


def dominates(p: Point, mpo: float, lat: tuple[float, float] | None,
              fresh: tuple[float, float] | None) -> bool:
    """`p` is valid in every run, sends fewer messages per op, is at least as fresh (fresh%
    no lower and median age no higher) when `fresh` is known, and when `lat` is given, is a
    real point with latency p50 and p99 no higher."""
    if not p.mpo or statistics.mean(p.mpo) >= mpo or not all(p.valid):
        return False
    if fresh is not None and (p.fresh < fresh[0] or quantiles(p.ages, (0.5,))[0] > fresh[1]):
        return False
    if lat is None:
        return True
    return (p.real and statistics.median(p.lat50) <= lat[0]
            and statistics.median(p.lat99) <= lat[1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--real", type=int, default=3, help="real runs (seeds) of lean and default")
    ap.add_argument("--peer", action="append", default=[],
                    help="NAME=PATH: also measure a local peer script, real runs")
    args = ap.parse_args()
    seeds = range(1, args.seeds + 1)
    points: list[Point] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp)
        for mode, budgets in (("durable", DURABLE_BUDGETS), ("lean", LEAN_BUDGETS)):
            for budget in budgets:
                p = Point(f"{mode} {budget:g}", real=False)
                measure(p, "counter.py", ["--mode", mode, "--budget", str(budget)], seeds, store)
                points.append(p)
        real_seeds = range(1, args.real + 1)
        for mode in ("lean", "durable") if args.real else ():
            p = Point(f"{mode} (default budget)", real=True)
            measure(p, "counter.py", ["--mode", mode], real_seeds, store)
            points.append(p)
        measured: list[Point] = []
        for spec in args.peer:
            name, _, path = spec.partition("=")
            p = Point(name, real=True)
            measure(p, str(Path(path).resolve()), [], real_seeds, store)
            measured.append(p)
    print(HEADER)
    print("-" * len(HEADER))
    for p in points + measured:
        if p.valid:
            print(p.row())
    print()
    print("Peers (published real-run figures unless measured above) and our points that "
          "dominate them:")
    peers = [(name, mpo, (l50, l99), None) for name, (mpo, l50, l99) in PEERS.items()]
    peers += [(p.name, statistics.mean(p.mpo),
               (statistics.median(p.lat50), statistics.median(p.lat99)),
               (p.fresh, quantiles(p.ages, (0.5,))[0]))
              for p in measured if p.mpo]
    for name, mpo, lat, fresh in peers:
        real = [p.name for p in points if p.real and dominates(p, mpo, lat, fresh)]
        sim = [p.name for p in points if not p.real and dominates(p, mpo, None, fresh)]
        fresh_s = ("not measured" if fresh is None
                   else f"{fresh[0]:.1f}%, median age {fresh[1]:.0f} ms")
        print(f"  {name}: {mpo:.3f} msgs/op, latency {lat[0]:g}/{lat[1]:g} ms, fresh {fresh_s}")
        print(f"    dominated by (real, msgs + latency{' + freshness' if fresh else ''}): "
              f"{', '.join(real) or 'none'}")
        print(f"    fewer msgs{' and at least as fresh' if fresh is not None else ''} (sim): "
              f"{', '.join(sim) or 'none'}")


if __name__ == "__main__":
    main()
