"""The broadcast workload: topology builders (Maelstrom's broadcast.clj), generators, and the
client against
a fake RPC connection."""

from __future__ import annotations

import asyncio
import random

import pytest

from tests.builders import FakeRPC
from tests.gen_driver import drive
from workbench.client import RPCTimeout
from workbench.errors import NodeError
from workbench.workloads import broadcast

ABCDE = list("abcde")


def test_grid_matches_the_spec_example() -> None:
    assert broadcast.grid(ABCDE) == {"a": ["d", "b"], "b": ["e", "c", "a"], "c": ["b"],
                                     "d": ["a", "e"], "e": ["b", "d"]}


def test_grid_of_25_is_a_5x5_grid() -> None:
    nodes = [f"n{i}" for i in range(25)]
    topo = broadcast.grid(nodes)
    assert topo["n0"] == ["n5", "n1"]
    assert topo["n12"] == ["n17", "n7", "n13", "n11"]
    assert topo["n24"] == ["n19", "n23"]
    assert broadcast.grid(["a"]) == {"a": []}
    # every neighbour relation is symmetric
    assert all(n in topo[m] for n, ms in topo.items() for m in ms)


def test_line() -> None:
    assert broadcast.line(ABCDE) == {"a": ["b"], "b": ["a", "c"], "c": ["b", "d"],
                                     "d": ["c", "e"], "e": ["d"]}
    assert broadcast.line(["a"]) == {}
    assert broadcast.line(["a", "b"]) == {"a": ["b"], "b": ["a"]}


def test_total() -> None:
    assert broadcast.total(["a", "b", "c"]) == {"a": ["b", "c"], "b": ["a", "c"],
                                                "c": ["a", "b"]}


def test_trees_list_parent_first_then_children() -> None:
    nodes = list("abcdefgh")
    assert broadcast.topology("tree", nodes) == broadcast.topology("tree2", nodes) == {
        "a": ["b", "c"], "b": ["a", "d", "e"], "c": ["a", "f", "g"], "d": ["b", "h"],
        "e": ["b"], "f": ["c"], "g": ["c"], "h": ["d"]}
    assert broadcast.topology("tree3", nodes) == {
        "a": ["b", "c", "d"], "b": ["a", "e", "f", "g"], "c": ["a", "h"], "d": ["a"],
        "e": ["b"], "f": ["b"], "g": ["b"], "h": ["c"]}
    assert broadcast.topology("tree4", ABCDE)["a"] == ["b", "c", "d", "e"]
    assert broadcast.topology("tree4", ["a"]) == {"a": []}


def test_unknown_topology() -> None:
    with pytest.raises(ValueError):
        broadcast.topology("ring", ABCDE)


def test_main_generator_broadcasts_increasing_values_half_the_time() -> None:
    make = broadcast.main_ops(random.Random(7))
    ops = [make(random.Random(0)) for _ in range(1000)]
    values = [op["value"] for op in ops if op["f"] == "broadcast"]
    assert values == list(range(len(values)))
    assert 400 < len(values) < 600
    assert {op["f"] for op in ops} == {"broadcast", "read"}


def test_final_generator_reads_once_per_thread() -> None:
    history = drive(broadcast.final_generator(), threads=(0, 1, 2))
    reads = [op for op in history if op["type"] == "invoke"]
    assert sorted(op["process"] for op in reads) == [0, 1, 2]
    assert all({k: op[k] for k in ("f", "value", "final?")}
               == {"f": "read", "value": None, "final?": True} for op in reads)


def _invoke(rpc: FakeRPC, op: dict) -> dict:
    return asyncio.run(broadcast.BroadcastClient().invoke(rpc, dict(op, type="invoke")))


def test_client_broadcast_and_read() -> None:
    rpc = FakeRPC({"type": "broadcast_ok", "in_reply_to": 1},
                  {"type": "read_ok", "messages": [3, 1], "in_reply_to": 2})
    done = _invoke(rpc, {"f": "broadcast", "value": 3, "process": 0})
    assert done["type"] == "ok" and done["value"] == 3
    done = _invoke(rpc, {"f": "read", "value": None, "process": 0})
    assert done["type"] == "ok" and done["value"] == [3, 1]
    assert rpc.sent == [{"type": "broadcast", "message": 3}, {"type": "read"}]


def test_client_timeouts_fail_reads_but_not_broadcasts() -> None:
    rpc = FakeRPC(RPCTimeout("slow"), RPCTimeout("slow"))
    assert _invoke(rpc, {"f": "read", "value": None, "process": 0})["type"] == "fail"
    assert _invoke(rpc, {"f": "broadcast", "value": 1, "process": 0})["type"] == "info"


def test_client_rejects_extra_keys() -> None:
    rpc = FakeRPC({"type": "read_ok", "messages": [], "extra": 1})
    done = _invoke(rpc, {"f": "read", "value": None, "process": 0})
    assert done["type"] == "info" and "unexpected key" in done["error"]


def test_setup_sends_the_whole_topology_once() -> None:
    topo = broadcast.grid(ABCDE)
    rpc = FakeRPC({"type": "topology_ok"})
    asyncio.run(broadcast.make_setup(topo)(rpc, None))
    assert rpc.sent == [{"type": "topology", "topology": topo}]
    bad = FakeRPC({"type": "topology_ok", "nodes": []})
    with pytest.raises(NodeError):
        asyncio.run(broadcast.make_setup(topo)(bad, None))
    with pytest.raises(RPCTimeout):
        asyncio.run(broadcast.make_setup(topo)(FakeRPC(RPCTimeout("x")), None))
