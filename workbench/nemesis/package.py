"""What a fault package is made of, after Jepsen's jepsen/nemesis/combined.clj, where each
package is a map of :generator, :final-generator, :nemesis and :perf:

    Package   the --nemesis faults it serves; its generator (the faults during the run) and
              final ops (the heal before a final phase); the ops it performs, by :f; and
              one Perf per fault, which the report draws
    Op        how one :f is carried out: the target its value names (drawn from the run's
              `targets` stream, or given by a schedule), and what doing it returns
    Target    how a resolved target is written in and read from a schedule file
    Perf      a fault's perf name, colour and the :f's that start and stop it (Jepsen's
              :perf entry), and how the report finds its periods
    DB        the fault verbs a package uses on nodes, with Jepsen's names (kill, start,
              pause, resume), each returning the word the history records ("killed", ...)
    Scope     what a package's ops act on: the network, the node names, the DB, the stream

The records hold no state: a package is data plus functions, and the registry
(registry.py) lists the packages a run can use.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Mapping, Protocol

if TYPE_CHECKING:
    from .. import generator as gen
    from ..history import Op as HistoryOp
    from ..network import Network


class DB(Protocol):
    """The nodes as the nemesis acts on them (Jepsen's db/Kill and db/Pause protocols). Each
    verb returns what it did, as the history records it: kill "killed" or "already-dead",
    start "started" or "already-running", pause "paused", "already-paused" or
    "not-running", resume "resumed" or "not-paused"."""

    async def kill(self, node_id: str) -> str: ...

    async def start(self, node_id: str) -> str: ...

    async def pause(self, node_id: str) -> str: ...

    async def resume(self, node_id: str) -> str: ...

    async def on_nodes(self, verb: str, nodes: list[str]) -> dict[str, str]:
        """One of the verbs above on each of `nodes` (Jepsen's `c/on-nodes`)."""
        ...


@dataclass
class Scope:
    """What a package's ops act on during one run. `targets` is the run's one stream for
    what each fault hits (grudges, nodes), shared by every package."""

    network: Network
    nodes: list[str]
    db: DB
    targets: random.Random


class Target(Protocol):
    """A kind of resolved target (a node list, a grudge): its field in a schedule entry, how
    it is read from an op's completion, written to and read from JSON, and shown as an op's
    value when a schedule entry gives none."""

    key: str

    def of_completion(self, value: Any) -> Any:
        """The target a completion's value shows was acted on."""

    def to_json(self, target: Any) -> Any: ...

    def from_json(self, raw: Any, nodes: list[str]) -> Any:
        """The target from a schedule entry; ValueError (a one-line reason) if malformed."""

    def as_value(self, target: Any) -> Any: ...


class NodeList:
    """A list of node names, in the run's node order (kill and pause targets)."""

    key = "nodes"

    def of_completion(self, value: Any) -> list[str]:
        return [str(node) for node in value] if isinstance(value, dict) else []

    def to_json(self, target: Any) -> list[str]:
        return list(target)

    def from_json(self, raw: Any, nodes: list[str]) -> list[str]:
        if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
            raise ValueError(f'"nodes" must be a list of node names, not {raw!r}')
        for node in raw:
            if node not in nodes:
                raise ValueError(f"unknown node {node!r} in \"nodes\" (the nodes are "
                                 f"{', '.join(nodes)})")
        return [n for n in nodes if n in raw]

    def as_value(self, target: Any) -> list[str]:
        return list(target)


NODES = NodeList()


@dataclass(frozen=True)
class Op:
    """How one nemesis :f is carried out. `resolve(scope, value)` turns the op's value (a
    spec such as :majority) into a target, drawing from scope.targets; `perform(scope,
    target)` does it and returns the completion's value. `target` is None for ops that take
    none (stop-partition)."""

    perform: Callable[[Scope, Any], Awaitable[Any]]
    resolve: Callable[[Scope, Any], Any] = lambda scope, value: None
    target: Target | None = None


@dataclass(frozen=True)
class Perf:
    """One fault as the report draws it (Jepsen's :perf entry: name, start and stop :f's,
    colour). Its periods: with `struck` None, from the first start op to the completion of
    the stop op that follows (a partition); otherwise from a start completion that did
    `struck` to some node to the next stop completion that did `healed` to one (kill:
    "killed" .. "started"), and per node likewise. `strong`: shaded denser (partitions);
    `key` names it in timeline.html's key (default: the name), `title` a node's band in
    messages.svg."""

    name: str
    start: frozenset[str]
    stop: frozenset[str]
    colour: str
    struck: str | None = None
    healed: str | None = None
    strong: bool = False
    key: str = ""
    title: str = ""


Make = Callable[[frozenset[str], float, Callable[[str], random.Random]], "gen.Generator | None"]


@dataclass(frozen=True)
class Package:
    """One fault package. `generator(faults, interval, stream)`: the ops during the run for
    the enabled `faults` among this package's (None: none), drawing from `stream(concern)`;
    `final(faults)`: the ops that heal them before a final phase, in order; `ops`: every :f
    it performs; `perf`: one entry per fault."""

    faults: tuple[str, ...]
    generator: Make
    final: Callable[[frozenset[str]], list[HistoryOp]]
    ops: Mapping[str, Op]
    perf: tuple[Perf, ...] = field(default=())
