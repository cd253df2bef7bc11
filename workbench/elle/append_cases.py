"""The list-append anomalies that need no cycle (jepsen-io/elle src/elle/list_append.clj and
txn.clj, Elle 0.2.2). Each function takes parsed txns (`append_graph.Txn`) and returns a list
of cases, dicts holding the ops that show the anomaly:

- `G1a` (aborted read): an :ok txn read an element a :fail txn appended. {op mop writer element}
- `G1b` (intermediate read): an :ok txn read a list whose last element another txn appended
  and then followed with another append to that key. {op mop writer element}
- `internal`: inside one :ok txn, a read disagrees with the txn's own earlier read or
  appends of that key. {op mop expected}; `expected` may start with the symbol `...` (an
  unknown prefix, when the txn appended without reading first).
- `future-read`: an :ok txn read an element it appends only later. {op mop element}
- `dirty-update`: in a key's version order, a committed append directly follows appends
  that only failed txns made. {key values txns}, txns = [failed op, ..., committed op]
- `duplicate-elements`: a read (by an :ok or :info txn) shows one element more than once.
  {op mop duplicates}, duplicates = {element count}
- `incompatible-order`: two reads of a key, neither a prefix of the other. {key values}
- `lost-update`: two or more :ok txns read the same state of a key and each appended to it.
  {key value txns}
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from .. import edn
from .append_graph import HistoryError, Txn, append_index, mop_data, sorted_values

ELLIPSIS = ...  # Elle's marker for an unknown prefix or skipped txns (the symbol `...`)


def g1a_cases(oks: list[Txn], failed: list[Txn]) -> list[dict[str, Any]]:
    writer = {(k, v): t for t in failed for f, k, v in t.mops if f == "append"}
    cases: list[dict[str, Any]] = []
    if not writer:
        return cases
    for t in oks:
        for f, k, v in t.mops:
            if f == "r" and v:
                for e in v:
                    w = writer.get((k, e))
                    if w is not None:
                        cases.append({"op": t.op, "mop": mop_data(f, k, v), "writer": w.op,
                                      "element": e})
    return cases


def g1b_cases(oks: list[Txn], completed: list[Txn]) -> list[dict[str, Any]]:
    """`completed`: every completed txn (ok, info, fail), as Elle's intermediate index."""
    intermediate: dict[tuple[Any, ...], Txn] = {}
    for t in completed:
        final: dict[str, Any] = {}
        for f, k, v in t.mops:
            if f == "append":
                if k in final:
                    intermediate[(k, final[k])] = t
                final[k] = v
    cases: list[dict[str, Any]] = []
    if not intermediate:
        return cases
    for t in oks:
        for f, k, v in t.mops:
            if f == "r" and v:
                w = intermediate.get((k, v[-1]))
                if w is not None and w.id != t.id:
                    cases.append({"op": t.op, "mop": mop_data(f, k, v), "writer": w.op,
                                  "element": v[-1]})
    return cases


_MISSING = object()


def _internal(t: Txn) -> dict[str, Any] | None:
    state: dict[str, Any] = {}
    for f, k, v in t.mops:
        if f == "append":
            s = state.get(k, _MISSING)
            base = (ELLIPSIS,) if s is _MISSING else (s or ())
            state[k] = base + (v,)
            continue
        s = state.get(k)
        if s is not None:
            if s and s[0] is ELLIPSIS:
                got = v or ()
                i = len(got) + 1 - len(s)
                bad = i < 0 or s[1:] != got[i:]
            else:
                bad = s != v
            if bad:
                return {"op": t.op, "mop": mop_data(f, k, v), "expected": list(s)}
        state[k] = v
    return None


def internal_cases(oks: list[Txn]) -> list[dict[str, Any]]:
    return [c for c in map(_internal, oks) if c is not None]


def _future_read(t: Txn) -> dict[str, Any] | None:
    mops = t.mops
    for j, (f, k, v) in enumerate(mops):
        if f == "append":
            for f2, k2, v2 in mops[:j]:
                if f2 == "r" and k2 == k and v2 and v in v2:
                    return {"op": t.op, "mop": mop_data(f2, k2, v2), "element": v}
    return None


def future_read_cases(oks: list[Txn]) -> list[dict[str, Any]]:
    return [c for c in map(_future_read, oks) if c is not None]


def dirty_update_cases(completed: list[Txn]) -> list[dict[str, Any]]:
    """Raises HistoryError when a read shows an element no txn appended (Elle asserts)."""
    index = append_index(sorted_values(completed, single_appends=False))
    writer = {(k, v): t for t in completed for f, k, v in t.mops if f == "append"}
    cases = []
    for k, values in index.values.items():
        t1: Any = None  # None: the initial state, which counts as committed
        vs: list[Any] = []
        for v in values:
            vs = vs + [v]
            t2 = writer.get((k, v))
            if t2 is None:
                raise HistoryError("no-writer",  # Elle's text: pr-str of the key and value
                                   f"No transaction wrote {edn.dumps(k)} {edn.dumps(v)}",
                                   key=k, value=v)
            before = "ok" if t1 is None else t1.type
            if t2.type == "ok":
                if before == "fail":
                    cases.append({"key": k, "values": vs, "txns": [t1.op, ELLIPSIS, t2.op]})
                t1, vs = t2, [v]
            elif t2.type == "fail" and before != "fail":
                t1, vs = t2, [v]
    return cases


def duplicate_cases(possible: list[Txn]) -> list[dict[str, Any]]:
    cases = []
    for t in possible:
        for f, k, v in t.mops:
            if f == "r" and v and len(set(v)) < len(v):
                dups = {e: n for e, n in Counter(v).items() if n > 1}
                cases.append({"op": t.op, "mop": mop_data(f, k, v),
                              "duplicates": dict(sorted(dups.items(), key=repr))})
    return cases


def incompatible_order_cases(sorted_vals: dict[Any, list[tuple[Any, ...]]]) -> list[dict[str, Any]]:
    cases = []
    for k, values in sorted_vals.items():
        for a, b in itertools.pairwise(values):
            if b[:len(a)] != a:
                cases.append({"key": k, "values": [list(a), list(b)]})
                break
    return cases


def lost_update_cases(oks: list[Txn]) -> list[dict[str, Any]]:
    """Elle's (txn.clj): per txn, the first read of each key and the first append to it that
    comes after a read; txns sharing (key, value read) that appended are a case."""
    groups: dict[tuple[Any, ...], list[Txn]] = {}
    for t in oks:
        reads: dict[str, Any] = {}
        wrote: set[Any] = set()
        for f, k, v in t.mops:
            if f == "append" and k not in wrote:
                if k in reads:
                    groups.setdefault((k, reads[k]), []).append(t)
                    wrote.add(k)
            elif f == "r" and k not in reads:
                reads[k] = v
    return [{"key": k, "value": None if v is None else list(v), "txns": [t.op for t in ts]}
            for (k, v), ts in groups.items() if len(ts) > 1]
