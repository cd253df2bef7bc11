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
from typing import TYPE_CHECKING

from . import generator as gen
from .edn import Keyword

if TYPE_CHECKING:
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


def grudge_value(grudge: Grudge) -> list:
    """The completion value [:isolated {node [srcs]}], as the history shows it."""
    return [Keyword("isolated"), {k: sorted(v) for k, v in sorted(grudge.items()) if v}]



# ---- the schedule and the executor ------------------------------------------------------------


class _StartStop(gen.Stream):
    """start-partition of a kind drawn from `schedule`, then stop-partition, in turn."""

    def __init__(self, schedule: random.Random) -> None:
        super().__init__(lambda rng: {}, schedule)
        self.starting = True

    def next_op(self, ctx: gen.Context) -> dict:
        op = ({"f": "start-partition", "value": Keyword(self.rng.choice(SPECS))}
              if self.starting else {"f": "stop-partition", "value": None})
        self.starting = not self.starting
        return op


def partition_generator(interval: float, schedule: random.Random) -> gen.Generator:
    """Partitions on and off on the nemesis thread, staggered by `interval`."""
    return gen.nemesis(gen.Stagger(interval, _StartStop(schedule), schedule))


def final_generator(faults: frozenset[str]) -> gen.Generator | None:
    """What the nemesis does before a final phase: heal any partition."""
    if "partition" not in faults:
        return None
    return gen.nemesis(gen.Once({"f": "stop-partition", "value": None}))


class Partitioner:
    """Carries out partition ops on the network; `partitioned` says whether one is on."""

    def __init__(self, network: Network, nodes: list[str], targets: random.Random) -> None:
        self.network = network
        self.nodes = nodes
        self.targets = targets
        self.partitioned = False

    async def invoke(self, op: dict) -> dict:
        """Apply `op`; returns the completion's value."""
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
