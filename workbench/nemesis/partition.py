"""The partition package (Jepsen's partition-package in jepsen/nemesis/combined.clj, as
Maelstrom's src/maelstrom/nemesis.clj uses it): Maelstrom's four partition specs, the grudges
they draw (jepsen/nemesis.clj), and the package record.

During the run: start-partition, stop-partition, ..., the first at once and each next a
uniform [0, 2 x --nemesis-interval) later. The kind of each partition is drawn by the
generator (the `nemesis` stream), the grudge (who stops hearing whom) when it is applied
(the `targets` stream). Both ops go into the history with process :nemesis and type :info:

    {:f :start-partition :value :majority}  ->  {:f :start-partition :value [:isolated {...}]}
    {:f :stop-partition  :value nil}        ->  {:f :stop-partition :value :network-healed}

Before a final phase, one stop-partition heals the network.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Callable

from .. import generator as gen
from ..edn import Keyword
from .package import Op, Package, Perf, Scope

if TYPE_CHECKING:
    from ..history import Op as HistoryOp

SPECS = ("one", "majority", "minority-third", "majorities-ring")
COLOUR = "#E9DCA0"  # Jepsen's partition perf colour

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


class GrudgeTarget:
    """A grudge in a schedule: {"n1": ["n2", "n3"], ...}, each node the senders it drops."""

    key = "grudge"

    def of_completion(self, value: Any) -> Grudge:
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], dict)):
            return {}
        return {str(k): sorted(str(x) for x in v) for k, v in value[1].items()}

    def to_json(self, target: Any) -> Grudge:
        return {k: sorted(v) for k, v in sorted(target.items()) if v}

    def from_json(self, raw: Any, nodes: list[str]) -> Grudge:
        if not isinstance(raw, dict) or not all(
                isinstance(v, list) and all(isinstance(x, str) for x in v) for v in raw.values()):
            raise ValueError('"grudge" must map each node to the list of nodes it no longer '
                             f"hears, not {raw!r}")
        for node in [*raw, *(x for v in raw.values() for x in v)]:
            if node not in nodes:
                raise ValueError(f"unknown node {node!r} in \"grudge\" (the nodes are "
                                 f"{', '.join(nodes)})")
        return {k: list(v) for k, v in raw.items()}

    def as_value(self, target: Any) -> list[Any]:
        return grudge_value(target)


GRUDGE = GrudgeTarget()


class _StartStop(gen.Stream):
    """start-partition of a kind drawn from `schedule`, then stop-partition, in turn."""

    def __init__(self, schedule: random.Random) -> None:
        super().__init__(lambda rng: {}, schedule)
        self.starting = True

    def next_op(self, ctx: gen.Context) -> HistoryOp:
        op: HistoryOp = ({"f": "start-partition", "value": Keyword(self.rng.choice(SPECS))}
                         if self.starting else {"f": "stop-partition", "value": None})
        self.starting = not self.starting
        return op


def partition_generator(interval: float, schedule: random.Random) -> gen.Generator:
    """Partitions on and off on the nemesis thread, staggered by `interval`."""
    return gen.nemesis(gen.Stagger(interval, _StartStop(schedule), schedule))


def _generator(faults: frozenset[str], interval: float,
               stream: Callable[[str], random.Random]) -> gen.Generator | None:
    return partition_generator(interval, stream("nemesis")) if "partition" in faults else None


def _resolve(scope: Scope, value: Any) -> Grudge:
    return draw_grudge(scope.nodes, scope.targets, "one" if value is None else str(value))[1]


async def _start(scope: Scope, grudge: Grudge) -> Any:
    scope.network.heal()
    for dest, srcs in grudge.items():
        for src in srcs:
            scope.network.drop(src, dest)
    return grudge_value(grudge)


async def _stop(scope: Scope, target: Any) -> Any:
    scope.network.heal()
    return Keyword("network-healed")


PACKAGE = Package(
    faults=("partition",),
    generator=_generator,
    final=lambda faults: [{"f": "stop-partition", "value": None}],
    ops={"start-partition": Op(_start, _resolve, GRUDGE), "stop-partition": Op(_stop)},
    perf=(Perf("partition", frozenset({"start-partition"}), frozenset({"stop-partition"}),
               COLOUR, strong=True),),
)
