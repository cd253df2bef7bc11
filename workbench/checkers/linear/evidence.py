"""The evidence for a non-linearizable key: Knossos's fields (knossos src/knossos/wgl.clj
invalid-analysis, src/knossos/analysis.clj final-paths) as plain data, and the longest
linearizable prefix the search found with the op that cannot follow it."""

from __future__ import annotations

import itertools
from typing import Any, Sequence

from .cas_register import NIL, RegisterOp, show, step, why

MAX_FINAL_PATHS = 10
MAX_PENDING_IN_PATHS = 4  # permutations of more concurrent ops than this are not drawn
TAIL = 8  # ops of the prefix shown in results


def render(op: dict[str, Any] | None) -> dict[str, Any] | None:
    """An op as plain data for results, with Maelstrom's keys and keywords."""
    if op is None:
        return None
    keys = ("process", "type", "f", "value", "index", "time", "error")
    return {k: v for k, v in op.items() if k in keys}


def evidence(history: Sequence[dict[str, Any]], ops: Sequence[RegisterOp],
             prefix_ids: Sequence[int],
             prefix_state: Any, blocked: int, knossos_nil: bool) -> dict[str, Any]:
    """The failure fields of check_register's result, from the deepest point of the search:
    `prefix_ids` linearized (leaving the register at `prefix_state`), then op `blocked`
    could not be linearized."""
    final = ops[blocked]
    prefix = [ops[i] for i in prefix_ids]
    done_ids = set(prefix_ids)
    state = NIL
    states = []
    for o in prefix:
        state = step(state, o, knossos_nil)[1]
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
    paths = _final_paths(prefix_state, prefix[-1] if prefix else None, pending, final,
                         knossos_nil)
    tail = [{"op": render(o.complete or o.invoke), "model": {"value": show(s)}}
            for o, s in list(zip(prefix, states, strict=True))[-TAIL:]]
    return {
        "valid?": False,
        "op": render(final.complete),
        "previous-ok": render(previous_ok),
        "final-paths": paths,
        "linearized-prefix-length": len(prefix),
        "linearized-tail": tail,
        "cannot-follow": {"op": render(final.complete or final.invoke),
                          "model": {"value": show(prefix_state)},
                          "concurrent": [render(o.complete or o.invoke) for o in pending]},
        "linearized-indices": [o.invoke.get("index", o.call) for o in prefix],
        "linearized-values": [show(s) for s in states],
    }


def _final_paths(state: Any, last: RegisterOp | None, pending: list[RegisterOp],
                 final: RegisterOp, knossos_nil: bool) -> list[list[dict[str, Any]]]:
    """Knossos's final paths: from the deepest configuration, every ordering of a subset of
    the concurrent pending ops followed by the final op, each extended until the register
    becomes inconsistent. At most MAX_FINAL_PATHS, shortest first."""
    start = [{"op": render(last.complete or last.invoke), "model": {"value": show(state)}}
             ] if last is not None else []
    found: list[list[dict[str, Any]]] = []
    seen: set[str] = set()
    pool = pending[:MAX_PENDING_IN_PATHS]
    for size in range(len(pool) + 1):
        for perm in itertools.permutations(pool, size):
            path = list(start)
            s = state
            for o in (*perm, final):
                legal, new = step(s, o, knossos_nil)
                shown = render(o.complete or o.invoke)
                if not legal:
                    path.append({"op": shown, "model": {"msg": why(s, o)}})
                    break
                s = new
                path.append({"op": shown, "model": {"value": show(s)}})
            else:
                continue  # this ordering is consistent; not a final path
            text = repr(path)
            if text not in seen:
                seen.add(text)
                found.append(path)
            if len(found) >= MAX_FINAL_PATHS:
                return found
    return found
