"""The list-append transactions, version orders and dependency graph (jepsen-io/elle
src/elle/list_append.clj, Elle 0.2.2): transactions of appends `[:append k v]` and reads
`[:r k [v ...]]` over named lists; `workbench.elle.list_append.check` ties it together.

Every read returns a whole list, so the order of appends to a key is written down in the
reads themselves: sorted by length, each read must be a prefix of the next
(`incompatible-order` when not), and the longest read is the key's version order. An append
nobody read is known only to come after the last element anybody read. From that order:

- ww: T1 appended the element just before T2's append;
- wr: T2 read a list whose last element T1 appended;
- rw: T1 read a list ending in the element just before T2's append (or read the key empty
  while T2's append came first), so T1 did not see T2's append;

plus process or real-time order when the models need them. Cycles are searched and named by
`workbench.elle.cycles` (G0, G1c, G-single-item, G-nonadjacent-item, G2-item and their
-process / -realtime variants). The non-cycle anomalies live in `workbench.elle.append_cases`.

As in Elle, the graph holds :ok and :info transactions (an :info txn's appends may have
happened), non-cycle checks look at :ok ones, and a history with a micro-op other than
:r/:append, or one value appended twice to a key, is not analysed at all: the result is
unknown with an :error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .graph import Digraph
from .rw_register import (
    PROCESS,
    REALTIME,
    RW,
    WR,
    WW,
    AnalysisError,
    Dependencies,
    process_edges,
)

__all__ = ["WW", "WR", "RW", "PROCESS", "REALTIME", "INIT", "HistoryError", "Txn", "parse",
           "hashable", "sorted_values", "AppendIndex", "append_index", "previously_appended",
           "dependencies"]


class _Init:
    """The initial (empty) state of a key, before any append."""

    def __repr__(self) -> str:
        return "INIT"


INIT: Any = _Init()


class HistoryError(AnalysisError):
    """The history breaks an assumption Elle checks before analysing (Elle throws with
    :valid? :unknown); `data` is the error map for the result."""

    def __init__(self, kind: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.data = {"type": kind, "message": message, **data}


@dataclass(eq=False)
class Txn:
    """One completed transaction: its completion op, its invocation, its micro-ops."""

    id: int  # the completion's history index
    op: dict[str, Any]
    invoke: dict[str, Any]
    mops: list[tuple[str, Any, Any]]

    @property
    def type(self) -> str:
        return str(self.op["type"])


def hashable(x: Any) -> Any:
    """An element or key as a dict key (JSON lists become tuples)."""
    if isinstance(x, list):
        return tuple(hashable(i) for i in x)
    if isinstance(x, dict):
        return tuple(sorted((str(k), hashable(v)) for k, v in x.items()))
    return x


def _read_value(v: list[Any]) -> tuple[Any, ...]:
    t = tuple(v)
    try:
        hash(t)
        return t
    except TypeError:
        return tuple(hashable(e) for e in v)


def _mops(value: Any) -> list[tuple[str, Any, Any]] | None:
    """Micro-ops with hashable keys and elements and reads as tuples (or None); None when
    one is not [:r k list-or-nil] or [:append k v]."""
    if not isinstance(value, (list, tuple)):
        return None
    out = []
    for mop in value:
        if not isinstance(mop, (list, tuple)) or len(mop) != 3:
            return None
        f, k, v = mop
        if f == "append":
            out.append(("append", hashable(k), hashable(v)))
        elif f == "r" and (v is None or isinstance(v, list)):
            out.append(("r", hashable(k), None if v is None else _read_value(v)))
        else:
            return None
    return out


def mop_data(f: str, k: Any, v: Any) -> list[Any]:
    """A micro-op as it appears in case data: [:r k [...]] or [:append k v]."""
    return [f, k, list(v) if f == "r" and v is not None else v]


def parse(history: Iterable[dict[str, Any]]) -> list[Txn]:
    """Every completed client txn (ok, info or fail) with its invocation. Raises HistoryError
    for micro-ops other than r/append (Elle's verify-mop-types) and for a value appended twice
    to one key by the invocations (verify-unique-appends)."""
    open_ops: dict[Any, dict[str, Any]] = {}
    txns: list[Txn] = []
    bad: list[dict[str, Any]] = []
    appended: set[tuple[Any, ...]] = set()
    for op in history:
        if op.get("process") == "nemesis" or op.get("f") != "txn":
            continue
        mops = _mops(op.get("value"))
        if mops is None:
            bad.append(op)
            continue
        if op["type"] == "invoke":
            for f, k, v in mops:
                if f == "append":
                    kv = (k, v)
                    if kv in appended:
                        raise HistoryError("duplicate-appends",
                                           f"value {v!r} appended to key {k!r} multiple times!",
                                           op=op, key=k, value=v)
                    appended.add(kv)
            open_ops[op["process"]] = op
            continue
        inv = open_ops.pop(op["process"], None)
        if inv is not None:
            txns.append(Txn(op["index"], op, inv, mops))
    if bad:
        raise HistoryError("unexpected-txn-micro-op-types",
                           "history contained operations other than appends or reads",
                           examples=bad[:8])
    return txns


# ---- version orders -------------------------------------------------------------------------


def sorted_values(txns: list[Txn], single_appends: bool) -> dict[Any, list[tuple[Any, ...]]]:
    """Per key, every distinct non-empty list read, shortest first. With `single_appends`, a
    key appended exactly once (in these txns) has the order [[v]] whatever was read (Elle's
    values-from-single-appends; Elle's own dirty-update pass counts invocations too, so the
    rule never applies there)."""
    seen: dict[Any, dict[tuple[Any, ...], None]] = {}
    for t in txns:
        for f, k, v in t.mops:
            if f == "r" and v:
                seen.setdefault(k, {})[v] = None
    if single_appends:
        count: dict[Any, list[Any]] = {}
        for t in txns:
            for f, k, v in t.mops:
                if f == "append":
                    count.setdefault(k, []).append(v)
        for k, vs in count.items():
            if len(vs) == 1:
                seen[k] = {(vs[0],): None}
    return {k: sorted(vals, key=len) for k, vals in seen.items()}


@dataclass
class AppendIndex:
    """Per key: the version order (the longest read, duplicates dropped) and each element's
    position in it."""

    values: dict[Any, list[Any]]
    indices: dict[Any, dict[Any, int]]


def append_index(sorted_vals: dict[Any, list[tuple[Any, ...]]]) -> AppendIndex:
    values = {k: list(dict.fromkeys(vals[-1])) for k, vals in sorted_vals.items()}
    return AppendIndex(values, {k: {e: i for i, e in enumerate(vs)} for k, vs in values.items()})


def previously_appended(index: AppendIndex, k: Any, v: Any) -> Any:
    """The element appended just before `v` to key `k` (both hashable), or INIT. An append no
    read showed comes after the last element anybody read."""
    i = index.indices.get(k, {}).get(v)
    if i is not None:
        return index.values[k][i - 1] if i > 0 else INIT
    vals = index.values.get(k)
    return vals[-1] if vals else INIT


# ---- the dependency graph -------------------------------------------------------------------


class AppendDependencies(Dependencies):
    """The graph plus what explains its edges: like Elle's explainers, the reason for an edge
    is worked out again from the indices only when a cycle is reported."""

    def __init__(self, graph: Digraph, txns: dict[int, Txn], index: AppendIndex,
                 writer: dict[tuple[Any, ...], Txn],
                 readers: dict[tuple[Any, ...], list[Txn]]) -> None:
        super().__init__(graph, {}, txns)
        self.index, self.writer, self.readers = index, writer, readers

    def explain(self, a: int, b: int, tag: int) -> dict[str, Any]:
        ta, tb = self.txns[a], self.txns[b]
        if tag == PROCESS:
            return {"type": "process", "process": ta.op["process"]}
        if tag == REALTIME:
            return {"type": "realtime", "a'": ta.op, "b": tb.invoke}
        for f, k, v in tb.mops:
            if f == "r" and tag == WR and v and self.writer.get((k, v[-1])) is ta:
                return {"type": "wr", "key": k, "value": v[-1]}
            if f != "append" or tag == WR:
                continue
            prev = previously_appended(self.index, k, v)
            if tag == WW and prev is not INIT and self.writer.get((k, prev)) is ta:
                return {"type": "ww", "key": k, "value": prev, "value'": v}
            if tag == RW and any(r is ta for r in self.readers.get((k, prev), ())):
                return {"type": "rw", "key": k,
                        "value": None if prev is INIT else prev, "value'": v}
        raise KeyError(f"no {tag} edge from {a} to {b}")


def dependencies(possible: list[Txn], index: AppendIndex, order: str | None,
                 history: list[dict[str, Any]]) -> AppendDependencies:
    """ww, wr and rw edges between the :ok and :info txns `possible`, plus `order`
    ("process", "realtime" or None) between :ok ones. Vertices exist only where edges do
    (as in Elle, so no edge at all is an empty transaction graph)."""
    g = Digraph()
    out = g.out

    def link(a: int, b: int, tag: int) -> None:
        succ = out.get(a)
        if succ is None:
            succ = out[a] = {}
        if b not in out:
            out[b] = {}
        succ[b] = succ.get(b, 0) | tag

    writer: dict[tuple[Any, ...], Txn] = {}
    readers: dict[tuple[Any, ...], list[Txn]] = {}
    for t in possible:
        for f, k, v in t.mops:
            if f == "append":
                writer[(k, v)] = t
            elif v is not None or t.type == "ok":  # an :info read of nil saw nothing
                readers.setdefault((k, v[-1] if v else INIT), []).append(t)
    for t in possible:
        b = t.id
        for f, k, v in t.mops:
            if f == "append":
                prev = previously_appended(index, k, v)
                if prev is not INIT:
                    w = writer.get((k, prev))
                    if w is not None and w is not t:
                        link(w.id, b, WW)
                for r in readers.get((k, prev), ()):
                    if r is not t:
                        link(r.id, b, RW)
            elif v:
                w = writer.get((k, v[-1]))
                if w is not None and w is not t:
                    link(w.id, b, WR)
    by_id = {t.id: t for t in possible}
    oks = [t for t in possible if t.type == "ok"]

    def edge(a: Txn, b: Txn, tag: int, data: dict[str, Any]) -> None:
        link(a.id, b.id, tag)

    if order == "process":
        process_edges(oks, edge)
    elif order == "realtime":
        _realtime_edges(possible, history, link)
    return AppendDependencies(g, by_id, index, writer, readers)


def _realtime_edges(possible: list[Txn], history: list[dict[str, Any]], link: Any) -> None:
    """A -> B when :ok A completed before B (:ok or :info) was invoked, as Elle's
    realtime-graph: only a transitive reduction (each invocation links the completions not
    yet implied by a later one), so about n x concurrency edges."""
    by_invoke = {t.invoke["index"]: t for t in possible}
    ok_ids = {t.id for t in possible if t.type == "ok"}
    frontier: set[int] = set()
    preds: dict[int, list[int]] = {}
    for op in history:
        i = op.get("index")
        if op["type"] == "invoke":
            t = by_invoke.get(i)
            if t is not None:
                preds[t.id] = list(frontier)
                for a in preds[t.id]:
                    link(a, t.id, REALTIME)
        elif op["type"] == "ok" and i in ok_ids:
            frontier.difference_update(preds.get(i, ()))
            frontier.add(i)
