"""The kill and pause package (Jepsen's db-package in jepsen/nemesis/combined.clj): one
generator for both faults, its final ops, the target specs (Jepsen's db-nodes) and the four
verbs, carried out through the run's DB (package.DB).

During the run, each op picks one of the enabled faults (the `db-nemesis` stream); each fault
alternates between striking (kill or pause, at a target spec drawn with it) and recovering
everyone (start or resume :all). The nodes a spec names are drawn when the op is carried out
(the `targets` stream). The completion says what happened to each node:

    {:f :kill :value :majority}  ->  {:f :kill :value {"n0" :killed, "n2" :already-dead}}

Before a final phase: resume everyone, then start everyone.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Callable

from .. import generator as gen
from ..edn import Keyword
from .package import NODES, Op, Package, Perf, Scope

if TYPE_CHECKING:
    from ..history import Op as HistoryOp

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

    def next_op(self, ctx: gen.Context) -> HistoryOp:
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


def _generator(faults: frozenset[str], interval: float,
               stream: Callable[[str], random.Random]) -> gen.Generator | None:
    return db_generator(faults, interval, stream("db-nemesis"))


def _final(faults: frozenset[str]) -> list[HistoryOp]:
    return [{"f": RECOVERY[f], "value": Keyword("all")} for f in ("pause", "kill")
            if f in faults]


def _resolve(scope: Scope, value: Any) -> list[str]:
    spec = None if value is None else value if isinstance(value, list) else str(value)
    return db_nodes(scope.nodes, spec, scope.targets)


def _verb(name: str) -> Op:
    """The op that applies DB verb `name` to the target nodes (`DB.on_nodes`)."""
    async def perform(scope: Scope, nodes: list[str]) -> dict[str, Keyword]:
        done = await scope.db.on_nodes(name, nodes)
        return {node: Keyword(what) for node, what in done.items()}
    return Op(perform, _resolve, NODES)


PACKAGE = Package(
    faults=DB_FAULTS,
    generator=_generator,
    final=_final,
    ops={verb: _verb(verb) for verb in ("kill", "start", "pause", "resume")},
    perf=(Perf("kill", frozenset({"kill"}), frozenset({"start"}), "#E9A4A0", "killed",
               "started", key="node killed", title="down (killed)"),
          Perf("pause", frozenset({"pause"}), frozenset({"resume"}), "#A0B1E9", "paused",
               "resumed", key="node paused", title="paused")),
)
