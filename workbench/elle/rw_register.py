"""Elle's rw-register analysis (Elle's src/elle/rw_register.clj): transactions over read/write
registers (with Elle's key type sanity check), the non-cycle anomalies (internal, G1a, G1b,
lost-update), per-key version orders, and the dependency graph (wr, ww, rw, plus process or
real-time order) with a reason for every edge; the edge tags list-append shares.

Version orders are inferred exactly as Elle does with `:wfr-keys? true`: the initial nil
precedes every value, and a value a transaction wrote follows the value it read first. Nothing
else is assumed, so write-write orders between blind writes stay unknown (the blind spot that
hides most G0 in rw-register histories).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol, Sequence

from ..values import freeze, jvm_class  # jvm_class: what Elle's type sanity compares
from .graph import Digraph, sccs

WW, WR, RW, PROCESS, REALTIME = 1, 2, 4, 8, 16
DATA = WW | WR | RW
TAG_NAMES = {WW: "ww", WR: "wr", RW: "rw", PROCESS: "process", REALTIME: "realtime"}


class AnalysisError(Exception):
    """The history breaks one of the analysis' assumptions (Elle throws; result :unknown)."""


class TxnLike(Protocol):
    """What the process order needs of a txn."""

    op: dict[str, Any]
    invoke: dict[str, Any]


@dataclass
class Txn:
    """One transaction: its completion op, its invocation, and its micro-ops."""

    id: int  # the completion's history index
    op: dict[str, Any]
    invoke: dict[str, Any]
    mops: list[tuple[str, Any, Any]]
    ext_reads: dict[Any, Any] = field(default_factory=dict)  # key -> value of its first mop, a read
    ext_writes: dict[Any, Any] = field(default_factory=dict)  # key -> its last write
    all_writes: dict[Any, Any] = field(default_factory=dict)  # (key, value) -> position

    @property
    def type(self) -> str:
        return str(self.op["type"])


def _mops(value: Any) -> list[tuple[str, Any, Any]]:
    if not isinstance(value, (list, tuple)):
        raise AnalysisError(f"a txn value must be a list of micro-ops, not {value!r}")
    out = []
    for mop in value:
        if not isinstance(mop, (list, tuple)) or len(mop) != 3 or str(mop[0]) not in ("r", "w"):
            raise AnalysisError(f"not a micro-op [f k v] with f r or w: {mop!r}")
        out.append((str(mop[0]), freeze(mop[1]), freeze(mop[2])))  # vectors are values
    return out


def parse(history: Iterable[dict[str, Any]]) -> list[Txn]:
    """Every completed client txn (ok, fail or info), with its invocation."""
    open_ops: dict[Any, dict[str, Any]] = {}
    txns: list[Txn] = []
    key_classes: dict[Any, Any] = {}
    for op in history:
        if op.get("process") == "nemesis" or op.get("f") != "txn":
            continue
        _key_classes(op.get("value"), key_classes)
        if op["type"] == "invoke":
            open_ops[op["process"]] = op
            continue
        inv = open_ops.pop(op["process"], None)
        if inv is None:
            continue
        value = op.get("value") if op["type"] == "ok" else inv.get("value")
        t = Txn(op["index"], op, inv, _mops(value))
        for pos, (f, k, v) in enumerate(t.mops):
            if f == "w":
                t.ext_writes[k] = v
                t.all_writes[(k, v)] = pos
            elif k not in t.ext_reads and k not in t.ext_writes:
                t.ext_reads[k] = v
        txns.append(t)
    for inv in open_ops.values():  # never completed: as indeterminate as :info
        t = Txn(inv["index"], dict(inv, type="info"), inv, _mops(inv.get("value")))
        for pos, (f, k, v) in enumerate(t.mops):
            if f == "w":
                t.ext_writes[k] = v
                t.all_writes[(k, v)] = pos
        txns.append(t)
    check_types(key_classes)
    return txns


def _key_classes(value: Any, out: dict[Any, Any]) -> None:
    if isinstance(value, (list, tuple)):
        for mop in value:
            if isinstance(mop, (list, tuple)) and len(mop) >= 2:
                out.setdefault(jvm_class(mop[1]), mop[1])


def check_types(key_classes: dict[Any, Any]) -> None:
    """Elle's type sanity (elle.txn/assert-type-sanity, run by elle.rw-register/check): the
    keys of every micro-op of every client op, invocations included, are of one class.
    Otherwise Elle throws and Maelstrom's analysis is :unknown. (Its other assertion, at most
    one integer class among values, cannot fail on parsed JSON: every integer is a Long or a
    BigInteger, and BigInteger is not among the classes it counts.)"""
    if len(key_classes) > 1:
        kinds = ", ".join(f"{c} (e.g. {ex!r})" for c, ex in sorted(key_classes.items()))
        raise AnalysisError(f"History includes a mix of different types for transaction "
                            f"keys: {kinds}; Elle requires one key type (invocations count)")


def realtime_edge_to_unfinished(txns: list[Txn]) -> bool:
    """Would Elle's realtime graph hold an edge to a :fail or :info txn? It links every ok
    completion to the completion of each later invocation, whatever its outcome, so one ok
    that ends before a failed or crashed txn begins makes the graph non-empty."""
    done = [t.op["index"] for t in txns if t.type == "ok"]
    if not done:
        return False
    first = min(done)
    return any(t.type != "ok" and t.op is not t.invoke and t.op["index"] != t.invoke["index"]
               and t.invoke["index"] > first for t in txns)


# ---- non-cycle anomalies --------------------------------------------------------------------


def internal_cases(oks: list[Txn]) -> list[dict[str, Any]]:
    """A read inside one txn that disagrees with what the txn itself wrote or read before."""
    cases = []
    for t in oks:
        known: dict[str, Any] = {}
        for f, k, v in t.mops:
            if f == "w":
                known[k] = v
            elif known.get(k) is None:
                known[k] = v
            elif known[k] != v:
                cases.append({"op": t.op, "mop": [f, k, v], "expected": known[k]})
                break
    return cases


def g1a_cases(oks: list[Txn], failed: list[Txn]) -> list[dict[str, Any]]:
    """An ok txn read a value written by a txn that failed (aborted read)."""
    writer = {kv: t for t in failed for kv in t.all_writes}
    cases = []
    for t in oks:
        for f, k, v in t.mops:
            if f == "r" and (k, v) in writer:
                cases.append({"op": t.op, "mop": ["r", k, v],
                              "writer": writer[(k, v)].op})
    return cases


def g1b_cases(oks: list[Txn], writers: list[Txn]) -> list[dict[str, Any]]:
    """An ok txn read a value another txn wrote and then overwrote (intermediate read)."""
    intermediate = {}
    for t in writers:
        for (k, v) in t.all_writes:
            if t.ext_writes.get(k) != v:
                intermediate[(k, v)] = t
    cases = []
    for t in oks:
        for f, k, v in t.mops:
            w = intermediate.get((k, v)) if f == "r" else None
            if w is not None and w is not t:
                cases.append({"op": t.op, "mop": ["r", k, v], "writer": w.op})
    return cases


def lost_update_cases(oks: list[Txn]) -> list[dict[str, Any]]:
    """Two or more txns read the same version of a key and both wrote that key."""
    by_read: dict[tuple[Any, ...], list[Txn]] = {}
    for t in oks:
        for k, v in t.ext_reads.items():
            if k in t.ext_writes:
                by_read.setdefault((k, v), []).append(t)
    return [{"key": k, "value": v, "txns": [t.op for t in ts]}
            for (k, v), ts in by_read.items() if len(ts) > 1]


# ---- version orders -------------------------------------------------------------------------


@dataclass
class Versions:
    """Per key: value -> values known to follow it (nil first, writes follow reads)."""

    after: dict[Any, dict[Any, set[Any]]]
    cyclic: list[dict[str, Any]]


def version_orders(oks: list[Txn], infos: list[Txn]) -> Versions:
    after: dict[Any, dict[Any, set[Any]]] = {}
    for t in oks + infos:
        for k, v in t.ext_writes.items():
            after.setdefault(k, {}).setdefault(None, set()).add(v)
    for t in oks:
        for k, v in t.ext_reads.items():
            if v is not None:
                after.setdefault(k, {}).setdefault(None, set()).add(v)
    wfr: dict[Any, Digraph] = {}
    for t in oks:
        for k, v1 in t.ext_reads.items():
            v2 = t.ext_writes.get(k)
            if k in t.ext_writes and v1 is not None and v1 != v2:
                wfr.setdefault(k, Digraph()).add_edge(v1, v2, 1)
    cyclic = []
    for k, g in wfr.items():
        loops = sccs(g)
        if loops:  # contradictory: drop the writes-follow-reads source for this key
            cyclic.append({"key": k, "scc": sorted(loops[0], key=repr),
                           "sources": ["wfr-keys"]})
            continue
        for v1, succ in g.out.items():
            after[k].setdefault(v1, set()).update(succ)
    return Versions(after, cyclic)


# ---- the dependency graph -------------------------------------------------------------------


@dataclass
class Dependencies:
    graph: Digraph
    why: dict[tuple[int, int], dict[int, dict[str, Any]]]  # (a, b) -> tag -> explanation data
    txns: dict[int, Any]  # id -> txn (rw-register's Txn, or list-append's)

    def explain(self, a: int, b: int, tag: int) -> dict[str, Any]:
        return self.why[(a, b)][tag]


def dependencies(oks: list[Txn], versions: Versions, order: str | None,
                 history: list[dict[str, Any]]) -> Dependencies:
    """wr, ww and rw edges between ok txns, plus `order` ("process", "realtime" or None)."""
    g = Digraph()
    why: dict[tuple[int, int], dict[int, dict[str, Any]]] = {}

    def edge(a: Txn, b: Txn, tag: int, data: dict[str, Any]) -> None:
        if a is b:
            return
        g.add_edge(a.id, b.id, tag)
        why.setdefault((a.id, b.id), {}).setdefault(tag, data)

    for t in oks:
        g.add_vertex(t.id)
    writer: dict[tuple[Any, ...], Txn] = {}
    readers: dict[tuple[Any, ...], list[Txn]] = {}
    for t in oks:
        for k, v in t.ext_writes.items():
            if (k, v) in writer:
                raise AnalysisError(f"key {k!r} value {v!r} was written by two ok txns, "
                                    f"{writer[(k, v)].id} and {t.id}; writes must be unique")
            writer[(k, v)] = t
        for k, v in t.ext_reads.items():
            readers.setdefault((k, v), []).append(t)
    for (k, v), rs in readers.items():
        w = writer.get((k, v))
        if w is not None and v is not None:
            for r in rs:
                edge(w, r, WR, {"type": "wr", "key": k, "value": v})
    for k, after in versions.after.items():
        for v1, succ in after.items():
            w1 = writer.get((k, v1)) if v1 is not None else None
            r1 = readers.get((k, v1), [])
            for v2 in succ:
                w2 = writer.get((k, v2))
                if w2 is None:
                    continue
                if w1 is not None:
                    edge(w1, w2, WW, {"type": "ww", "key": k, "value": v1,
                                      "value'": v2})
                for r in r1:
                    edge(r, w2, RW, {"type": "rw", "key": k, "value": v1,
                                     "value'": v2})
    by_id = {t.id: t for t in oks}
    if order == "process":
        process_edges(oks, edge)
    elif order == "realtime":
        _realtime_edges(oks, history, by_id, edge)
    return Dependencies(g, why, by_id)


def process_edges(oks: Sequence[TxnLike], edge: Any) -> None:
    """Edges from each process's txn to its next one (by invocation), for `order` process;
    rw-register's and list-append's txns alike."""
    last: dict[Any, TxnLike] = {}
    for t in sorted(oks, key=lambda t: t.invoke["index"]):
        p = t.op["process"]
        if p in last:
            edge(last[p], t, PROCESS, {"type": "process", "process": p})
        last[p] = t


def _realtime_edges(oks: list[Txn], history: list[dict[str, Any]], by_id: dict[int, Txn],
                    edge: Any) -> None:
    """A -> B when A completed before B was invoked; only the transitive reduction's edges
    (each B links to the ops completed since anything they precede), so O(n x concurrency)."""
    by_invoke = {t.invoke["index"]: t for t in oks}
    frontier: set[int] = set()
    preds: dict[int, list[int]] = {}
    for op in history:
        i = op.get("index")
        if op["type"] == "invoke" and i in by_invoke:
            t = by_invoke[i]
            preds[t.id] = list(frontier)
            for p in preds[t.id]:
                a = by_id[p]
                edge(a, t, REALTIME, {"type": "realtime", "a'": a.op, "b": t.invoke})
        elif op["type"] == "ok" and i in by_id:
            frontier.difference_update(preds.get(i, ()))
            frontier.add(i)
