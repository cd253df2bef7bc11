"""g-counter and pn-counter (Maelstrom's src/maelstrom/workload/g_counter.clj, pn_counter.clj): a
counter that clients add to and read.

    request  {"type": "add", "delta": 3}      response {"type": "add_ok"}
    request  {"type": "read"}                 response {"type": "read_ok", "value": 42}

pn-counter: each op is an add of a delta uniform in -5..4 or a read, half and half.
g-counter: the same stream with negative adds dropped and drawn again (deltas 0..4, reads
twice as frequent as adds). After the main phase (and the heal, and 10 s of recovery) every
client thread does one read marked "final?".

There is no error mapping: any error reply, timeout or malformed reply, for adds and reads
alike, makes the op :info with the exception and "error" "indeterminate: ...". Clients are
not reusable (a new client id after every :info).

The checker judges only the final reads: each must lie in the acceptable set, the sum of the
:ok adds plus any subset of the :info adds' deltas. It reports "final-reads" (values in
history order), "acceptable" (maximal runs of acceptable integers as [lo hi] pairs) and
"errors" (the offending read ops, or nil). Non-final reads are not checked. A final read that
is not an integer (7.0, true: the read_ok schema lets none through, but a stored history may
hold one) is :unknown, as Maelstrom's checker asserts it is an integer and throws.
"""

from __future__ import annotations

import random
from typing import Any

from .. import edn
from ..client import Client, MalformedReply, Reply, RPCError, RPCTimeout, indeterminate, is_int
from ..generator import Stream, each_thread_once
from ..history import Op, edn_op, is_client_op
from ..validity import UNKNOWN
from . import Workload

ADD_OK = Reply("add_ok", {}, "the add took effect")
READ_OK = Reply("read_ok", {"value": is_int}, "the counter's current value, an integer")

Interval = list[int]  # [lo, hi], inclusive


class CounterClient:
    async def invoke(self, rpc: Client, op: Op) -> Op:
        try:
            if op["f"] == "add":
                await rpc.call({"type": "add", "delta": op["value"]}, reply=ADD_OK)
                return dict(op, type="ok")
            body = await rpc.call({"type": "read"}, reply=READ_OK)
            return dict(op, type="ok", value=body["value"])
        except (RPCError, RPCTimeout, MalformedReply) as err:
            return indeterminate(op, err)


def pn_op(rng: random.Random) -> Op:
    if rng.random() < 0.5:
        return {"f": "add", "value": rng.randint(-5, 4)}
    return {"f": "read", "value": None}


def g_op(rng: random.Random) -> Op:
    while True:
        op = pn_op(rng)
        if op["f"] == "read" or op["value"] >= 0:
            return op


def final_read() -> Op:
    return {"f": "read", "value": None, "final?": True}


# ---- checker ---------------------------------------------------------------------------------


def _normalize(intervals: list[Interval]) -> list[Interval]:
    """Sorted, with overlapping or adjacent intervals merged."""
    out: list[Interval] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out


def acceptable(definite: int, uncertain: list[int]) -> list[Interval]:
    """{definite + sum of any subset of `uncertain`} as maximal integer runs."""
    s: list[Interval] = [[definite, definite]]
    for d in uncertain:
        if d != 0:
            s = _normalize(s + [[lo + d, hi + d] for lo, hi in s])
    return s


def _contains(intervals: list[Interval], value: Any) -> bool:
    return is_int(value) and any(lo <= value <= hi for lo, hi in intervals)


def check(opts: object, history: list[Op]) -> dict[str, Any]:
    ops = [op for op in history if is_client_op(op)]
    definite = sum(op["value"] for op in ops if op["f"] == "add" and op["type"] == "ok")
    uncertain = [op["value"] for op in ops if op["f"] == "add" and op["type"] == "info"]
    ok_set = acceptable(definite, uncertain)
    finals = [op for op in ops if op["f"] == "read" and op["type"] == "ok" and op.get("final?")]
    for op in finals:  # pn_counter.clj asserts (integer? (:value r)) on each final read
        if not is_int(op["value"]):
            return {"valid?": UNKNOWN, "error": f"java.lang.AssertionError: Assert failed: "
                    f"(integer? (:value r)), a final read of {edn.dumps(op['value'])}"}
    errors = [edn_op(op) for op in finals if not _contains(ok_set, op["value"])]
    result: dict[str, Any] = {"valid?": not errors, "errors": errors or None,
                              "final-reads": [op["value"] for op in finals],
                              "acceptable": ok_set}
    return result


def workload(opts: Any, rng: random.Random) -> Workload:
    name: str | None = getattr(opts, "workload", None)
    if name not in ("g-counter", "pn-counter"):
        raise ValueError(f"g_counter serves g-counter and pn-counter, not {name!r}")
    make = g_op if name == "g-counter" else pn_op
    return Workload(name=name, client=CounterClient, generator=Stream(make, rng), check=check,
                    final_generator=each_thread_once(final_read))
