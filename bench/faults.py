#!/usr/bin/env python3
"""Benchmark: the fault sweep table, and the cost of crash safety.

Sweep: each stage at its official flags (its own --nemesis replaced) under each fault mix,
partition, kill, pause and partition,kill,pause, over seeds 1..N; seed s draws its
--nemesis-interval from 1 to 10 s (uniformly, to 0.1 s, from the seed alone, so every row
of a given seed uses the same interval and the replay command spells it out). One row per
cell: valid seeds / seeds, seeds where a node was muted (it answered a client that had given
up, see maelstrom_node.py's answer_clients_within), answers dropped per run because the
client may have given up (counted in the node logs), servers msgs-per-op and availability
(mean :ok-fraction), and the most common failure signature (failed checkers and their error
types) with its count and first seed; every failing seed's replay command follows the table.

`down/bad`: seeds in which the nemesis left no node up (running and not paused, from the
marks in the node logs) before the last 5 s of the main phase, and how many of them were
invalid. Every request sent meanwhile waits in a queue or is lost, may be of any age when a
node reads it, and its client gives up 5 s after sending; a node that cannot tell a client
still waiting from one that left (and would be muted for answering it) can acknowledge
nothing, so a workload that needs some op :ok (stats; kafka's analysis of an empty history)
fails. Those seeds are named as such in the list of failing seeds.

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

Runs are simulated (--sim, deterministic per seed) unless --real, one at a time; real runs
take the shared lock. Run from the repository root:

    .venv/bin/python bench/faults.py [--seeds 20 | --seeds 1-200] [--stages a,b]
        [--faults 'partition|kill|pause|partition,kill,pause'] [--interval 3] [--real]
        [--jsonl FILE] [--cost] [--no-matrix] [--old REV]
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import math
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, Outcome, Stage, quantile, run_test, stages

DEFAULT_STAGES = ["unique-ids", "broadcast-3b", "broadcast-3c", "counter", "kafka-5b",
                  "kafka-5c", "txn-6a", "txn-6b", "txn-6b-partition", "txn-6c"]
EFFICIENCY = {"broadcast-3d": [], "broadcast-3e": [], "counter-lean": ["--mode", "lean"]}
COST_STAGES = ["unique-ids", "broadcast-3b", "broadcast-3d", "broadcast-3e", "counter",
               "kafka-5c", "txn-6b", "txn-6c"]
FAULTS = ["partition", "kill", "pause", "partition,kill,pause"]
RUN_IDS = itertools.count()
CLIENT_TIMEOUT = 5.0  # Maelstrom's client.clj default-timeout
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


def interval_of(seed: int, low: float = 1.0, high: float = 10.0) -> float:
    """Seed `seed`'s --nemesis-interval: drawn from [low, high] by the seed alone."""
    return round(random.Random(f"nemesis-interval:{seed}").uniform(low, high), 1)


@dataclass
class Cell:
    names: list[str]  # stages with these very flags
    faults: str
    flags: list[str]  # without --nemesis-interval, --seed, --store
    args: list[str]

    def command(self, seed: int, interval: float) -> list[str]:
        return self.flags + ["--nemesis-interval", str(interval)]

    def replay(self, seed: int, interval: float, real: bool) -> str:
        cmd = ["python3", "-m", "workbench", "test", *self.command(seed, interval),
               *([] if real else ["--sim"]), "--seed", str(seed)]
        if self.args:
            cmd += ["--", *self.args]
        return shlex.join(cmd)


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


def signature(out: Outcome) -> str | None:
    """None for a valid run; else which checkers failed, with their error types."""
    r = out.results
    if r is None:
        return f"broken (exit {out.code})"
    if r.get("valid?") is True:
        return None
    parts = []
    for name, sub in r.items():
        if isinstance(sub, dict) and sub.get("valid?") is False:
            kinds = sub.get("error-types") or sub.get("anomaly-types") or []
            if name == "workload" and sub.get("lost-count"):
                kinds = [*kinds, "lost"]
            if name == "stats":  # an f never :ok (kafka's :crash never is, and is no failure)
                kinds = [f for f, b in (sub.get("by-f") or {}).items()
                         if b.get("valid?") is False and f != "crash"]
                if not kinds:
                    continue
                name = "stats-never-ok"
            parts.append(name + (f"[{','.join(str(k) for k in kinds)}]" if kinds else ""))
    return " ".join(parts) or f"valid? {r.get('valid?')}"


def dropped(out: Outcome) -> int:
    """Answers the nodes did not send because the client may have given up (their logs)."""
    if out.run_dir is None:
        return 0
    return sum(log.read_text(errors="replace").count("not answering ")
               for log in (out.run_dir / "node-logs").glob("*.log"))


MARK = re.compile(r"=== (\S+) (paused|resumed|killed|started again) by the nemesis "
                  r"\(incarnation \d+\) at ([0-9.]+) s ===")


def first_up(out: Outcome) -> float:
    """When some node was first up (running, not paused) for half a second or more, from the
    nemesis marks in the node logs; inf if never."""
    if out.run_dir is None:
        return 0.0
    events, nodes = [], set()
    for log in (out.run_dir / "node-logs").glob("*.log"):
        nodes.add(log.stem)
        for m in MARK.finditer(log.read_text(errors="replace")):
            events.append((float(m.group(3)), m.group(1), m.group(2)))
    events.sort()
    down: set[str] = set()
    since = 0.0  # the time of the last change
    for t, node, what in events:
        if len(down) < len(nodes) and t - since >= 0.5:
            return since
        if what in ("paused", "killed"):
            down.add(node)
        else:
            down.discard(node)
        since = t
    return since if len(down) < len(nodes) else float("inf")


def figures(out: Outcome) -> dict:
    r = out.results
    if r is None:
        return {"valid": False, "sig": signature(out), "muted": 0, "dropped": 0, "up": 0.0}
    q = r["perf"].get("latency-quantiles", {})
    stable = r["workload"].get("stable-latencies") or {}
    return {"valid": r["valid?"] is True, "sig": signature(out),
            "muted": len((r.get("workbench") or {}).get("muted") or []), "dropped": dropped(out),
            "up": first_up(out),
            "mpo": r["net"]["servers"].get("msgs-per-op", 0.0),
            "avail": r["availability"]["ok-fraction"], "p50": quantile(q, 0.5, 0.0),
            "max": quantile(q, 1, 0.0), "s50": quantile(stable, 0.5), "smax": quantile(stable, 1)}


def run(flags: list[str], args: list[str], seed: int, store: Path, real: bool) -> Outcome:
    return run_test(flags + ([] if real else ["--sim"]), seed, store, args, lock=real)


def sweep_cell(c: Cell, seeds: list[int], fixed: float | None, tmp: Path, real: bool,
               jsonl: Path | None) -> list[dict]:
    rows = []
    for seed in seeds:
        interval = fixed if fixed is not None else interval_of(seed)
        store = tmp / f"run-{next(RUN_IDS)}"
        row = figures(run(c.command(seed, interval), c.args, seed, store, real))
        row.update(seed=seed, interval=interval, replay=c.replay(seed, interval, real))
        rows.append(row)
        if jsonl is not None:
            with jsonl.open("a") as f:
                f.write(json.dumps({"stages": c.names, "faults": c.faults,
                                    **{k: v for k, v in row.items()}}) + "\n")
        shutil.rmtree(store, ignore_errors=True)
    return rows


def seed_list(text: str) -> list[int]:
    """"N" (seeds 1..N), "A-B", or a comma-separated list."""
    if "-" in text:
        a, b = text.split("-", 1)
        return list(range(int(a), int(b) + 1))
    if "," in text:
        return [int(x) for x in text.split(",")]
    return list(range(1, int(text) + 1))


def summary(rows: list[dict], limit: float) -> str:
    """valid/seeds; how many seeds had no node up before the last CLIENT_TIMEOUT seconds of
    the main phase ("down": a request queued meanwhile may be of any age, so a node that
    cannot tell may answer none of them, and nothing can be acknowledged) and how many of
    those were invalid; muted; dropped; msgs-per-op; availability; the most common failure
    signature outside the down seeds."""
    ok = sum(1 for r in rows if r["valid"])
    down = [r for r in rows if r.get("up", 0.0) > limit - CLIENT_TIMEOUT]
    down_bad = sum(1 for r in down if not r["valid"])
    muted = sum(1 for r in rows if r["muted"])
    drops = sum(r["dropped"] for r in rows) / len(rows)
    mpo = [r["mpo"] for r in rows if "mpo" in r]
    avail = [r["avail"] for r in rows if "avail" in r]
    sigs = collections.Counter(r["sig"] for r in rows if r["sig"] and r not in down)
    worst = "-"
    if sigs:
        sig, n = sigs.most_common(1)[0]
        first = min(r["seed"] for r in rows if r["sig"] == sig and r not in down)
        worst = f"{sig} x{n} (seed {first})"
    return (f"{f'{ok}/{len(rows)}':>9} {f'{len(down)}/{down_bad}':>9} {muted:>5} {drops:>7.2f} "
            f"{statistics.mean(mpo) if mpo else math.nan:>8.3f} "
            f"{statistics.mean(avail) if avail else math.nan:>7.4f}  {worst}")


def matrix(names: list[str], faults: list[str], seeds: list[int], fixed: float | None,
           tmp: Path, real: bool, jsonl: Path | None) -> None:
    span = f"{seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) \
        else ",".join(map(str, seeds))
    drawn = f"--nemesis-interval {fixed}" if fixed is not None else \
        "--nemesis-interval drawn per seed from 1-10 s"
    print(f"fault sweep: seeds {span}, {drawn}, "
          f"{'real processes' if real else 'simulated (--sim)'}")
    header = (f"{'stage':<30} {'faults':<21} {'valid':>9} {'down/bad':>9} {'muted':>5} "
              f"{'dropped':>7} "
              f"{'msgs/op':>8} "
              f"{'avail':>7}  worst signature")
    print(header)
    print("-" * (len(header) + 30))
    failing: list[str] = []
    for c in cells(names, faults):
        rows = sweep_cell(c, seeds, fixed, tmp, real, jsonl)
        label = " = ".join(c.names)
        if "--availability" in c.flags:
            label += " +avail"
        limit = float(c.flags[c.flags.index("--time-limit") + 1])
        print(f"{label:<30} {c.faults:<21} {summary(rows, limit)}", flush=True)
        failing += [f"  {label} {c.faults}: {r['sig']}"
                    + (f" (no node up before {r['up']:.1f} s)"
                       if r.get("up", 0.0) > limit - CLIENT_TIMEOUT else "")
                    + f"\n    {r['replay']}" for r in rows if r["sig"]]
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
                   args.real, args.jsonl)
            print()
        if args.cost:
            cost(args.cost_stages.split(","), len(seeds), args.old, tmp, args.real)


if __name__ == "__main__":
    sys.exit(main())
