"""Linearizability of a compare-and-set register, one key at a time.

Decides what Knossos's `linear`/`wgl` analyses decide for Jepsen's `cas-register` model
(knossos src/knossos/model.clj, src/knossos/wgl.clj): an :ok op took effect at one instant
between its invocation and its completion; a :fail op never took effect; an :info op (or an
invocation never completed) took effect at some instant after its invocation, or never.
The register starts at nil (None); a read returns the current value, a write sets it, a
cas [from to] succeeds iff the current value equals `from`.

One difference, on purpose: Knossos's cas-register accepts a read of nil from *any* state
(it treats nil as "value unknown"), so a node that answers `{"value": null}` for a written
key passes Maelstrom. We check such reads strictly; when a key fails only because of them,
its result says so under "blind-spot" (Knossos would call it valid). `nil_reads="knossos"`
restores Knossos's rule.

The search is the Wing-Gong-Lowe algorithm with Lowe's state cache, in the form Porcupine
(anishathalye/porcupine checker.go) uses: the history as a doubly linked list of call and
return entries ordered by time; an op is linearized by unlinking ("lifting") both of its
entries, undone in place on backtracking; a set of (linearized-ops bitset, state) pairs cuts
every configuration already explored. :info ops get return time +infinity, so their return
entries sit after every :ok one: reaching one means every :ok op is linearized (Knossos's
rule). A search budget (steps, or a deadline) that runs out gives UNKNOWN, never True.

On failure the result carries Knossos's fields as plain data (`op`: the :ok completion that
could not be linearized, `previous-ok`, `final-paths`: up to 10 short paths from the deepest
configuration the search reached to the inconsistency) and the evidence Porcupine draws: the
longest linearizable prefix the search found and the op that cannot follow it.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from .. import edn
from ..edn import Keyword
from ..history import edn_op
from ..message import value_key
from .compose import UNKNOWN

READ, WRITE, CAS = 0, 1, 2
_F = {"read": READ, "write": WRITE, "cas": CAS}
NIL = value_key(None)
INFINITY = math.inf
MAX_FINAL_PATHS = 10
MAX_PENDING_IN_PATHS = 4  # permutations of more concurrent ops than this are not drawn
TAIL = 8  # ops of the prefix shown in results
VIEW_ONLY = ("linearized-indices", "linearized-values")  # result keys too long for results.edn


@dataclass
class RegisterOp:
    """One operation as the search sees it. `call`/`ret` are positions in the history (ret is
    +inf for :info and never-completed ops); `arg` and `out` are value_key()s."""

    id: int
    kind: int
    arg: Any  # WRITE: new value; CAS: (from, to); READ: None
    out: Any  # READ: the value read; else None
    call: float
    ret: float
    invoke: dict
    complete: dict | None  # None when never completed

    @property
    def ok(self) -> bool:
        return self.ret != INFINITY


class BudgetExhausted(Exception):
    """Raised inside the search when its step budget or deadline runs out."""


def prepare(history: Sequence[dict]) -> list[RegisterOp]:
    """Pair invocations with completions (by process, in history order) and keep the ops that
    may have happened: :ok ones, and :info / unfinished writes and cas. :fail ops did not
    happen; :info reads observed nothing, so they constrain nothing."""
    open_by_process: dict[Any, tuple[int, dict]] = {}
    paired: list[tuple[int, dict, int | None, dict | None]] = []
    for pos, op in enumerate(history):
        if op.get("process") == "nemesis" or op.get("f") not in _F:
            continue
        if op["type"] == "invoke":
            open_by_process[op["process"]] = (pos, op)
            continue
        started = open_by_process.pop(op["process"], None)
        if started is not None:
            paired.append((started[0], started[1], pos, op))
    for pos, op in open_by_process.values():
        paired.append((pos, op, None, None))
    paired.sort(key=lambda p: p[0])
    ops: list[RegisterOp] = []
    for call, inv, ret, done in paired:
        kind = _F[str(inv["f"])]
        outcome = "info" if done is None else str(done["type"])
        if outcome == "fail" or (outcome != "ok" and kind == READ):
            continue
        value = (done if outcome == "ok" else inv).get("value")
        arg: Any = None
        out: Any = None
        if kind == READ:
            out = value_key(value)
        elif kind == WRITE:
            arg = value_key(value)
        else:
            if not (isinstance(value, (list, tuple)) and len(value) == 2):
                raise ValueError(f"a cas op's value must be [from to], not {value!r}")
            arg = (value_key(value[0]), value_key(value[1]))
        ops.append(RegisterOp(len(ops), kind, arg, out, float(call),
                              float(ret) if outcome == "ok" else INFINITY, inv, done))
    return ops


def step(state: Any, op: RegisterOp, knossos_nil: bool = False) -> tuple[bool, Any]:
    """The cas-register model: (legal?, next state)."""
    if op.kind == READ:
        return (op.out == state or (knossos_nil and op.out == NIL)), state
    if op.kind == WRITE:
        return True, op.arg
    return op.arg[0] == state, op.arg[1]


def _show(key: Any) -> Any:
    """A value_key() back as the JSON value it names."""
    tag, value = key
    return json.loads(value) if tag == "json" else value


def _why(state: Any, op: RegisterOp) -> str:
    """Knossos's wording for an inconsistent step (values in EDN)."""
    s = edn.dumps(_show(state))
    if op.kind == READ:
        return f"can't read {edn.dumps(_show(op.out))} from register {s}"
    frm, to = op.arg
    return f"can't CAS {s} from {edn.dumps(_show(frm))} to {edn.dumps(_show(to))}"


class Search:
    """One WGL search over prepared ops. `run()` returns True or False, or raises
    BudgetExhausted; afterwards `prefix` (op ids, in linearization order), `prefix_state` and
    `blocked` (the op id whose completion could not be reached) describe the deepest point.

    Two refinements over Porcupine's loop, both for :info ops (which may be linearized
    anywhere after their invocation, or never, and so multiply the configurations):

    - at each configuration the :ok candidates are tried first (phase 1) and the :info ones
      only when those lead nowhere (phase 2);
    - the cache is keyed by (linearized :ok ops, state) and holds, for each, the sets of
      :info ops already consumed: a configuration is cut when a cached one with the same key
      consumed a subset of its :info ops (that one had every option this one has, and more).
      With cache=False nothing is cut (the plain exhaustive search, for comparison).
    """

    def __init__(self, ops: Sequence[RegisterOp], *, cache: bool = True,
                 knossos_nil: bool = False, max_steps: int | None = None,
                 deadline: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ops = ops
        self.cache = cache
        self.knossos_nil = knossos_nil
        self.max_steps = max_steps
        self.deadline = deadline
        self.clock = clock
        self.steps = 0
        self.cache_size = 0
        self.prefix: list[int] = []
        self.prefix_state: Any = NIL
        self.blocked: int | None = None

    def run(self) -> bool:
        ops = self.ops
        n = len(ops)
        # Entries: op i has call entry 2i+1 and return entry 2i+2; 0 is the head sentinel and
        # 2n+1 the tail sentinel. Sorted by time; a call before a return at equal times.
        order = sorted(
            [(o.call, 0, 2 * o.id + 1) for o in ops] + [(o.ret, 1, 2 * o.id + 2) for o in ops])
        tail = 2 * n + 1
        nxt = [0] * (2 * n + 2)
        prv = [0] * (2 * n + 2)
        chain = [0] + [e for _, _, e in order] + [tail]
        for a, b in zip(chain, chain[1:], strict=False):
            nxt[a], prv[b] = b, a
        kinds = [o.kind for o in ops]
        args = [o.arg for o in ops]
        outs = [o.out for o in ops]
        # Bits: :ok ops and :info ops are numbered apart (ok_bit / info_bit).
        is_info = [not o.ok for o in ops]
        bit: list[int] = []
        n_ok = n_info = 0
        for o in ops:
            if o.ok:
                bit.append(1 << n_ok)
                n_ok += 1
            else:
                bit.append(1 << n_info)
                n_info += 1
        klass = [(o.kind, o.arg) for o in ops]
        classes: set[tuple[int, Any]] = set()
        info_ret = [False] * (2 * n + 2)
        for o in ops:
            info_ret[2 * o.id + 2] = not o.ok
        info_ret[tail] = True
        knossos_nil = self.knossos_nil
        use_cache = self.cache
        seen: dict[tuple[int, Any], list[int]] = {}
        # the stack: (call entry, state before it, phase it was tried in)
        calls: list[tuple[int, Any, int]] = []
        state: Any = NIL
        ok_lin = info_lin = 0
        steps = 0
        limit = self.max_steps if self.max_steps is not None else -1
        deadline, clock = self.deadline, self.clock
        best = -1
        phase = 1
        e = nxt[0]
        try:
            while True:
                steps += 1
                if steps == limit or (deadline is not None and steps & 1023 == 1
                                      and clock() >= deadline):
                    raise BudgetExhausted(steps)
                if e & 1 and (e != tail):  # a call entry
                    i = e >> 1
                    if is_info[i] != (phase == 2):  # not this phase's kind of candidate
                        e = nxt[e]
                        continue
                    if phase == 2:
                        # equal :info ops are interchangeable: consume them in call order
                        cls = klass[i]
                        if cls in classes:
                            e = nxt[e]
                            continue
                        classes.add(cls)
                    kind = kinds[i]
                    if kind == 0:
                        out = outs[i]
                        legal = out == state or (knossos_nil and out == NIL)
                        new = state
                    elif kind == 1:
                        legal, new = True, args[i]
                    else:
                        legal = args[i][0] == state
                        new = args[i][1]
                    if not legal:
                        e = nxt[e]
                        continue
                    if phase == 1:
                        ok2, info2 = ok_lin | bit[i], info_lin
                    else:
                        ok2, info2 = ok_lin, info_lin | bit[i]
                    if use_cache:
                        consumed = seen.get((ok2, new))
                        if consumed is None:
                            seen[(ok2, new)] = [info2]
                        elif any(c & ~info2 == 0 for c in consumed):
                            e = nxt[e]
                            continue
                        else:
                            consumed.append(info2)
                    calls.append((e, state, phase))
                    state, ok_lin, info_lin = new, ok2, info2
                    # lift: unlink the call and its return
                    r = e + 1
                    p, q = prv[e], nxt[e]
                    nxt[p], prv[q] = q, p
                    p, q = prv[r], nxt[r]
                    nxt[p], prv[q] = q, p
                    e = nxt[0]
                    phase = 1
                    continue
                if info_ret[e]:  # every :ok op is linearized
                    self.prefix = [(c - 1) >> 1 for c, _, _ in calls]
                    self.prefix_state = state
                    return True
                # the return entry of an :ok op not yet linearized
                if phase == 1:  # now try the :info candidates before it
                    phase = 2
                    classes = set()
                    e = nxt[0]
                    continue
                if len(calls) > best:
                    best = len(calls)
                    self.prefix = [(c - 1) >> 1 for c, _, _ in calls]
                    self.prefix_state = state
                    self.blocked = (e - 2) >> 1
                if not calls:
                    return False
                e, state, phase = calls.pop()
                i = e >> 1
                if is_info[i]:
                    info_lin &= ~bit[i]
                else:
                    ok_lin &= ~bit[i]
                # unlift: relink the return, then the call
                r = e + 1
                nxt[prv[r]] = r
                prv[nxt[r]] = r
                nxt[prv[e]] = e
                prv[nxt[e]] = e
                if phase == 2:  # the classes met before e in this scan, e's own included
                    classes = set()
                    x = nxt[0]
                    while x != e:
                        if x & 1 and is_info[x >> 1]:
                            classes.add(klass[x >> 1])
                        x = nxt[x]
                    classes.add(klass[i])
                e = nxt[e]
        finally:
            self.steps = steps
            self.cache_size = sum(len(v) for v in seen.values())


def _render(op: dict | None) -> dict | None:
    """An op as plain data for results, with Maelstrom's keys and keywords."""
    if op is None:
        return None
    keys = ("process", "type", "f", "value", "index", "time", "error")
    return {k: v for k, v in edn_op(op).items() if k in keys}


def check_register(history: Sequence[dict], *, cache: bool = True,
                   nil_reads: str = "strict", max_steps: int | None = 5_000_000,
                   deadline: float | None = None,
                   clock: Callable[[], float] = time.monotonic) -> dict:
    """Check one key's history (values already unwrapped from [k v]). Returns Knossos's result
    keys as plain data ("valid?", "op", "previous-ok", "final-paths", "model") plus
    "analyzer", "op-count", "steps", and on failure "linearized-prefix-length",
    "linearized-tail", "cannot-follow", and for the view "linearized-indices" and
    "linearized-values" (every op of the longest prefix, as the history index of its
    invocation, and the register's value after it; see VIEW_ONLY)."""
    if nil_reads not in ("strict", "knossos"):
        raise ValueError(f"nil_reads must be 'strict' or 'knossos', not {nil_reads!r}")
    ops = prepare(history)
    search = Search(ops, cache=cache, knossos_nil=nil_reads == "knossos", max_steps=max_steps,
                    deadline=deadline, clock=clock)
    out: dict[str, Any] = {"valid?": UNKNOWN, "analyzer": Keyword("wgl"), "op-count": len(ops)}
    try:
        valid = search.run()
    except BudgetExhausted:
        out.update({"cause": "search budget exhausted", "steps": search.steps})
        return out
    out["steps"] = search.steps
    if valid:
        out.update({"valid?": True, "model": {"value": _show(search.prefix_state)},
                    "final-paths": []})
        return out
    out.update(_evidence(history, ops, search))
    if nil_reads == "strict" and any(o.kind == READ and o.out == NIL for o in ops):
        lax = Search(ops, cache=cache, knossos_nil=True, max_steps=max_steps,
                     deadline=deadline, clock=clock)
        try:
            if lax.run():
                out["blind-spot"] = ("Knossos's cas-register accepts a read of nil from any "
                                     "state, so Maelstrom would call this key valid; the "
                                     "reads of nil here contradict every linearization")
        except BudgetExhausted:
            pass
    return out


def _evidence(history: Sequence[dict], ops: Sequence[RegisterOp], search: Search) -> dict:
    assert search.blocked is not None
    final = ops[search.blocked]
    prefix = [ops[i] for i in search.prefix]
    done_ids = set(search.prefix)
    state = NIL
    states = []
    for o in prefix:
        state = step(state, o, search.knossos_nil)[1]
        states.append(state)
    previous_ok = None
    if final.complete is not None:
        limit = int(final.ret)
        for op in reversed(history[:limit]):
            if op.get("type") == "ok" and op.get("process") != "nemesis":
                previous_ok = op
                break
    # Ops concurrent with the final one and not linearized: they could have come before it.
    pending = [o for o in ops if o.id not in done_ids and o.id != final.id
               and o.call < final.ret and o.ret > final.call]
    paths = _final_paths(search.prefix_state, prefix[-1] if prefix else None, pending, final,
                         search.knossos_nil)
    tail = [{"op": _render(o.complete or o.invoke), "model": {"value": _show(s)}}
            for o, s in list(zip(prefix, states, strict=True))[-TAIL:]]
    return {
        "valid?": False,
        "op": _render(final.complete),
        "previous-ok": _render(previous_ok),
        "final-paths": paths,
        "linearized-prefix-length": len(prefix),
        "linearized-tail": tail,
        "cannot-follow": {"op": _render(final.complete or final.invoke),
                          "model": {"value": _show(search.prefix_state)},
                          "concurrent": [_render(o.complete or o.invoke) for o in pending]},
        "linearized-indices": [o.invoke.get("index", o.call) for o in prefix],
        "linearized-values": [_show(s) for s in states],
    }


def _final_paths(state: Any, last: RegisterOp | None, pending: list[RegisterOp],
                 final: RegisterOp, knossos_nil: bool) -> list[list[dict]]:
    """Knossos's final paths: from the deepest configuration, every ordering of a subset of
    the concurrent pending ops followed by the final op, each extended until the register
    becomes inconsistent. At most MAX_FINAL_PATHS, shortest first."""
    start = [{"op": _render(last.complete or last.invoke), "model": {"value": _show(state)}}
             ] if last is not None else []
    found: list[list[dict]] = []
    seen: set[str] = set()
    pool = pending[:MAX_PENDING_IN_PATHS]
    for size in range(len(pool) + 1):
        for perm in itertools.permutations(pool, size):
            path = list(start)
            s = state
            for o in (*perm, final):
                legal, new = step(s, o, knossos_nil)
                shown = _render(o.complete or o.invoke)
                if not legal:
                    path.append({"op": shown, "model": {"msg": _why(s, o)}})
                    break
                s = new
                path.append({"op": shown, "model": {"value": _show(s)}})
            else:
                continue  # this ordering is consistent; not a final path
            text = repr(path)
            if text not in seen:
                seen.add(text)
                found.append(path)
            if len(found) >= MAX_FINAL_PATHS:
                return found
    return found


def subhistories(history: Iterable[dict]) -> dict[Any, list[dict]]:
    """Jepsen's independent split: ops whose value is a [k v] pair go to key k with value v;
    other ops (the nemesis) go to every key. Keys keep first-seen order."""
    by_key: dict[Any, list[dict]] = {}
    ordered = list(history)
    for op in ordered:
        v = op.get("value")
        if op.get("process") != "nemesis" and isinstance(v, (list, tuple)) and len(v) == 2:
            by_key.setdefault(v[0], [])
    for op in ordered:
        v = op.get("value")
        if op.get("process") != "nemesis" and isinstance(v, (list, tuple)) and len(v) == 2:
            by_key[v[0]].append(dict(op, value=v[1]))
        else:
            for sub in by_key.values():
                sub.append(op)
    return by_key


def brute_force(history: Sequence[dict], nil_reads: str = "strict") -> bool:
    """A reference for tests: try every order of every subset of info ops with all ok ops that
    respects real time. Exponential; for histories of a handful of ops."""
    ops = prepare(history)
    knossos_nil = nil_reads == "knossos"
    oks = [o for o in ops if o.ok]
    infos = [o for o in ops if not o.ok]
    for size in range(len(infos) + 1):
        for chosen in itertools.combinations(infos, size):
            for perm in itertools.permutations(oks + list(chosen)):
                if _respects_real_time(perm) and _legal(perm, knossos_nil):
                    return True
    return False


def _respects_real_time(order: Sequence[RegisterOp]) -> bool:
    for a, b in itertools.combinations(order, 2):  # a before b in the order
        if b.ret < a.call:
            return False
    return True


def _legal(order: Sequence[RegisterOp], knossos_nil: bool) -> bool:
    state = NIL
    for o in order:
        legal, state = step(state, o, knossos_nil)
        if not legal:
            return False
    return True
