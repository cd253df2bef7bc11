"""The kafka checker's `Analysis` (Maelstrom's src/maelstrom/workload/kafka.clj,
jepsen/tests/kafka.clj): Jepsen's kafka analysis as Maelstrom configures it.

From every :ok send and every poll we build, per key, the log (offset -> values seen there)
and its version order (dense index over non-empty offsets). Then, each with Maelstrom's name:
:inconsistent-offsets, :duplicate, :lost-write, :G1a, :int-poll-skip, :int-nonmonotonic-poll,
:int-send-skip, :int-nonmonotonic-send, :precommitted-read (these three need multi-send :txn ops),
:poll-skip, :nonmonotonic-poll, :nonmonotonic-send, :unseen, and write-read cycles with the
real-time order (:G1c-realtime plus Elle's :strong-PL-2-cycle-exists), :worst-realtime-lag
and :info-txn-causes. Allowed types are Maelstrom's; everything else is invalid.

Unlike Maelstrom's checker, nothing is indexed by raw offset: logs are dicts sorted once, and
lags use per-key (offset, time) steps and binary search, so huge or sparse offsets cost
nothing extra; Maelstrom runs out of memory there (its issue #51), so such a run is flagged
:not-a-maelstrom-pass and a clean one is :unknown (realtime.offset_scale). Where its
checker throws (a polled value nobody sent, a negative offset, a key :ok polls only ever
returned empty) the result is :unknown with an :error, as there.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Iterable

from . import realtime
from .ops import TXN_FS, CheckerCrash, op_reads, op_writes

ALLOWED = frozenset({"int-send-skip", "G0", "G0-process", "G0-realtime", "PL-1-cycle-exists",
                     "strong-PL-1-cycle-exists"})
MISSING = object()


class Order:
    """A key's version order: by_index (one value per non-empty offset, in offset order),
    by_value (value -> last dense index), first/last (value -> first/last dense index)."""

    def __init__(self, log: dict[int, set[Any]]) -> None:
        self.offsets = sorted(log)
        self.sets = [log[o] for o in self.offsets]
        self.by_index = [min_value(s) for s in self.sets]
        self.by_value = {v: i for i, v in enumerate(self.by_index)}
        self.first: dict[Any, int] = {}
        self.last: dict[Any, int] = {}
        for i, s in enumerate(self.sets):
            for v in s:
                self.first.setdefault(v, i)
                self.last[v] = i


def min_value(values: Iterable[Any]) -> Any:
    values = list(values)
    if len(values) == 1:
        return values[0]
    try:
        return min(values)
    except TypeError:
        return min(values, key=repr)


def sort_values(values: Iterable[Any]) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=repr)


class Analysis:
    def __init__(self, history: list[dict[str, Any]]) -> None:
        self.invocation: dict[int, dict[str, Any]] = {}
        opened: dict[Any, dict[str, Any]] = {}
        self.data: list[tuple[dict[str, Any], list[Any], dict[str, Any]]] = []
        for op in history:
            if op.get("process") == "nemesis":
                continue
            if op["type"] == "invoke":
                opened[op["process"]] = op
                continue
            inv = opened.pop(op["process"], None)
            if inv is not None:
                self.invocation[op["index"]] = inv
            self.data.append((op, op_writes(op), op_reads(op)))
        self.errors: dict[str, Any] = {}
        self._index_writes_and_reads()
        self._version_orders()

    def add(self, kind: str, cases: list[Any]) -> None:
        if cases:
            self.errors.setdefault(kind, []).extend(cases)

    # ---- indexes ---------------------------------------------------------------------------

    def _index_writes_and_reads(self) -> None:
        self.writer: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.writes_of: dict[int, list[Any]] = {}
        self.failed: set[tuple[Any, ...]] = set()
        for op, w, _ in self.data:
            if w:
                self.writes_of[id(op)] = w
            for k, _, v in w:
                self.writer[(k, v)] = op
                if op["type"] == "fail":
                    self.failed.add((k, v))
        self.ok_reads: dict[Any, set[Any]] = {}
        self.first_reader: dict[tuple[Any, ...], dict[str, Any]] = {}
        writer, first_reader = self.writer, self.first_reader
        for op, _, r in self.data:
            ok = op["type"] == "ok"
            for k, pairs in r.items():
                if ok:
                    self.ok_reads.setdefault(k, set()).update([v for _, v in pairs])
                for _, v in pairs:
                    kv = (k, v)
                    if kv not in writer:
                        raise CheckerCrash({"type": "no-writer-of-value", "key": k,
                                            "value": v})
                    if kv not in first_reader:
                        first_reader[kv] = op

    def committed(self, op: dict[str, Any]) -> bool:
        """Jepsen's must-have-committed?: :ok, or :info with a send some :ok poll read."""
        if op["type"] == "ok":
            return True
        return op["type"] == "info" and any(
            v in self.ok_reads.get(k, ()) for k, _, v in self.writes_of.get(id(op), ()))

    def _version_orders(self) -> None:
        logs: dict[Any, dict[int, set[Any]]] = defaultdict(dict)

        def put(k: Any, o: Any, v: Any) -> None:
            if type(o) is not int or o < 0:
                raise CheckerCrash({"type": "bad-offset", "key": k, "offset": o,
                                    "message": "Maelstrom's checker indexes a vector by offset "
                                               "and throws on this one"})
            logs[k].setdefault(o, set()).add(v)

        for op, w, r in self.data:
            if op["f"] not in TXN_FS:
                continue
            if w and self.committed(op):
                for k, o, v in w:
                    if o is not None:
                        put(k, o, v)
            for k, pairs in r.items():
                for o, v in pairs:
                    if o is not None:
                        put(k, o, v)
        self.orders = {k: Order(log) for k, log in logs.items()}
        inconsistent, duplicates = [], []
        for k, order in self.orders.items():
            counts: Counter[Any] = Counter()
            for i, values in enumerate(order.sets):
                counts.update(values)
                if len(values) > 1:
                    inconsistent.append({"key": k, "offset": order.offsets[i], "index": i,
                                         "values": set(values)})
            for v, n in counts.items():
                if n > 1:
                    duplicates.append({"key": k, "value": v, "count": n, "offsets": [
                        o for o, s in zip(order.offsets, order.sets, strict=False) if v in s]})
        self.add("inconsistent-offsets", inconsistent)
        self.add("duplicate", duplicates)

    def index_of(self, k: Any, v: Any) -> int | None:
        order = self.orders.get(k)
        return None if order is None or v is MISSING else order.by_value.get(v)

    def skipped(self, k: Any, i: int | None, j: int | None) -> list[Any]:
        """The values of key `k`'s order strictly between dense indices `i` and `j`."""
        assert i is not None and j is not None, "a skip lies between two known indices"
        return self.orders[k].by_index[i + 1:j]

    # ---- anomalies -------------------------------------------------------------------------

    def lost_writes(self) -> None:
        cases = []
        for k, read in self.ok_reads.items():
            order = self.orders.get(k)
            first = order.first if order else {}
            bound = max((first[v] for v in read if v in first), default=-1)
            if bound < 0:
                raise CheckerCrash({"type": "index-out-of-bounds", "key": k,
                                    "message": "every :ok poll returned this key with an empty "
                                               "list; Maelstrom's lost-write analysis throws here"
                                               " (omit keys with no messages from poll_ok)"})
            assert order is not None
            at_bound = [v for v, i in order.last.items() if i == bound]
            max_read = self.first_reader.get((k, min_value(at_bound))) if at_bound else None
            must = sorted((i, n, v) for n, (v, i) in enumerate(order.last.items()) if i <= bound)
            for _, _, v in must:
                if v in read:
                    continue
                writer = self.writer.get((k, v))
                if writer is None:
                    raise CheckerCrash({"type": "no-writer-of", "key": k, "value": v})
                if self.committed(writer):
                    cases.append({"key": k, "value": v, "index": first.get(v),
                                  "max-read-index": bound, "writer": writer,
                                  "max-read": max_read if max_read else None})
        self.add("lost-write", cases)

    def g1a(self) -> None:
        self.add("G1a", [{"key": k, "value": v, "writer": self.writer[(k, v)],
                          "reader": op}
                         for op, _, r in self.data if op["type"] == "ok"
                         for k, pairs in r.items() for _, v in pairs if (k, v) in self.failed])

    def internal_polls(self) -> None:
        skips, nonmono = [], []
        for op, _, r in self.data:
            for k, pairs in r.items():
                for (_, v1), (_, v2) in zip(pairs, pairs[1:], strict=False):
                    i1, i2 = self.index_of(k, v1), self.index_of(k, v2)
                    delta = i2 - i1 if i1 is not None and i2 is not None else 1
                    if delta > 1:
                        skips.append({"key": k, "values": [v1, v2], "delta": delta,
                                      "skipped": self.skipped(k, i1, i2), "op": op})
                    elif delta < 1:
                        nonmono.append({"key": k, "values": [v1, v2], "delta": delta,
                                        "op": op})
        self.add("int-poll-skip", skips)
        self.add("int-nonmonotonic-poll", nonmono)

    def internal_sends(self) -> None:
        """Two sends to one key inside one op (only :txn ops can have them), and an op that
        polled a value it sent itself (:precommitted-read)."""
        skips, nonmono, precommitted = [], [], []
        for op, w, r in self.data:
            by_key: dict[Any, list[Any]] = {}
            for k, _, v in w if len(w) > 1 else ():
                by_key.setdefault(k, []).append(v)
            for k, values in by_key.items():
                for v1, v2 in zip(values, values[1:], strict=False):
                    i1, i2 = self.index_of(k, v1), self.index_of(k, v2)
                    delta = i2 - i1 if i1 is not None and i2 is not None else 1
                    case = {"key": k, "values": [v1, v2], "delta": delta, "op": op}
                    if delta > 1:
                        skips.append(dict(case, skipped=self.skipped(k, i1, i2)))
                    elif delta < 1:
                        nonmono.append(case)
            if w and r:
                mine = {(k, v) for k, _, v in w}
                both = [(k, v) for k, pairs in r.items() for _, v in pairs if (k, v) in mine]
                if both:
                    precommitted.append({"op": op, "key": both[0][0],
                                         "value": both[0][1]})
        self.add("int-send-skip", skips)
        self.add("int-nonmonotonic-send", nonmono)
        self.add("precommitted-read", precommitted)

    def process_polls(self) -> None:
        skips, nonmono = [], []
        last: dict[Any, dict[Any, tuple[dict[str, Any], Any]]] = defaultdict(dict)
        for op, _, r in self.data:
            f, p = op["f"], op["process"]
            if f in ("assign", "subscribe"):
                if op["type"] in ("ok", "info"):
                    keep = set(op["value"] or ())
                    last[p] = {k: x for k, x in last[p].items() if k in keep}
            elif f in ("poll", "txn"):
                mine = last[p]
                for k, pairs in r.items():
                    if k in mine:
                        prev, v = mine[k]
                        v2 = pairs[0][1] if pairs else MISSING
                        i, i2 = self.index_of(k, v), self.index_of(k, v2)
                        delta = i2 - i if i is not None and i2 is not None else 1
                        if delta > 1:
                            skips.append({"key": k, "delta": delta,
                                          "skipped": self.skipped(k, i, i2),
                                          "ops": [prev, op]})
                        elif delta < 1:
                            nonmono.append({"key": k, "values": [v, v2], "delta": delta,
                                            "ops": [prev, op]})
                if op["type"] == "ok":
                    for k, pairs in r.items():
                        mine[k] = (op, pairs[-1][1] if pairs else MISSING)
        self.add("poll-skip", skips)
        self.add("nonmonotonic-poll", nonmono)

    def process_sends(self) -> None:
        cases = []
        last: dict[Any, dict[Any, tuple[dict[str, Any], Any]]] = defaultdict(dict)
        for op, w, _ in self.data:
            if op["type"] not in ("ok", "info"):
                continue
            f, p = op["f"], op["process"]
            if f in ("assign", "subscribe"):
                keep = set(op["value"] or ())
                last[p] = {k: x for k, x in last[p].items() if k in keep}
            elif f in ("send", "txn") and w:
                mine = last[p]
                by_key: dict[Any, list[Any]] = {}
                for k, _, v in w:
                    by_key.setdefault(k, []).append(v)
                for k, values in by_key.items():
                    if k in mine:
                        prev, v = mine[k]
                        i, i2 = self.index_of(k, v), self.index_of(k, values[0])
                        if i is not None and i2 is not None and i2 - i < 1:
                            cases.append({"key": k, "values": [v, values[0]], "delta": i2 - i,
                                          "ops": [prev, op]})
                    mine[k] = (op, values[-1])
        self.add("nonmonotonic-send", cases)

    # ---- result ----------------------------------------------------------------------------

    def result(self) -> dict[str, Any]:
        self.lost_writes()
        self.g1a()
        self.internal_polls()
        self.internal_sends()
        self.process_polls()
        self.process_sends()
        unseen = realtime.unseen(self.data)
        if unseen is not None:
            self.errors["unseen"] = unseen
        found = realtime.cycles(self.data, self.invocation, self.writer, bool(self.first_reader))
        for kind, cases in found.items():
            self.errors[kind] = True if cases is True else self.errors.get(kind, []) + cases
        lag = realtime.worst_realtime_lag(self.data, self.invocation)
        causes: list[Any] = []
        for op, _, _ in self.data:
            if op["type"] == "info" and op["f"] in TXN_FS and op.get("error") not in causes:
                causes.append(op.get("error"))
        kinds = sorted(self.errors)
        bad = [k for k in kinds if k not in ALLOWED]
        out: dict[str, Any] = {"valid?": not bad, "worst-realtime-lag": lag,
                               "bad-error-types": bad,
                               "error-types": kinds,
                               "info-txn-causes": causes}
        for kind in kinds:
            out[kind] = condense(kind, self.errors[kind])
        return realtime.flag_offset_scale(out, self.orders)


SMALLEST_BY_DELTA = {"int-nonmonotonic-poll", "int-nonmonotonic-send", "nonmonotonic-poll",
                     "nonmonotonic-send"}
LARGEST_BY_DELTA = {"int-poll-skip", "int-send-skip", "poll-skip"}
CYCLES = {"G0", "G0-process", "G0-realtime", "G1c", "G1c-process", "G1c-realtime"}


def condense(kind: str, errs: Any) -> Any:
    """Jepsen's condense-error: {:count n :errs <the most telling few>} (:unseen stays a map)."""
    if kind == "unseen":
        return dict(errs, messages={k: sort_values(v)[:32]
                                    for k, v in errs["messages"].items()})
    if kind == "duplicate":
        shown = sorted(errs, key=lambda e: e["count"])[:32]
    elif kind in CYCLES:
        shown = sorted(errs, key=lambda e: len(e["steps"]))[:8]
    elif kind == "inconsistent-offsets":
        shown = sorted(errs, key=lambda e: len(e["values"]))[:32]
    elif kind in SMALLEST_BY_DELTA:
        shown = sorted(errs, key=lambda e: e["delta"])[:8]
    elif kind in LARGEST_BY_DELTA:
        shown = sorted(errs, key=lambda e: e["delta"])[-8:]
    else:
        shown = errs
    return {"count": len(errs) if isinstance(errs, list) else 1, "errs": shown}
