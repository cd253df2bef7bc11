"""Maelstrom's RPC client against a scripted node on virtual time: replies matched by an
integer in_reply_to only, and error bodies mapped as Maelstrom's with-errors maps them."""

from __future__ import annotations

import asyncio
import random

from workbench.client import Client, with_errors
from workbench.clock import Clock, run_virtual
from workbench.journal import Journal
from workbench.network import Latency, Network


def _call_with_reply(make_reply, f: str = "read", idempotent=frozenset({"read"})) -> dict:
    """One op through a client to a node that answers each request with make_reply(body)."""
    async def scenario() -> dict:
        net = Network(Latency(), random.Random(1), Journal(), Clock(asyncio.get_running_loop()))

        def node(msg) -> None:
            net.send("n0", msg.src, make_reply(msg.body))
        net.register("n0", node)
        client = Client(net, "c0", "n0")

        async def call() -> dict:
            body = await client.call({"type": "read"}, timeout=1.0)
            return {"f": f, "type": "ok", "value": body}
        return await with_errors({"f": f, "value": None}, idempotent, call())
    return run_virtual(scenario())


def test_an_error_without_an_integer_code_is_an_unknown_indefinite_error() -> None:
    def reply(body: dict) -> dict:
        return {"type": "error", "text": "no code", "in_reply_to": body["msg_id"]}
    assert _call_with_reply(reply)["type"] == "fail"  # idempotent: nothing happened
    assert _call_with_reply(reply, f="write", idempotent=frozenset())["type"] == "info"
    assert _call_with_reply(lambda b: {"type": "error", "code": "11", "text": "x",
                                       "in_reply_to": b["msg_id"]})["error"][0] == "unknown"


def test_a_definite_error_fails_any_op() -> None:
    done = _call_with_reply(lambda b: {"type": "error", "code": 20, "text": "no key",
                                       "in_reply_to": b["msg_id"]}, f="write",
                            idempotent=frozenset())
    assert done["type"] == "fail" and done["error"][0] == "key-does-not-exist"


def test_in_reply_to_must_be_the_integer_msg_id() -> None:
    for wrong in (lambda i: float(i), lambda i: str(i), lambda i: i + 1, lambda i: True):
        done = _call_with_reply(lambda b, w=wrong: {"type": "read_ok",
                                                    "in_reply_to": w(b["msg_id"])})
        assert done["type"] == "fail" and done["error"] == "net-timeout"
    ok = _call_with_reply(lambda b: {"type": "read_ok", "in_reply_to": b["msg_id"]})
    assert ok["type"] == "ok"
