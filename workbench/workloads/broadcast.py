"""broadcast (Maelstrom's src/maelstrom/workload/broadcast.clj): values broadcast at any node must
reach every node.

Before any operation each node gets the topology (the full map, identical for all nodes;
--topology picks line, grid (default), tree/tree2, tree3, tree4 or total):

    request  {"type": "topology", "topology": {"n0": ["n3", "n1"], ...}}
    response {"type": "topology_ok"}

Then clients broadcast increasing integers and read, half and half:

    request  {"type": "broadcast", "message": 7}
    response {"type": "broadcast_ok"}

    request  {"type": "read"}
    response {"type": "read_ok", "messages": [0, 3, 7]}

After the main phase the network heals, the workbench waits 10 s, and every client thread
reads once more ({"f": "read", "final?": true}). Reads are idempotent (a timeout fails
them); a broadcast that times out is indeterminate. The checker is Jepsen's set-full
(broadcast is its add): lost values make the run invalid; it also reports stale and
never-read values and the stable latencies (ms from a broadcast's acknowledgement to the
last read that still lacked it).
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any, Awaitable, Callable

from ..checkers.set_full import check_set_full
from ..client import Client, MalformedReply, Reply, is_any, list_or_nil, with_errors
from ..errors import NodeError
from ..generator import EachThread, Stream, each_thread_once
from ..history import Op
from . import Workload

TOPOLOGY_OK = Reply("topology_ok", {}, "acknowledges the topology")
BROADCAST_OK = Reply("broadcast_ok", {}, "acknowledges the broadcast")
# Maelstrom's broadcast.clj: `:messages [s/Any]`, a vector schema, which accepts nil; the
# client then records an :ok read whose value is nil, and set-full reads it as empty.
READ_OK = Reply("read_ok", {"messages": list_or_nil(is_any)},
                "every message the node has seen (null reads as empty)")
IDEMPOTENT = frozenset({"read"})
SETUP_TIMEOUT = 5.0

Topology = dict[str, list[str]]


# ---- topologies ------------------------------------------------------------------------------


def line(nodes: list[str]) -> Topology:
    """Each node's neighbours on a line; {} for fewer than two nodes."""
    if len(nodes) < 2:
        return {}
    topo = {nodes[0]: [nodes[1]], nodes[-1]: [nodes[-2]]}
    for i in range(1, len(nodes) - 1):
        topo[nodes[i]] = [nodes[i - 1], nodes[i + 1]]
    return {n: topo[n] for n in nodes}


def grid(nodes: list[str]) -> Topology:
    """A ceil(sqrt(N))-wide grid, row by row; neighbours below, above, right, left."""
    n = len(nodes)
    side = math.isqrt(n - 1) + 1 if n else 0  # ceil(sqrt(n)) without float error

    def at(i: int, j: int) -> str | None:
        k = i * side + j
        return nodes[k] if 0 <= i and 0 <= j < side and k < n else None

    topo: Topology = {}
    for k, node in enumerate(nodes):
        i, j = divmod(k, side)
        around = (at(i + 1, j), at(i - 1, j), at(i, j + 1), at(i, j - 1))
        topo[node] = [x for x in around if x is not None]
    return topo


def total(nodes: list[str]) -> Topology:
    return {n: [m for m in nodes if m != n] for n in nodes}


def tree(nodes: list[str], branching: int) -> Topology:
    """Tiers of 1, b, b^2, ... nodes; the k-th chunk of b children of a tier belongs to the
    k-th node of the tier above. Each node -> [parent, children...]."""
    tiers: list[list[str]] = []
    rest, size = list(nodes), 1
    while rest:
        tiers.append(rest[:size])
        rest, size = rest[size:], size * branching
    topo: Topology = {n: [] for n in nodes}
    for upper, lower in itertools.pairwise(tiers):
        for k, parent in enumerate(upper):
            for child in lower[k * branching:(k + 1) * branching]:
                topo[parent].append(child)
                topo[child].insert(0, parent)
    return topo


def topology(kind: str, nodes: list[str]) -> Topology:
    """The topology map Maelstrom sends for --topology `kind`."""
    if kind == "line":
        return line(nodes)
    if kind == "grid":
        return grid(nodes)
    if kind == "total":
        return total(nodes)
    branching = {"tree": 2, "tree2": 2, "tree3": 3, "tree4": 4}.get(kind)
    if branching is None:
        raise ValueError(f"unknown topology {kind!r}")
    return tree(nodes, branching)


# ---- client ------------------------------------------------------------------------------------


class BroadcastClient:
    async def invoke(self, rpc: Client, op: Op) -> Op:
        async def call() -> Op:
            if op["f"] == "broadcast":
                await rpc.call({"type": "broadcast", "message": op["value"]}, reply=BROADCAST_OK)
                return dict(op, type="ok")
            body = await rpc.call({"type": "read"}, reply=READ_OK)
            return dict(op, type="ok", value=body["messages"])
        return await with_errors(op, IDEMPOTENT, call())


def make_setup(topo: Topology) -> Callable[[Client, object], Awaitable[None]]:
    async def setup(rpc: Client, opts: object) -> None:
        try:
            await rpc.call({"type": "topology", "topology": topo}, timeout=SETUP_TIMEOUT,
                           reply=TOPOLOGY_OK)
        except MalformedReply as err:
            raise NodeError(f"Node {rpc.node} answered topology badly: {err}") from None
    return setup


# ---- generators and checker ----------------------------------------------------------------------


def main_ops(rng: random.Random) -> Callable[[random.Random], Op]:
    """Half broadcasts of 0, 1, 2, ... (in generation order), half reads."""
    counter = itertools.count()

    def make(r: random.Random) -> Op:
        if rng.random() < 0.5:
            return {"f": "broadcast", "value": next(counter)}
        return {"f": "read", "value": None}
    return make


def final_generator() -> EachThread:
    return each_thread_once(lambda: {"f": "read", "value": None, "final?": True})


def check(opts: object, history: list[Op]) -> dict[str, Any]:
    return check_set_full(history, add_f="broadcast", read_f="read")


def workload(opts: Any, rng: random.Random) -> Workload:
    topo = topology(opts.topology, list(opts.nodes))
    return Workload(name="broadcast", client=BroadcastClient,
                    generator=Stream(main_ops(rng), rng), check=check,
                    final_generator=final_generator(), setup=make_setup(topo),
                    extra={"topology": topo})
