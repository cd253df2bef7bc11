"""echo (Maelstrom's src/maelstrom/workload/echo.clj): clients send `echo` and expect the same
value back.

    request  {"type": "echo", "echo": "Please echo 35"}
    response {"type": "echo_ok", "echo": "Please echo 35"}

The checker pairs each invocation with its :ok or :fail completion (an :info, i.e. a
timeout, is skipped) and reports every completion whose `echo` differs from what was sent.
"""

from __future__ import annotations

import random
from typing import Any

from ..client import Client, Reply, is_any, with_errors
from ..generator import Stream
from ..history import Op, pairs
from . import Workload

ECHO_OK = Reply("echo_ok", {"echo": is_any}, "the same echo value that was sent")
IDEMPOTENT: frozenset[str] = frozenset()


class EchoClient:
    async def invoke(self, rpc: Client, op: Op) -> Op:
        async def call() -> Op:
            body = await rpc.call({"type": "echo", "echo": op["value"]}, reply=ECHO_OK)
            return dict(op, type="ok", value=body)
        return await with_errors(op, IDEMPOTENT, call())


def make_op(rng: random.Random) -> Op:
    return {"f": "echo", "value": f"Please echo {rng.randrange(128)}"}


def check(opts: object, history: list[Op]) -> dict[str, Any]:
    errors = []
    for inv, done in pairs(history):
        if done is None or done["type"] not in ("ok", "fail"):
            continue
        got = done["value"]
        if done["type"] == "fail" or not isinstance(got, dict) or got.get("echo") != inv["value"]:
            errors.append(["Expected a message with :echo", inv["value"], "But received", got])
    return {"valid?": not errors, "errors": errors}


def workload(opts: object, rng: random.Random) -> Workload:
    return Workload(name="echo", client=EchoClient, generator=Stream(make_op, rng), check=check)
