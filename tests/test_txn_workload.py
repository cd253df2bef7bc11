"""workbench.workloads.txn_rw_register: generator, reply schema, client, Maelstrom's wrapper."""

from __future__ import annotations

import asyncio
import collections
import random
from types import SimpleNamespace

import pytest
from elle.txn_builders import history

from tests.builders import FakeRPC
from tests.gen_driver import take
from workbench.edn import Keyword
from workbench.workloads import txn_rw_register as wl


def test_generator_lengths_and_mops() -> None:
    gen = wl.TxnGenerator(random.Random(1), key_count=10, max_txn_length=4)
    for _ in range(2000):
        txn = gen.txn()
        assert 1 <= len(txn) <= 4
        for f, k, v in txn:
            assert f in (Keyword("r"), Keyword("w")) and isinstance(f, Keyword)
            assert isinstance(k, int)
            assert (v is None) == (f == "r")


def test_generator_writes_are_unique_and_keys_retire() -> None:
    gen = wl.TxnGenerator(random.Random(2), key_count=3, max_txn_length=4,
                          max_writes_per_key=5)
    writes = [(k, v) for _ in range(500) for f, k, v in gen.txn() if f == "w"]
    assert len(writes) == len(set(writes))
    per_key = collections.Counter(k for k, _ in writes)
    assert max(per_key.values()) <= 5
    assert max(per_key) > 10  # retired keys were replaced by fresh ones
    for k in per_key:  # values count up from 1 per key
        assert sorted(v for kk, v in writes if kk == k) == list(range(1, per_key[k] + 1))


def test_generator_prefers_later_positions_exponentially() -> None:
    gen = wl.TxnGenerator(random.Random(3), key_count=4)
    counts = collections.Counter(gen._position() for _ in range(20000))
    assert set(counts) == {0, 1, 2, 3}
    for i in range(3):
        assert 1.6 < counts[i + 1] / counts[i] < 2.5


def test_generator_follows_the_flags() -> None:
    opts = SimpleNamespace(key_count=2, max_txn_length=1, max_writes_per_key=16)
    work = wl.workload(opts, random.Random(4))
    op = take(work.generator, 1)[0]
    assert op["f"] == "txn" and len(op["value"]) == 1 and op["value"][0][1] in (0, 1)
    assert work.reusable


@pytest.mark.parametrize("txn, ok", [
    ([["r", 1, None], ["w", 1, 2]], True),
    ([], True),
    ([["r", 1]], False),
    ([["x", 1, 2]], False),
    ([["R", 1, 2]], False),
    ([["r", 1, 2, 3]], False),
    ("nope", False),
])
def test_reply_schema(txn, ok) -> None:
    assert wl.is_txn(txn) is ok


def test_client_sends_strings_and_records_keywords() -> None:
    rpc = FakeRPC({"type": "txn_ok", "txn": [["r", 1, 5], ["w", 2, 3]]})
    op = {"f": "txn", "type": "invoke", "process": 0,
          "value": [[Keyword("r"), 1, None], [Keyword("w"), 2, 3]]}
    done = asyncio.run(wl.TxnClient().invoke(rpc, op))  # type: ignore[arg-type]
    assert rpc.sent == [{"type": "txn", "txn": [["r", 1, None], ["w", 2, 3]]}]
    assert done["type"] == "ok" and done["value"] == [["r", 1, 5], ["w", 2, 3]]
    assert all(isinstance(m[0], Keyword) for m in done["value"])


def test_client_txn_conflict_is_a_definite_failure() -> None:
    from workbench.client import RPCError
    err = RPCError(30, "conflict", {"type": "error", "code": 30})
    op = {"f": "txn", "type": "invoke", "process": 0, "value": [[Keyword("w"), 1, 1]]}
    done = asyncio.run(wl.TxnClient().invoke(FakeRPC(err), op))  # type: ignore[arg-type]
    assert done["type"] == "fail" and done["error"][0] == "txn-conflict"


def test_client_malformed_reply_is_info() -> None:
    rpc = FakeRPC({"type": "txn_ok", "txn": [["read", 1, 5]]})
    op = {"f": "txn", "type": "invoke", "process": 0, "value": [[Keyword("r"), 1, None]]}
    done = asyncio.run(wl.TxnClient().invoke(rpc, op))  # type: ignore[arg-type]
    assert done["type"] == "info"


def opts(*models: str) -> SimpleNamespace:
    return SimpleNamespace(consistency_models=list(models))


def test_check_valid_shape() -> None:
    result = wl.check(opts("read-committed"), history("wx1", "rx1", sequential=True))
    assert result["valid?"] is True
    assert result["anomaly-types"] == [] and result["anomalies"] is None
    assert "blind-spot" in result


def test_check_invalid_shape() -> None:
    result = wl.check(opts("read-committed"), history("wx1ry1", "wy1rx1"))
    assert result["valid?"] is False
    assert result["anomaly-types"] == ["G1c"]
    assert set(result["anomalies"]) == {"G1c"}
    assert result["not"] == {"read-committed"}


def test_empty_transaction_graph_fails_as_in_maelstrom() -> None:
    result = wl.check(opts("read-committed"), history(("wx1", "fail")))
    assert result["valid?"] is False
    assert result["anomaly-types"] == ["empty-transaction-graph"]


def test_cycle_search_timeouts_are_dropped() -> None:
    # A big ring of G2-item edges with no G-single cycle: with a zero budget the searches
    # time out; Maelstrom's wrapper drops the timeouts, the cycle-exists finding remains.
    specs = [f"r{a}_w{b}1" for a, b in zip("abcdefgh", "bcdefgha", strict=True)]
    result = wl.check(opts("serializable"), history(*specs), budget=0.0)
    assert "cycle-search-timeout" not in result["anomaly-types"]
    assert result["dropped-cycle-search-timeouts"] > 0
    assert result["valid?"] is False


def test_nemesis_ops_are_ignored() -> None:
    h = history("wx1", "rx1", sequential=True)
    h.insert(0, {"index": -1, "time": 0, "type": "info", "process": "nemesis",
                 "f": "start-partition", "value": None})
    assert wl.check(opts("strict-serializable"), h)["valid?"] is True


def test_cli_rejects_unknown_models_and_splits_on_spaced_commas() -> None:
    from workbench.cli import parse
    from workbench.errors import UsageError
    opts = parse(["--bin", "txn.py", "-w", "txn-rw-register",
                  "--consistency-models", "read-committed , PL-SS"])
    assert opts.consistency_models == ["read-committed", "PL-SS"]
    with pytest.raises(UsageError, match="unknown consistency model 'snapshot'"):
        parse(["--bin", "txn.py", "-w", "txn-rw-register",
               "--consistency-models", "read-committed , snapshot"])
    # Maelstrom (core.clj) splits on \s+,\s+: "a,b" is one model it cannot check (unknown)
    with pytest.raises(UsageError, match="write 'a , b'"):
        parse(["--bin", "txn.py", "-w", "txn-rw-register",
               "--consistency-models", "read-committed,serializable"])
