"""Parts of the kafka checker that look at time: :unseen, realtime lag, and write-read cycles
with the real-time order (Elle's :G1c-realtime).

Cycles. The graph has a wr edge from the op that sent v to every other op that polled v, and a
realtime edge from each :ok op to every op invoked after it completed (Elle's realtime-graph).
Polls never send, so every cycle alternates wr edges and realtime chains, and since real-time
precedence is an interval order, every cycle implies a two-op cycle: a poll that completed
before the send of a value it read was invoked. So finding those pairs finds every cycle; only
when some exist do we compute the strongly connected components (over a time-line graph that
encodes the realtime order in linear size) to report, as Elle does, one :G1c-realtime cycle
and one :strong-PL-2-cycle-exists case per component.
"""

from __future__ import annotations

import bisect
from typing import Any, cast

from ...elle.graph import Digraph, sccs
from ...validity import UNKNOWN
from .ops import TXN_FS

# ---- unseen ---------------------------------------------------------------------------------


def unseen(data: list[tuple[dict[str, Any], list[Any], dict[str, Any]]]) -> dict[str, Any] | None:
    """Jepsen's unseen, at the last :ok send/poll: per key, values acknowledged by :ok sends and
    not yet read by any :ok poll. Bug-compatible: a key first read by that very last op and
    never sent by an :ok send before counts every value read (Jepsen's merge-with keeps it)."""
    sent: dict[Any, set[Any]] = {}
    polled: dict[Any, set[Any]] = {}
    last = None
    fresh: set[Any] = set()
    for op, w, r in data:
        if op["type"] != "ok" or op["f"] not in TXN_FS:
            continue
        last = op
        for k in fresh:  # keys first seen by the previous op's reads are carried from now on
            sent.setdefault(k, set())
        fresh = set()
        for k, _, v in w:
            values = sent.setdefault(k, set())
            if v not in polled.get(k, ()):
                values.add(v)
        for k, pairs in r.items():
            if k not in sent and k not in polled:
                fresh.add(k)
            got = polled.setdefault(k, set())
            got.update(v for _, v in pairs)
            if k in sent:
                sent[k].difference_update(got)
            elif k not in fresh:
                sent[k] = set()
    if last is None:
        return None
    counts = {k: len(v) for k, v in sent.items() if v}
    messages = {k: set(v) for k, v in sent.items() if v}
    for k in fresh:
        if polled[k]:
            counts[k] = len(polled[k])
            messages[k] = set(polled[k])
    if not counts:
        return None
    return {"time": last["time"], "unseen": dict(sorted(counts.items())),
            "messages": dict(sorted(messages.items()))}


# ---- realtime lag ---------------------------------------------------------------------------


def max_offsets(op: dict[str, Any], w: list[Any], r: dict[str, Any]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    if op["f"] in ("poll", "txn"):
        for k, pairs in r.items():
            top = max((o for o, _ in pairs if o is not None), default=-1)
            out[k] = max(out.get(k, top), top)
    if op["f"] in ("send", "txn"):
        for k, o, _ in w:
            if o is not None:
                out[k] = max(out.get(k, 0), o)
    return out


def worst_realtime_lag(data: list[tuple[dict[str, Any], list[Any], dict[str, Any]]],
                       invocation: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """{:time :process :key :lag} in seconds for the poll that lagged most: how long before its
    invocation the next offset after the highest one its process had seen was known to exist."""
    # key -> (offsets, times): first time offset >= o
    steps: dict[Any, tuple[list[Any], list[Any]]] = {}
    for op, w, r in data:
        if op["type"] not in ("ok", "info") or op["f"] not in TXN_FS:
            continue
        for k, o in max_offsets(op, w, r).items():
            offsets, times = steps.setdefault(k, ([], []))
            if o >= 0 and (not offsets or o > offsets[-1]):
                offsets.append(o)
                times.append(op["time"])
    worst: tuple[Any, ...] | None = None
    tracked: dict[Any, dict[Any, int]] = {}
    for op, w, r in data:
        if op["type"] != "ok":
            continue
        f, p = op["f"], op["process"]
        if f == "assign":
            old = tracked.get(p, {})
            tracked[p] = {k: old.get(k, -1) for k in op["value"]}
        elif f == "subscribe":
            tracked[p] = {}
        elif f in ("poll", "txn") and op["index"] in invocation:
            t = invocation[op["index"]]["time"]
            mine = tracked.setdefault(p, {})
            for k, o in max_offsets(op, w, r).items():
                mine[k] = max(mine.get(k, o), o)
            for k, o in mine.items():
                lag = 0
                step = steps.get(k)
                if step is not None:
                    i = bisect.bisect_left(step[0], o + 1)
                    if i < len(step[0]):
                        lag = max(0, t - step[1][i])
                if worst is None or lag > worst[3]:
                    worst = (t, p, k, lag)
    if worst is None:
        return {"time": 0.0, "lag": 0.0}
    t, p, k, lag = worst
    return {"time": t / 1e9, "process": p, "key": k, "lag": lag / 1e9}


# ---- cycles ---------------------------------------------------------------------------------


def cycles(data: list[tuple[dict[str, Any], list[Any], dict[Any, Any]]],
           invocation: dict[int, dict[str, Any]],
           writers: dict[tuple[Any, ...], dict[str, Any]],
           read_any: bool) -> dict[str, Any]:
    """The write-read cycles with the real-time order, from each completion's (op, writes,
    reads), the invocation of each completion (by its index), the op that sent each
    (key, value), and whether any value was read at all."""
    inv_index = {i: op["index"] for i, op in invocation.items()}
    bad = []
    for op, _, r in data:
        if op["type"] != "ok":
            continue
        for k, pairs in r.items():
            for _, v in pairs:
                writer = writers[(k, v)]
                if writer is not op and op["index"] < inv_index.get(writer["index"], -1):
                    bad.append((writer, op, k, v))
    if not bad:
        txn_ops = [op for op, _, _ in data if op["f"] in TXN_FS and op["index"] in inv_index]
        first_ok = min((op["index"] for op in txn_ops if op["type"] == "ok"), default=None)
        last_invoke = max((inv_index[op["index"]] for op in txn_ops), default=None)
        if read_any or (first_ok is not None and first_ok < last_invoke):
            return {}  # some wr or realtime edge exists (reads of a value imply its send)
        return {"empty-transaction-graph": True}  # Elle reports this (e.g. nothing ever :ok)
    graph_ops = [op for op, _, _ in data if op["f"] in TXN_FS and op["index"] in inv_index]
    node = {id(op): j for j, op in enumerate(graph_ops)}
    n = len(graph_ops)
    events = sorted([(inv_index[op["index"]], j, 0) for j, op in enumerate(graph_ops)]
                    + [(op["index"], j, 1) for j, op in enumerate(graph_ops)])
    # ops are vertices 0..n-1; n+pos is the pos-th invocation/completion event (realtime chain)
    graph = Digraph()
    for pos, (_, j, is_completion) in enumerate(events):
        if pos + 1 < len(events):
            graph.add_edge(n + pos, n + pos + 1, 1)
        if is_completion:
            if graph_ops[j]["type"] == "ok":
                graph.add_edge(j, n + pos, 1)
        else:
            graph.add_edge(n + pos, j, 1)
    for op, _, r in data:
        if id(op) not in node:
            continue
        for k, pairs in r.items():
            for _, v in pairs:
                w = writers[(k, v)]
                if w is not op and id(w) in node:
                    graph.add_edge(node[id(w)], node[id(op)], 1)
    component: dict[Any, tuple[int, list[int]]] = {}
    for c, scc in enumerate(sccs(graph)):
        members = [cast(int, m) for m in scc]  # the vertices here are ints
        for m in members:
            component[m] = (c, members)
    out: dict[str, list[Any]] = {"G1c-realtime": [], "strong-PL-2-cycle-exists": []}
    reported = set()
    for writer, reader, k, v in bad:
        c, members = component[node[id(writer)]]
        if c in reported:
            continue
        reported.add(c)
        w, rd = writer, reader
        out["G1c-realtime"].append({
            "cycle": [w, rd, w],
            "steps": [{"type": "wr", "key": k, "value": v, "a-mop-index": 0,
                       "b-mop-index": 0},
                      {"type": "realtime", "a'": rd,
                       "b": invocation[writer["index"]]}],
            "type": "G1c-realtime"})
        ops = [graph_ops[m] for m in members if m < n]
        out["strong-PL-2-cycle-exists"].append({
            "type": "strong-PL-2-cycle-exists", "not": "strong-read-committed",
            "subgraph": ["union", "ww", "wr", "realtime"],
            "scc-size": len(ops), "scc": {op["index"] for op in ops}})
    return out


# ---- offsets Maelstrom cannot index ---------------------------------------------------------

# Measured on real Maelstrom (cb7f072, 4 GB heap) with tests/nodes/fidelity/kafka_sparse.py:
# 5e7 slots in all took 21 s of analysis, 1.2e9 had not finished after 14 minutes.
OFFSET_SLOTS_LIMIT = 100_000_000


def offset_scale(orders: dict[Any, Any], limit: int = OFFSET_SLOTS_LIMIT) -> dict[str, Any] | None:
    """Jepsen's kafka checker (jepsen/tests/kafka.clj, datafy-version-order-log) turns each
    key's log into a vector with one slot per raw offset from 0 to the highest, so its cost
    grows with the offsets' size, not their number. Past `limit` slots in all, a run we judge
    in a moment is one Maelstrom's checker spends minutes or all its memory on: say so, and
    which keys' offsets did it. None when the offsets are within reach."""
    top = {k: order.offsets[-1] for k, order in orders.items() if order.offsets}
    slots = sum(m + 1 for m in top.values())
    if slots <= limit:
        return None
    worst = sorted(top, key=lambda k: -top[k])[:10]
    return {"why": (f"Maelstrom's kafka checker allocates one slot per offset from 0 to each "
                    f"key's highest, {slots} in all (more than {limit}): it would run out of "
                    f"memory or time where this checker does not. Not a Maelstrom pass."),
            "slots": slots,
            "offsets": {k: {"max-offset": top[k], "distinct-offsets": len(orders[k].offsets)}
                        for k in worst}}


def flag_offset_scale(out: dict[str, Any], orders: dict[Any, Any]) -> dict[str, Any]:
    """The checker's result, flagged when Maelstrom's checker could not index the offsets:
    anomalies stand, and a clean run becomes :unknown, since Maelstrom never passes it."""
    scale = offset_scale(orders)
    if scale:
        out["not-a-maelstrom-pass"] = dict(scale, **{"valid-here?": out["valid?"]})
        out["valid?"] = out["valid?"] and UNKNOWN
    return out
