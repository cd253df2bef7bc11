"""Swarm testing for a sweep (`sweep --swarm`): each seed also draws its own configuration,
node count, rate, latency, which of the given faults (or all of them, with
`--swarm-all-faults`), nemesis interval and time limit, from
ranges the user gives (`--swarm-rate 10-200`) or from defaults around the test's flags. The
draw is seeded by the seed alone, so it replays, and it is spelled out as ordinary `test`
flags, so the replay command needs no swarm at all.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .errors import UsageError
from .options import Options

# --swarm-<name> LO-HI: the test flag each range draws
RANGES = {"node-count": "--node-count", "rate": "--rate", "latency": "--latency",
          "nemesis-interval": "--nemesis-interval", "time-limit": "--time-limit"}
# the flags a draw replaces (every spelling of the node set, as it draws --node-count)
DRAWN = ("--node-count", "--nodes", "--node", "-n", "--nodes-file", "--rate", "--latency",
         "--nemesis", "--nemesis-interval", "--time-limit")


@dataclass
class Ranges:
    given: dict[str, tuple[float, float]] = field(default_factory=dict)
    all_faults: bool = False  # --swarm-all-faults: every given fault in every seed

    def add(self, name: str, text: str) -> None:
        """`--swarm-<name> LO-HI` (or a single value)."""
        lo_text, sep, hi_text = text.partition("-")
        try:
            lo = float(lo_text)
            hi = float(hi_text) if sep else lo
        except ValueError:
            raise UsageError(f"--swarm-{name} must be a range LO-HI of numbers, not {text!r}"
                             ) from None
        if lo < 0 or hi < lo:
            raise UsageError(f"--swarm-{name} must be LO-HI with 0 <= LO <= HI, not {text!r}")
        if name in ("node-count",) and lo < 1:
            raise UsageError(f"--swarm-{name} must start at 1 or more, not {text!r}")
        if name in ("nemesis-interval", "time-limit") and lo <= 0:
            raise UsageError(f"--swarm-{name} must be above 0, not {text!r}")
        self.given[name] = (lo, hi)


def draw(seed: int, opts: Options, ranges: Ranges, fixed_nodes: bool) -> list[str]:
    """The drawn configuration of `seed` as test flags, from the test's `opts` (its flags
    as parsed) and the user's `ranges`. With `fixed_nodes` (the user named the nodes) the
    node count is drawn only when --swarm-node-count asks for it."""
    rng = random.Random(f"workbench/swarm/{seed}")
    given = ranges.given
    out: list[str] = []
    n = opts.node_count
    if "node-count" in given or not fixed_nodes:
        lo, hi = given.get("node-count", (max(1, n // 2), n + 2))
        out += ["--node-count", str(rng.randint(int(lo), int(hi)))]
    rate = opts.rate
    lo, hi = given.get("rate", (rate / 4, rate * 2))
    out += ["--rate", _number(rng.uniform(lo, hi))]
    lo, hi = given.get("latency", (0, max(2 * opts.latency, 100)))
    out += ["--latency", str(rng.randint(int(lo), int(hi)))]
    faults = sorted(opts.nemesis)
    if len(faults) > 1:  # a random subset, perhaps none: each fault in or out at even odds
        subset = [f for f in faults if rng.random() < 0.5]  # drawn either way: the later
        faults = faults if ranges.all_faults else subset  # draws stay the seed's own
    if faults:
        out += ["--nemesis", ",".join(faults)]
        interval = opts.nemesis_interval
        lo, hi = given.get("nemesis-interval", (max(0.5, interval / 4), interval * 2))
        out += ["--nemesis-interval", _number(rng.uniform(lo, hi))]
    limit = opts.time_limit
    lo, hi = given.get("time-limit", (max(1.0, limit / 2), limit))
    out += ["--time-limit", _number(rng.uniform(lo, hi))]
    return out


def _number(x: float) -> str:
    """A drawn number as a short flag value: whole above 10, one decimal below."""
    return str(round(x)) if x >= 10 else f"{round(x, 1):g}"


def without_drawn(flags: list[str]) -> list[str]:
    """`flags` less the ones a draw replaces (both `--flag VALUE` and `--flag=VALUE`)."""
    out: list[str] = []
    skip = False
    for a in flags:
        if skip:
            skip = False
        elif a in DRAWN:
            skip = True
        elif not any(a.startswith(f"{d}=") for d in DRAWN if d.startswith("--")):
            out.append(a)
    return out
