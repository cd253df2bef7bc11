"""The lin-kv checker's speed: generated histories, with and without the state cache.

    .venv/bin/python bench/lin_kv.py [--sizes 10000,100000] [--seed 1]

Histories are made by simulating a linearizable key-value store: `concurrency` processes each
run one op at a time (read / write / cas 1:1:2 over values 0..4) on a random one of 10 active
keys, or all on one key; every op takes effect at a random instant between its invocation and
its completion, a cas whose `from` does not match fails, and about 1% of writes and cas time
out (:info; half of them took effect; the process is replaced). As in Maelstrom, where a key
is abandoned once 20 processes have used it, a key is replaced by a fresh one after 10 :info
ops. The "stale reads" variant makes one read in 200 return the value before the last write
(not always a violation: the read may have overlapped that write). The table gives the
search's wall time over all keys, its steps, the verdict and the number of cached
configurations; the search gets --budget seconds per history.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workbench.checkers.compose import UNKNOWN, merge_valid  # noqa: E402
from workbench.checkers.linear.cas_register import prepare, subhistories  # noqa: E402
from workbench.checkers.linear.search import BudgetExhausted, Search  # noqa: E402
from workbench.workloads.lin_kv import check  # noqa: E402


def simulate(n_ops: int, concurrency: int = 10, keys: int = 10, info_rate: float = 0.01,
             stale_every: int = 0, seed: int = 1, infos_per_key: int = 10) -> list[dict]:
    """A history of `n_ops` client ops in Maelstrom's shape (value [k v])."""
    rng = random.Random(seed)
    events: list[tuple[float, int, int, dict]] = []  # (time, order, kind 0 invoke 1 complete)
    effects: list[tuple[float, int, dict, dict]] = []  # (instant, seq, invoke, completion)
    seq = 0
    clock = [rng.uniform(0, 0.01) for _ in range(concurrency)]
    process = list(range(concurrency))
    active = list(range(keys))
    next_key = keys
    infos: dict[int, int] = {}
    for _ in range(n_ops):
        t = min(range(concurrency), key=lambda x: clock[x])
        start = clock[t]
        end = start + rng.expovariate(1 / 0.01)
        slot = rng.randrange(keys)
        k = active[slot]
        f = rng.choice(("read", "write", "cas", "cas"))
        v = None if f == "read" else rng.randrange(5) if f == "write" else [
            rng.randrange(5), rng.randrange(5)]
        inv = {"process": process[t], "type": "invoke", "f": f, "value": [k, v]}
        done = {"process": process[t], "type": "ok", "f": f, "value": [k, v]}
        info = f != "read" and rng.random() < info_rate
        if info:
            done["type"] = "info"
            end += 1.0
        if not info or rng.random() < 0.5:
            effects.append((rng.uniform(start, end), seq, inv, done))
        seq += 1
        events.append((start, seq, 0, inv))
        events.append((end, seq, 1, done))
        clock[t] = end + rng.expovariate(1 / 0.002)
        if info:
            process[t] += concurrency
            infos[k] = infos.get(k, 0) + 1
            if infos_per_key and infos[k] >= infos_per_key:  # the key is retired
                active[slot] = next_key
                next_key += 1
    effects.sort(key=lambda e: (e[0], e[1]))
    value: dict[int, object] = {}
    previous: dict[int, object] = {}
    reads = 0
    for _, _, inv, done in effects:
        k, v = inv["value"]
        f = inv["f"]
        if f == "read":
            reads += 1
            seen = value.get(k)
            if stale_every and reads % stale_every == 0 and previous.get(k) != seen:
                seen = previous.get(k)
            done["value"] = [k, seen]
        elif f == "write":
            previous[k], value[k] = value.get(k), v
        elif value.get(k) == v[0]:
            previous[k], value[k] = value.get(k), v[1]
        elif done["type"] == "ok":
            done["type"] = "fail"
            done["error"] = [":precondition-failed", "cas mismatch"]
    events.sort(key=lambda e: (e[0], e[2], e[1]))
    history = []
    for i, (t, _, _, op) in enumerate(events):
        history.append(dict(op, index=i, time=int(t * 1e9)))
    return history


def measure(history: list[dict], cache: bool, budget: float = 30.0
            ) -> tuple[float, int, object, int]:
    """(seconds, steps, verdict, cache entries) for checking every key; the search gets
    `budget` seconds in all (running out makes the verdict unknown)."""
    started = time.perf_counter()
    deadline = time.monotonic() + budget
    steps = entries = 0
    verdicts = []
    for sub in subhistories(history).values():
        s = Search(prepare(sub), cache=cache, deadline=deadline)
        try:
            verdicts.append(s.run())
        except BudgetExhausted:
            verdicts.append(UNKNOWN)
        steps += s.steps
        entries += s.cache_size
    verdict = merge_valid(verdicts)
    return time.perf_counter() - started, steps, verdict, entries


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,100000")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--budget", type=float, default=30.0,
                   help="seconds the search may take per history (default 30)")
    args = p.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    print("| ops | history | cache | checker s | steps | verdict | cache entries |")
    print("|---:|---|---|---:|---:|---|---:|")
    for n in sizes:
        for label, keys, stale in (("linearizable", 10, 0), ("stale reads", 10, 200),
                                   ("one key, 10 threads", 1, 0)):
            history = simulate(n, keys=keys, stale_every=stale, seed=args.seed)
            for cache in (True, False):
                secs, steps, verdict, entries = measure(history, cache, args.budget)
                shown = "unknown (budget)" if verdict is UNKNOWN else verdict
                print(f"| {n} | {label} | {'on' if cache else 'off'} | {secs:.2f} | {steps} "
                      f"| {shown} | {entries} |", flush=True)
    history = simulate(sizes[0], seed=args.seed)
    started = time.perf_counter()
    result = check(None, history, out_dir=None)
    print(f"\nlin-kv workload check of {sizes[0]} ops (all keys, evidence included): "
          f"{time.perf_counter() - started:.2f} s, valid? {result['valid?']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
