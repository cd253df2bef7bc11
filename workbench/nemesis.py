"""The nemesis: its generator, and the partitioner that carries its ops out, as Maelstrom's
src/maelstrom/nemesis.clj wires Jepsen's partition nemesis (jepsen/nemesis.clj,
jepsen/nemesis/combined.clj).

The schedule is a generator on the nemesis thread: start-partition, stop-partition, ...,
the first at once and each next a uniform [0, 2 x --nemesis-interval) later. The kind of
each partition is drawn by the generator, the grudge (who stops hearing whom) by the
partitioner when it applies it, each from its own random stream. Both ops go into the
history with process :nemesis and type :info, the invocation and the completion:

    {:f :start-partition :value :majority}  ->  {:f :start-partition :value [:isolated {...}]}
    {:f :stop-partition  :value nil}        ->  {:f :stop-partition :value :network-healed}

Before a final phase, one stop-partition heals the network.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from . import generator as gen
from .edn import Keyword

if TYPE_CHECKING:
    from .history import Op
    from .network import Network

SPECS = ("one", "majority", "minority-third", "majorities-ring")

Grudge = dict[str, list[str]]  # receiver -> the senders it no longer hears


def complete_grudge(components: list[list[str]]) -> Grudge:
    """Each node drops every node outside its own component."""
    grudge: Grudge = {}
    for comp in components:
        others = [n for c in components if c is not comp for n in c]
        for node in comp:
            grudge[node] = list(others)
    return grudge


def majorities_ring(nodes: list[str], rng: random.Random) -> Grudge:
    n = len(nodes)
    m = n // 2 + 1
    if n <= 5:
        ring = list(nodes)
        rng.shuffle(ring)
        grudge: Grudge = {}
        for start in range(n):
            window = [ring[(start + i) % n] for i in range(m)]
            middle = window[m // 2]
            grudge[middle] = [x for x in ring if x not in window]
        return grudge
    links = {x: {x} for x in nodes}
    order = list(nodes)
    while True:
        short = [x for x in order if len(links[x]) < m]
        if not short:
            break
        rng.shuffle(short)
        short.sort(key=lambda x: len(links[x]))
        a = short[0]
        candidates = [x for x in order if x not in links[a]]
        if not candidates:
            break
        rng.shuffle(candidates)
        candidates.sort(key=lambda x: len(links[x]))
        b = candidates[0]
        links[a].add(b)
        links[b].add(a)
    return {x: [y for y in nodes if y not in links[x]] for x in nodes}


def draw_grudge(nodes: list[str], rng: random.Random,
                spec: str | None = None) -> tuple[str, Grudge]:
    """(spec name, grudge) for `spec`, or for one chosen uniformly among Maelstrom's four."""
    spec = rng.choice(SPECS) if spec is None else spec
    shuffled = list(nodes)
    if spec == "one":
        lone = rng.choice(nodes)
        return spec, complete_grudge([[lone], [x for x in nodes if x != lone]])
    if spec == "majority":
        rng.shuffle(shuffled)
        k = len(nodes) // 2
        return spec, complete_grudge([shuffled[:k], shuffled[k:]])
    if spec == "minority-third":
        rng.shuffle(shuffled)
        k = (len(nodes) - 1) // 3
        return spec, complete_grudge([shuffled[:k], shuffled[k:]])
    return spec, majorities_ring(nodes, rng)


class NodeName(str):
    """A node id written as an EDN string, not a keyword, when it is a map key."""

    __slots__ = ()


def grudge_value(grudge: Grudge) -> list[Any]:
    """The completion value [:isolated {"n1" #{"n2"}}], as Maelstrom's history shows it."""
    return [Keyword("isolated"), {NodeName(k): frozenset(v) for k, v in sorted(grudge.items())
                                  if v}]



# ---- the schedule and the executor ------------------------------------------------------------


class _StartStop(gen.Stream):
    """start-partition of a kind drawn from `schedule`, then stop-partition, in turn."""

    def __init__(self, schedule: random.Random) -> None:
        super().__init__(lambda rng: {}, schedule)
        self.starting = True

    def next_op(self, ctx: gen.Context) -> Op:
        op: Op = ({"f": "start-partition", "value": Keyword(self.rng.choice(SPECS))}
              if self.starting else {"f": "stop-partition", "value": None})
        self.starting = not self.starting
        return op


def partition_generator(interval: float, schedule: random.Random) -> gen.Generator:
    """Partitions on and off on the nemesis thread, staggered by `interval`."""
    return gen.nemesis(gen.Stagger(interval, _StartStop(schedule), schedule))


class Partitioner:
    """Carries out partition ops on the network; `partitioned` says whether one is on."""

    def __init__(self, network: Network, nodes: list[str], targets: random.Random) -> None:
        self.network = network
        self.nodes = nodes
        self.targets = targets
        self.partitioned = False

    async def invoke(self, op: Op) -> Op:
        """Apply `op`; returns its completion (the value says what was done)."""
        if op["f"] == "start-partition":
            spec = str(op["value"]) if op.get("value") is not None else "one"
            grudge = draw_grudge(self.nodes, self.targets, spec)[1]
            self.network.heal()
            for dest, srcs in grudge.items():
                for src in srcs:
                    self.network.drop(src, dest)
            self.partitioned = True
            return dict(op, value=grudge_value(grudge))
        if op["f"] == "stop-partition":
            self.network.heal()
            self.partitioned = False
            return dict(op, value=Keyword("network-healed"))
        raise ValueError(f"the partitioner cannot do {op['f']!r}")


# ---- kill and pause (Jepsen's jepsen.nemesis.combined db-package) ------------------------------

TARGETS = (None, "one", "minority-third", "minority", "majority", "all")
DB_FAULTS = ("kill", "pause")
RECOVERY = {"kill": "start", "pause": "resume"}


def db_nodes(nodes: list[str], spec: str | list[str] | None, rng: random.Random) -> list[str]:
    """The nodes a kill or pause spec names (Jepsen's db-nodes): nil a random non-empty
    subset, one, minority-third, minority, majority, all, or a list of nodes."""
    if isinstance(spec, list):
        return [n for n in nodes if n in spec]
    n = len(nodes)
    majority = n // 2 + 1
    if spec is None:
        while True:
            chosen = [x for x in nodes if rng.random() < 0.5]
            if chosen:
                return chosen
    if spec == "one":
        return [rng.choice(nodes)]
    if spec == "all":
        return list(nodes)
    count = {"minority": majority - 1, "majority": majority,
             "minority-third": (n - 1) // 3}[spec]
    shuffled = list(nodes)
    rng.shuffle(shuffled)
    return sorted(shuffled[:count], key=nodes.index)


class _FlipFlops(gen.Stream):
    """Per op, one of the enabled faults at random; each fault alternates between striking
    (kill or pause, at a random target spec) and recovering everyone (start or resume :all)."""

    def __init__(self, faults: list[str], schedule: random.Random) -> None:
        super().__init__(lambda rng: {}, schedule)
        self.faults = faults
        self.striking = {f: True for f in faults}

    def next_op(self, ctx: gen.Context) -> Op:
        fault = self.rng.choice(self.faults)
        striking = self.striking[fault]
        self.striking[fault] = not striking
        if striking:
            target = self.rng.choice(TARGETS)
            return {"f": fault, "value": None if target is None else Keyword(target)}
        return {"f": RECOVERY[fault], "value": Keyword("all")}


def db_generator(faults: frozenset[str], interval: float,
                 schedule: random.Random) -> gen.Generator | None:
    """Kills and pauses on the nemesis thread, staggered by `interval` (None: neither)."""
    chosen = [f for f in DB_FAULTS if f in faults]
    if not chosen:
        return None
    return gen.nemesis(gen.Stagger(interval, _FlipFlops(chosen, schedule), schedule))


def generator(faults: frozenset[str], interval: float, schedule: random.Random,
              db_schedule: random.Random) -> gen.Generator | None:
    """Every fault's schedule at once (Jepsen's compose-packages: gen/any)."""
    parts = [g for g in (partition_generator(interval, schedule) if "partition" in faults
                         else None, db_generator(faults, interval, db_schedule)) if g]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else gen.Any(*parts)


def recovery_generator(faults: frozenset[str]) -> gen.Generator | None:
    """Before a final phase: heal, then resume everyone, then start everyone (each package's
    final generator, in turn)."""
    ops = []
    if "partition" in faults:
        ops.append({"f": "stop-partition", "value": None})
    if "pause" in faults:
        ops.append({"f": "resume", "value": Keyword("all")})
    if "kill" in faults:
        ops.append({"f": "start", "value": Keyword("all")})
    if not ops:
        return None
    return gen.nemesis(gen.Phases(*(gen.Once(op) for op in ops)))


class Nemesis:
    """Carries out every nemesis op: partitions on the network, kills, starts, pauses and
    resumes through the test's db (db.py: async kill/start/pause/resume(node_id))."""

    def __init__(self, partitioner: Partitioner, db: Any, nodes: list[str],
                 targets: random.Random) -> None:
        self.partitioner = partitioner
        self.db = db
        self.nodes = nodes
        self.targets = targets

    async def invoke(self, op: Op) -> Op:
        f = op["f"]
        if f in ("start-partition", "stop-partition"):
            return await self.partitioner.invoke(op)
        value = op.get("value")
        spec = None if value is None else value if isinstance(value, list) else str(value)
        nodes = db_nodes(self.nodes, spec, self.targets)
        action = {"kill": "kill", "start": "start", "pause": "pause", "resume": "resume"}[f]
        done: dict[str, Keyword] = {}
        for node in nodes:
            done[node] = Keyword(await getattr(self.db, action)(node))
        return dict(op, value=done)
