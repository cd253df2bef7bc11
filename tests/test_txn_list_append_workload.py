"""The txn-list-append workload: client against a fake RPC connection, the generator, and
the checker entry (Elle's list-append result as is)."""

from __future__ import annotations

import asyncio
import random
from types import SimpleNamespace

from tests.builders import FakeRPC
from tests.gen_driver import take
from workbench.client import RPCError, RPCTimeout
from workbench.report import results
from workbench.validity import UNKNOWN
from workbench.workloads import txn_list_append as tla


def _invoke(rpc: FakeRPC, value: list) -> dict:
    op = {"f": "txn", "value": value, "type": "invoke", "process": 0}
    return asyncio.run(tla.AppendClient().invoke(rpc, op))


TXN = [[tla.R, 1, None], [tla.APPEND, 1, 6]]


def test_client_sends_strings_and_keeps_keywords() -> None:
    rpc = FakeRPC({"type": "txn_ok", "txn": [["r", 1, [3]], ["append", 1, 6]]})
    done = _invoke(rpc, TXN)
    assert rpc.sent == [{"type": "txn", "txn": [["r", 1, None], ["append", 1, 6]]}]
    assert done["type"] == "ok" and done["value"] == [["r", 1, [3]], ["append", 1, 6]]
    rpc = FakeRPC({"type": "txn_ok", "txn": [["r", 1, None], ["append", 1, 6]]})
    assert _invoke(rpc, TXN)["value"][0] == ["r", 1, None]


def test_client_error_mapping() -> None:
    rpc = FakeRPC(RPCTimeout("slow"), RPCError(30, "conflict", {}), RPCError(11, "down", {}))
    assert _invoke(rpc, TXN)["type"] == "info"
    assert _invoke(rpc, TXN)["type"] == "fail"  # txn-conflict is definite
    assert _invoke(rpc, TXN)["type"] == "fail"  # temporarily-unavailable is definite


def test_client_rejects_bad_micro_ops() -> None:
    for bad in ([["w", 1, 6]], [["r", 1, 3]], [["append", 1]]):
        done = _invoke(FakeRPC({"type": "txn_ok", "txn": bad}), TXN)
        assert done["type"] == "info" and "wrong type" in done["error"]


def test_generator_appends_unique_values_per_key() -> None:
    gen = tla.AppendGenerator(random.Random(1), key_count=3, max_txn_length=4,
                              max_writes_per_key=5)
    seen: set = set()
    for op in take(gen, 300):
        assert op["f"] == "txn" and 1 <= len(op["value"]) <= 4
        for f, k, v in op["value"]:
            assert f in ("r", "append")
            if f == "append":
                assert (k, v) not in seen and 1 <= v <= 5
                seen.add((k, v))
            else:
                assert v is None
    assert len({k for k, _ in seen}) > 3  # keys were retired and replaced


def test_check_is_elle_without_a_wrapper() -> None:
    opts = SimpleNamespace(consistency_models=["strict-serializable"])
    inv = {"index": 0, "time": 0, "type": "invoke", "process": 0, "f": "txn",
           "value": [[tla.APPEND, 1, 1]]}
    ok = dict(inv, index=1, time=1, type="ok")
    assert tla.check(opts, [inv, ok])["valid?"] == UNKNOWN  # empty transaction graph


def test_its_explainer_writes_one_file_per_anomaly_type_under_elle(tmp_path) -> None:
    ops = []
    for p, value in enumerate([[[tla.APPEND, "x", 1], [tla.R, "y", []]],
                               [[tla.APPEND, "y", 1], [tla.R, "x", []]]]):
        ops.append({"index": len(ops), "time": len(ops), "type": "invoke", "process": p,
                    "f": "txn", "value": [[f, k, None if f == "r" else v] for f, k, v in value]})
    for p, value in enumerate([[[tla.APPEND, "x", 1], [tla.R, "y", []]],
                               [[tla.APPEND, "y", 1], [tla.R, "x", []]]]):
        ops.append({"index": len(ops), "time": len(ops), "type": "ok", "process": p,
                    "f": "txn", "value": value})
    result = tla.check(SimpleNamespace(consistency_models=["serializable"]), ops)
    assert result["valid?"] is False
    explain = tla.workload(SimpleNamespace(key_count=None, max_txn_length=4,
                                           max_writes_per_key=16), random.Random(1)).explain
    assert explain is not None
    written = results.write_anomaly_files(tmp_path / "elle", result, explain)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == ["elle/G2-item.txt"]
