"""g-counter / pn-counter workload: generators, the client's error handling, and
the range checker on histories with and without a bad final read."""

from __future__ import annotations

import asyncio
import collections
import random
from types import SimpleNamespace
from typing import Any

import pytest

from tests.builders import FakeRPC
from tests.gen_driver import take
from workbench.client import RPCError, RPCTimeout
from workbench.edn import Keyword
from workbench.validity import UNKNOWN
from workbench.values import clojure
from workbench.workloads import g_counter
from workbench.workloads.g_counter import CounterClient, acceptable, check, g_op, pn_op


def test_g_counter_ops_are_non_negative_adds_and_twice_as_many_reads() -> None:
    rng = random.Random(1)
    ops = [g_op(rng) for _ in range(6000)]
    fs = collections.Counter(op["f"] for op in ops)
    assert 1.8 < fs["read"] / fs["add"] < 2.2
    assert {op["value"] for op in ops if op["f"] == "add"} == {0, 1, 2, 3, 4}
    assert all(op["value"] is None for op in ops if op["f"] == "read")


def test_pn_counter_ops_are_half_adds_from_minus_5_to_4() -> None:
    rng = random.Random(2)
    ops = [pn_op(rng) for _ in range(6000)]
    fs = collections.Counter(op["f"] for op in ops)
    assert 0.9 < fs["read"] / fs["add"] < 1.1
    assert {op["value"] for op in ops if op["f"] == "add"} == set(range(-5, 5))


def test_workload_follows_opts_workload() -> None:
    rng = random.Random(3)
    g = g_counter.workload(SimpleNamespace(workload="g-counter"), rng)
    pn = g_counter.workload(SimpleNamespace(workload="pn-counter"), rng)
    assert (g.name, pn.name) == ("g-counter", "pn-counter")
    assert not g.reusable and g.final_generator is not None
    assert any((op["value"] or 0) < 0 for op in take(pn.generator, 200))
    assert all((op["value"] or 0) >= 0 for op in take(g.generator, 200))
    assert take(g.final_generator, 10, threads=(0, 1)) == [
        {"f": "read", "value": None, "final?": True}] * 2
    with pytest.raises(ValueError):
        g_counter.workload(SimpleNamespace(workload="kafka"), rng)


# ---- the client ------------------------------------------------------------------------------


def invoke(op: dict, answer: Any) -> tuple[dict, FakeRPC]:
    rpc = FakeRPC(answer)
    done = asyncio.run(CounterClient().invoke(rpc, dict(op, type="invoke", process=0)))  # type: ignore[arg-type]
    return done, rpc


def test_client_ok_add_and_read() -> None:
    done, rpc = invoke({"f": "add", "value": 3}, {"type": "add_ok", "in_reply_to": 1})
    assert done["type"] == "ok" and done["value"] == 3
    assert rpc.sent == [{"type": "add", "delta": 3}]
    done, rpc = invoke({"f": "read", "value": None}, {"type": "read_ok", "value": 7,
                                                      "in_reply_to": 1})
    assert done["type"] == "ok" and done["value"] == 7 and rpc.sent == [{"type": "read"}]


@pytest.mark.parametrize("f", ["add", "read"])
@pytest.mark.parametrize("answer", [
    RPCTimeout("no reply from n0 to x within 5000 ms"),
    RPCError(20, "key does not exist", {}),  # even a definite error is indeterminate here
    RPCError(11, "try later", {}),
    {"type": "read_ok", "value": 1.5},
    {"type": "add_ok", "node": "n1"},
])
def test_client_has_no_error_mapping(f: str, answer: Any) -> None:
    done, _ = invoke({"f": f, "value": 1 if f == "add" else None}, answer)
    assert done["type"] == "info"
    assert done["error"].startswith("indeterminate: ")
    assert isinstance(done["exception"]["type"], Keyword)
    assert done["value"] == (1 if f == "add" else None)


# ---- the checker -----------------------------------------------------------------------------


def history(*ops: tuple) -> list[dict]:
    """ops as (type, f, value[, final?]); each gets an invocation before it, process 0."""
    out: list[dict] = []
    for t, f, value, *final in ops:
        extra = {"final?": True} if final else {}
        inv_value = value if f == "add" else None
        out.append({"type": "invoke", "process": 0, "f": f, "value": inv_value, **extra})
        out.append({"type": t, "process": 0, "f": f, "value": value, **extra})
    for i, op in enumerate(out):
        op.update(index=i, time=i)
    return out


def test_acceptable_is_definite_plus_any_subset_of_indeterminate_adds() -> None:
    assert acceptable(10, [5, -1, -1]) == [[8, 10], [13, 15]]
    assert acceptable(0, []) == [[0, 0]]
    assert acceptable(3, [1, 1, 1]) == [[3, 6]]
    assert acceptable(0, [0, 4]) == [[0, 0], [4, 4]]


def test_check_valid_when_final_reads_match() -> None:
    h = history(("ok", "add", 2), ("ok", "add", 3), ("ok", "read", 1), ("info", "add", 4),
                ("fail", "add", 100), ("ok", "read", 5, True), ("ok", "read", 9, True))
    result = check(None, h)
    assert result == {"valid?": True, "errors": None, "final-reads": [5, 9],
                      "acceptable": [[5, 5], [9, 9]]}


def test_check_reports_a_final_read_outside_the_acceptable_set() -> None:
    h = history(("ok", "add", 2), ("ok", "add", 3), ("ok", "read", 5, True),
                ("ok", "read", 4, True))
    result = check(None, h)
    assert result["valid?"] is False and result["final-reads"] == [5, 4]
    [bad] = result["errors"]
    assert bad["value"] == 4 and bad["type"] == Keyword("ok") and bad["final?"] is True


def test_check_judges_only_ok_final_reads() -> None:
    h = history(("ok", "add", 2), ("ok", "read", 999), ("info", "read", None, True))
    result = check(None, h)
    assert result == {"valid?": True, "errors": None, "final-reads": [], "acceptable": [[2, 2]]}


def test_a_non_integer_final_read_is_unknown_as_in_maelstrom() -> None:
    # Maelstrom's pn_counter.clj asserts (integer? (:value r)) on every final read: a float
    # or a boolean there throws, and the checker's result is :unknown with the error.
    for value in (2.0, True, [2]):
        h = history(("ok", "add", 2), ("ok", "read", clojure(value), True))
        result = check(None, h)
        assert result["valid?"] == UNKNOWN and "integer?" in result["error"], value
    assert check(None, history(("ok", "add", 2), ("ok", "read", 2, True)))["valid?"] is True


def test_check_ignores_the_nemesis() -> None:
    h = history(("ok", "add", 1), ("ok", "read", 1, True))
    h.insert(0, {"index": -1, "time": 0, "type": "info", "process": "nemesis",
                 "f": "start-partition", "value": None})
    assert check(None, h)["valid?"] is True
