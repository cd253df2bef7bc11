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

The model and the history's preparation are in cas_register.py, the evidence in
evidence.py, the HTML view in view.py.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

from ...validity import UNKNOWN
from .cas_register import NIL, READ, RegisterOp, prepare, show
from .evidence import evidence

VIEW_ONLY = ("linearized-indices", "linearized-values")  # result keys too long for results.edn


class BudgetExhausted(Exception):
    """Raised inside the search when its step budget or deadline runs out."""


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


def check_register(history: Sequence[dict[str, Any]], *, cache: bool = True,
                   nil_reads: str = "strict", max_steps: int | None = 5_000_000,
                   deadline: float | None = None,
                   clock: Callable[[], float] = time.monotonic) -> dict[str, Any]:
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
    out: dict[str, Any] = {"valid?": UNKNOWN, "analyzer": "wgl", "op-count": len(ops)}
    try:
        valid = search.run()
    except BudgetExhausted:
        out.update({"cause": "search budget exhausted", "steps": search.steps})
        return out
    out["steps"] = search.steps
    if valid:
        out.update({"valid?": True, "model": {"value": show(search.prefix_state)},
                    "final-paths": []})
        return out
    assert search.blocked is not None
    out.update(evidence(history, ops, search.prefix, search.prefix_state, search.blocked,
                        search.knossos_nil))
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
