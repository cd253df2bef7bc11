"""g-set: a grow-only set that clients add elements to and read (Maelstrom's
src/maelstrom/workload/g_set.clj).

    request  {"type": "add", "element": 7}
    response {"type": "add_ok"}

    request  {"type": "read"}
    response {"type": "read_ok", "value": [0, 3, 7]}

The read reply's field is `value` (Maelstrom's schema; its generated prose says "elements",
but a node that answers with "elements" fails the closed schema). Elements may be any JSON
value; the workbench adds the integers 0, 1, 2, ... in order, and reads, half and half.

There is no error mapping (as for g-counter): any error reply, timeout or malformed reply,
for adds and reads alike, makes the op :info with the exception. Clients are not reusable (a
new client id after every :info).

After the main phase the network heals, the workbench waits 10 s, and every client thread
reads once more (a plain {"f": "read"}: Maelstrom marks no final read here). The checker is
Jepsen's set-full, exactly as broadcast uses it: a lost element makes the run invalid, a run
where no element became stable is unknown; it also reports stale and never-read elements
and the stable latencies.
"""

from __future__ import annotations

import itertools
import random
from typing import Any, Callable

from ..checkers.set_full import check_set_full
from ..client import (
    Client,
    MalformedReply,
    Reply,
    RPCError,
    RPCTimeout,
    indeterminate,
    is_any,
    list_of,
)
from ..generator import EachThread, Stream, each_thread_once
from ..history import Op
from . import Workload

ADD_OK = Reply("add_ok", {}, "acknowledges the add")
READ_OK = Reply("read_ok", {"value": list_of(is_any)}, "every element in the set, a list")
RPCS = [
    {"type": "add", "fields": {"element": "any JSON value"}, "reply": ADD_OK,
     "doc": "Add one element to the set."},
    {"type": "read", "fields": {}, "reply": READ_OK, "doc": "Read the whole set."},
]


class GSetClient:
    async def invoke(self, rpc: Client, op: Op) -> Op:
        try:
            if op["f"] == "add":
                await rpc.call({"type": "add", "element": op["value"]}, reply=ADD_OK)
                return dict(op, type="ok")
            body = await rpc.call({"type": "read"}, reply=READ_OK)
            return dict(op, type="ok", value=body["value"])
        except (RPCError, RPCTimeout, MalformedReply) as err:
            return indeterminate(op, err)


def main_ops(rng: random.Random) -> Callable[[random.Random], Op]:
    """Half adds of 0, 1, 2, ... (in generation order), half reads."""
    counter = itertools.count()

    def make(r: random.Random) -> Op:
        if rng.random() < 0.5:
            return {"f": "add", "value": next(counter)}
        return {"f": "read", "value": None}
    return make


def final_generator() -> EachThread:
    return each_thread_once(lambda: {"f": "read", "value": None})


def check(opts: Any, history: list[Op]) -> dict[str, Any]:
    return check_set_full(history, add_f="add", read_f="read")


def workload(opts: Any, rng: random.Random) -> Workload:
    return Workload(name="g-set", client=GSetClient, generator=Stream(main_ops(rng), rng),
                    check=check, final_generator=final_generator())
