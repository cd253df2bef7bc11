"""workbench.workloads.lin_kv: the client against a fake RPC, the thread-group generator and
its per-key process limit, the concurrency rule, and the independent checker's shape."""

from __future__ import annotations

import asyncio
import collections
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import pytest

from tests.builders import FakeRPC, H
from workbench import cli
from workbench.client import MalformedReply, RPCError, RPCTimeout
from workbench.edn import Keyword
from workbench.errors import UsageError
from workbench.workloads import lin_kv as wl


def invoke(respond: Callable[[dict], Any], op: dict, timeout: float = 1.0) -> tuple[dict, FakeRPC]:
    rpc = FakeRPC.answering(respond)
    done = asyncio.run(wl.LinKvClient(timeout).invoke(rpc, dict(op, type="invoke")))  # type: ignore[arg-type]
    return done, rpc


def error(code: int) -> RPCError:
    return RPCError(code, "no", {"type": "error", "code": code, "text": "no"})


def test_client_bodies_and_ok_values() -> None:
    done, rpc = invoke(lambda b: {"type": "read_ok", "value": 4}, {"f": "read", "value": [3, None]})
    assert done["type"] == "ok" and done["value"] == [3, 4]
    assert rpc.sent[0] == {"type": "read", "key": 3}
    done, rpc = invoke(lambda b: {"type": "write_ok"}, {"f": "write", "value": [3, 1]})
    assert done["type"] == "ok" and done["value"] == [3, 1]
    assert rpc.sent[0] == {"type": "write", "key": 3, "value": 1}
    done, rpc = invoke(lambda b: {"type": "cas_ok"}, {"f": "cas", "value": [3, [1, 2]]})
    assert done["type"] == "ok" and done["value"] == [3, [1, 2]]
    assert rpc.sent[0] == {"type": "cas", "key": 3, "from": 1, "to": 2}
    done, _ = invoke(lambda b: {"type": "read_ok", "value": None},
                     {"f": "read", "value": [3, None]})
    assert done["type"] == "ok" and done["value"] == [3, None]


@pytest.mark.parametrize("f, value, failure, expected", [
    ("read", [1, None], error(20), "fail"),
    ("cas", [1, [0, 1]], error(20), "fail"),
    ("cas", [1, [0, 1]], error(22), "fail"),
    ("write", [1, 2], error(11), "fail"),  # definite
    ("write", [1, 2], error(13), "info"),  # crash: indefinite
    ("read", [1, None], error(13), "fail"),  # reads are idempotent
    ("cas", [1, [0, 1]], RPCTimeout("late"), "info"),
    ("read", [1, None], RPCTimeout("late"), "fail"),
])
def test_client_errors_and_their_definiteness(f: str, value: Any, failure: Exception,
                                              expected: str) -> None:
    done, _ = invoke(lambda b: failure, {"f": f, "value": value})
    assert done["type"] == expected and done["value"] == value
    if isinstance(failure, RPCError):
        assert done["error"][0] == Keyword(failure.name)
    else:
        assert done["error"] == Keyword("net-timeout")


def test_client_rejects_replies_outside_the_schema() -> None:
    done, _ = invoke(lambda b: {"type": "read_ok", "value": 1, "node": "n1"},
                     {"f": "read", "value": [1, None]})
    assert done["type"] == "info" and "indeterminate" in done["error"]
    done, _ = invoke(lambda b: {"type": "read_ok"}, {"f": "read", "value": [1, None]})
    assert done["type"] == "info"
    done, _ = invoke(lambda b: {"type": "write_ok"}, {"f": "cas", "value": [1, [1, 2]]})
    assert done["type"] == "info"
    assert MalformedReply  # the class the client maps to :info


def test_timeout_scales_with_latency() -> None:
    assert wl.client_timeout(0) == 1.0
    assert wl.client_timeout(100) == 1.0
    assert wl.client_timeout(250) == 2.5
    _, rpc = invoke(lambda b: {"type": "write_ok"}, {"f": "write", "value": [0, 0]}, timeout=2.5)
    assert rpc.timeouts[0] == 2.5


def test_generator_groups_threads_by_key_and_reserves_readers() -> None:
    gen = wl.LinKvGenerator(random.Random(1), node_count=2, concurrency=8)
    fs: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for _ in range(3000):
        for thread in range(8):
            op = gen.op_for(thread)
            assert op is not None
            k, v = op["value"]
            assert k == thread // 4  # groups of 2 x node-count threads, keys 0 and 1
            fs[thread % 4][op["f"]] += 1
            if op["f"] == "read":
                assert v is None
            elif op["f"] == "write":
                assert v in range(5)
            else:
                assert len(v) == 2 and all(x in range(5) for x in v)
    assert set(fs[0]) == set(fs[1]) == {"read"}  # the first node-count threads only read
    for pos in (2, 3):
        assert set(fs[pos]) == {"write", "cas"}
        assert 1.7 < fs[pos]["cas"] / fs[pos]["write"] < 2.3  # write:cas is 1:2


def test_a_key_is_abandoned_after_twenty_processes() -> None:
    conc = 8
    gen = wl.LinKvGenerator(random.Random(2), node_count=2, concurrency=conc)
    process = list(range(conc))

    def crash(thread: int) -> None:  # what the interpreter does after an :info completion
        gen.update(None, thread, {"type": "info", "process": process[thread], "f": "write"})
        process[thread] += conc

    assert gen.op_for(0)["value"][0] == 0
    for _ in range(16):  # 4 processes to start with, 16 more: 20 in all
        crash(2)
        assert gen.op_for(2)["value"][0] == 0
    crash(3)  # the 21st process: group 0 moves on to the next unused key
    assert gen.op_for(1)["value"][0] == 2
    assert gen.op_for(5)["value"][0] == 1  # the other group is unaffected
    for _ in range(16):
        crash(0)
        gen.op_for(0)
    crash(1)
    assert gen.op_for(0)["value"][0] == 3
    # a :fail keeps the process
    gen.update(None, 2, {"type": "fail", "process": process[2], "f": "cas"})
    assert gen.groups.process[2] == process[2]


def test_key_groups_refuse_uneven_concurrency() -> None:
    with pytest.raises(ValueError):
        wl.KeyGroups(concurrency=5, group_size=10)
    with pytest.raises(ValueError):
        wl.KeyGroups(concurrency=15, group_size=10)


def test_concurrency_must_be_a_multiple_of_twice_the_node_count() -> None:
    with pytest.raises(UsageError, match="at least 10"):  # Maelstrom's defaults: 5 nodes, 1n
        cli.parse(["--bin", "node"])
    with pytest.raises(UsageError, match="multiple of 10"):
        cli.parse(["--bin", "node", "--concurrency", "15"])
    defaults = cli.parse(["--bin", "node", "--concurrency", "2n"])
    assert (defaults.workload, defaults.node_count, defaults.rate, defaults.time_limit) == (
        "lin-kv", 5, 5.0, 60.0)
    wl.check_options(cli.parse(["--bin", "node", "--concurrency", "2n"]))
    wl.check_options(cli.parse(["--bin", "node", "--concurrency", "20"]))
    opts = cli.parse(["--bin", "node", "--node-count", "3", "--concurrency", "2n",
                      "--latency", "200"])
    w = wl.workload(opts, random.Random(0))
    assert w.reusable and w.final_generator is None and w.name == "lin-kv"
    assert w.client().timeout == 2.0  # type: ignore[attr-defined]


def test_check_has_the_independent_shape_and_writes_per_key_files(tmp_path: Path) -> None:
    h = H()
    h.call(0, "write", [0, 1], [0, 1])
    h.call(1, "read", [0, None], [0, 1])
    h.call(0, "write", [1, 2], [1, 2])
    h.call(1, "read", [1, None], [1, 3])  # key 1: never written 3
    h.invoke("nemesis", "start-partition", None)
    result = wl.check(None, h.ops, out_dir=tmp_path)
    assert result["valid?"] is False and result["failures"] == [1]
    assert set(result["results"]) == {0, 1}
    assert result["results"][0]["valid?"] is True
    lin = result["results"][1]["linearizable"]
    assert lin["valid?"] is False and lin["op"]["value"] == 3
    assert "linearized-indices" not in lin  # view-only data stays out of results.edn
    assert result["results"][1]["timeline"] == {"valid?": True}
    for k in (0, 1):
        for name in ("results.edn", "history.edn"):
            assert (tmp_path / "independent" / str(k) / name).exists()
    assert (tmp_path / "independent" / "1" / "linear.html").exists()
    assert not (tmp_path / "independent" / "0" / "linear.html").exists()
    assert wl.check(None, [], out_dir=tmp_path)["valid?"] is True


def test_check_budget_gives_unknown() -> None:
    h = H()
    for i in range(50):
        h.call(i % 3, "write", [0, i % 5], [0, i % 5])
    result = wl.check(SimpleNamespace(store="/nonexistent"), h.ops, max_steps=5)
    assert result["valid?"] == Keyword("unknown") and result["failures"] == [0]
