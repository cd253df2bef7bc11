"""The compare-and-set register model Knossos's cas-register defines (knossos
src/knossos/model.clj), and a key's history turned into the ops a linearizability search sees.

Values are compared by message.value_key (type-sensitive: 1, 1.0, true and "1" differ). The
register starts at nil; a read returns the current value, a write sets it, a cas [from to]
succeeds iff the current value equals `from`. With knossos_nil, a read of nil is legal from
any state, as in Knossos (see search.py).
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from ... import edn
from ...message import value_key

READ, WRITE, CAS = 0, 1, 2
_F = {"read": READ, "write": WRITE, "cas": CAS}
NIL = value_key(None)
INFINITY = math.inf


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
    invoke: dict[str, Any]
    complete: dict[str, Any] | None  # None when never completed

    @property
    def ok(self) -> bool:
        return self.ret != INFINITY


def prepare(history: Sequence[dict[str, Any]]) -> list[RegisterOp]:
    """Pair invocations with completions (by process, in history order) and keep the ops that
    may have happened: :ok ones, and :info / unfinished writes and cas. :fail ops did not
    happen; :info reads observed nothing, so they constrain nothing."""
    open_by_process: dict[Any, tuple[int, dict[str, Any]]] = {}
    paired: list[tuple[int, dict[str, Any], int | None, dict[str, Any] | None]] = []
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
        value = (done if outcome == "ok" and done is not None else inv).get("value")
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
                              float(ret) if outcome == "ok" and ret is not None else INFINITY,
                              inv, done))
    return ops


def step(state: Any, op: RegisterOp, knossos_nil: bool = False) -> tuple[bool, Any]:
    """The cas-register model: (legal?, next state)."""
    if op.kind == READ:
        return (op.out == state or (knossos_nil and op.out == NIL)), state
    if op.kind == WRITE:
        return True, op.arg
    return op.arg[0] == state, op.arg[1]


def show(key: Any) -> Any:
    """A value_key() back as the JSON value it names."""
    tag, value = key
    return json.loads(value) if tag == "json" else value


def why(state: Any, op: RegisterOp) -> str:
    """Knossos's wording for an inconsistent step (values in EDN)."""
    s = edn.dumps(show(state))
    if op.kind == READ:
        return f"can't read {edn.dumps(show(op.out))} from register {s}"
    frm, to = op.arg
    return f"can't CAS {s} from {edn.dumps(show(frm))} to {edn.dumps(show(to))}"


def subhistories(history: Iterable[dict[str, Any]]) -> dict[Any, list[dict[str, Any]]]:
    """Jepsen's independent split: ops whose value is a [k v] pair go to key k with value v;
    other ops (the nemesis) go to every key. Keys keep first-seen order."""
    by_key: dict[Any, list[dict[str, Any]]] = {}
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


def brute_force(history: Sequence[dict[str, Any]], nil_reads: str = "strict") -> bool:
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
