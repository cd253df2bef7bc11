"""The g-set workload: client against a fake RPC connection (no error mapping), generators,
and the set-full checker over g-set histories."""

from __future__ import annotations

import asyncio
import random

from tests.builders import FakeRPC
from tests.gen_driver import take
from workbench.client import RPCError, RPCTimeout
from workbench.workloads import g_set


def _invoke(rpc: FakeRPC, op: dict) -> dict:
    return asyncio.run(g_set.GSetClient().invoke(rpc, dict(op, type="invoke", process=0)))


def test_client_add_and_read_use_element_and_value() -> None:
    rpc = FakeRPC({"type": "add_ok", "in_reply_to": 1},
                  {"type": "read_ok", "value": [3, "x"], "in_reply_to": 2})
    assert _invoke(rpc, {"f": "add", "value": 3})["type"] == "ok"
    done = _invoke(rpc, {"f": "read", "value": None})
    assert done["type"] == "ok" and done["value"] == [3, "x"]
    assert rpc.sent == [{"type": "add", "element": 3}, {"type": "read"}]


def test_every_error_and_timeout_is_info_even_for_reads() -> None:
    rpc = FakeRPC(RPCTimeout("slow"), RPCError(11, "down", {}), RPCError(10, "nope", {}))
    for f in ("read", "add", "read"):
        done = _invoke(rpc, {"f": f, "value": 1})
        assert done["type"] == "info" and done["error"].startswith("indeterminate")


def test_read_ok_with_elements_instead_of_value_is_malformed() -> None:
    rpc = FakeRPC({"type": "read_ok", "elements": [1]})
    done = _invoke(rpc, {"f": "read", "value": None})
    assert done["type"] == "info" and "unexpected key" in done["error"]


def test_generators() -> None:
    make = g_set.main_ops(random.Random(3))
    ops = [make(random.Random(0)) for _ in range(400)]
    adds = [op["value"] for op in ops if op["f"] == "add"]
    assert adds == list(range(len(adds))) and 150 < len(adds) < 250
    finals = take(g_set.final_generator(), 10, threads=(0, 1))
    assert finals == [{"f": "read", "value": None}] * 2  # one per thread, no "final?" mark


def _history(*steps: tuple) -> list[dict]:
    """(process, f, invoke value, type, completion value) -> invoke/complete pairs in order."""
    ops: list[dict] = []
    for p, f, v, kind, out in steps:
        for op in ({"type": "invoke", "value": v}, {"type": kind, "value": out}):
            ops.append(dict(op, index=len(ops), time=len(ops) * 10**6, process=p, f=f))
    return ops


def test_checker_stable_and_lost() -> None:
    good = _history((0, "add", 0, "ok", 0), (1, "read", None, "ok", [0]),
                    (0, "read", None, "ok", [0]))
    result = g_set.check(None, good)
    assert result["valid?"] is True and result["stable-count"] == 1
    bad = _history((0, "add", 0, "ok", 0), (1, "read", None, "ok", [0]),
                   (1, "read", None, "ok", []))
    result = g_set.check(None, bad)
    assert result["valid?"] is False and result["lost"] == [0]
