"""Cycle search and classification, through workbench.elle.check: one history per anomaly,
clean histories that must pass, and random histories of atomic executions (never a false
positive)."""

from __future__ import annotations

import random

import pytest

from workbench import elle
from workbench.edn import Keyword
from workbench.elle import explain
from workbench.elle.cycles import classify
from workbench.elle.rw_register import PROCESS, REALTIME, RW, WR, WW
from workbench.report import results
from workbench.workloads.txn_rw_register import TxnGenerator

from .txn_builders import history


def types(h: list[dict], *models: str) -> list[str]:
    return [str(t) for t in elle.check(h, models or ["strict-serializable"]).get(
        "anomaly-types", [])]


@pytest.mark.parametrize("tags, name", [
    ([WW, WW], "G0"),
    ([WW, WR], "G1c"),
    ([RW, WR], "G-single-item"),
    ([RW, WR, RW, WW], "G-nonadjacent-item"),
    ([RW, RW], "G2-item"),
    ([RW, RW, WR], "G2-item"),
    ([WR, PROCESS], "G1c-process"),
    ([RW, REALTIME, PROCESS], "G-single-item-realtime"),
    ([WW, REALTIME], "G0-realtime"),
])
def test_classify(tags, name) -> None:
    assert classify(tags) == name


CASES = [
    ("G0", ["read-uncommitted"], ["ry2wy1wx1", "rx1wx2wy2"], False),
    ("G1c", ["read-committed"], ["wx1ry1", "wy1rx1"], False),
    ("G-single-item", ["snapshot-isolation"], ["wx1wy1", "rx_ry1"], False),
    ("G-nonadjacent-item", ["snapshot-isolation"], ["wx1", "rx1ry_", "wy1", "ry1rx_"], False),
    ("G2-item", ["serializable"], ["ry_wx1", "rx_wy1"], False),
    ("G1c-process", ["strong-session-read-committed"],
     [("rx1", "ok", 0), ("wx1", "ok", 0)], True),
    ("G1c-realtime", ["strong-read-committed"], [("rx1", "ok", 0), ("wx1", "ok", 1)], True),
    ("G-single-item-realtime", ["strict-serializable"], [("wx1", "ok", 0), ("rx_", "ok", 1)], True),
]


@pytest.mark.parametrize("name, models, specs, sequential", CASES)
def test_each_cycle_anomaly(name, models, specs, sequential) -> None:
    h = history(*specs, sequential=sequential)
    result = elle.check(h, models)
    assert result["valid?"] is False
    assert name in result["anomaly-types"]
    case = result["anomalies"][name][0]
    assert case["type"] == name
    assert case["cycle"][0] == case["cycle"][-1]
    assert len(case["steps"]) == len(case["cycle"]) - 1
    assert "explanation" not in case  # data only: the text is rendered apart
    written = results.to_edn({"workload": result}, explain.case_text)["workload"]
    assert "a contradiction!" in written["anomalies"][name][0]["explanation"]


def test_g0_also_fails_read_committed_but_g1c_passes_read_uncommitted() -> None:
    assert "G0" in types(history("ry2wy1wx1", "rx1wx2wy2"), "read-committed")
    assert types(history("wx1ry1", "wy1rx1"), "read-uncommitted") == []


def test_anomalies_outside_the_models_are_not_reported() -> None:
    write_skew = history("ry_wx1", "rx_wy1")
    assert elle.check(write_skew, ["snapshot-isolation"])["valid?"] is True
    assert types(write_skew, "serializable") == ["G2-item"]


def test_process_order_is_only_used_when_needed() -> None:
    h = history(("rx1", "ok", 0), ("wx1", "ok", 0), sequential=True)
    assert elle.check(h, ["read-committed"])["valid?"] is True
    assert types(h, "strict-serializable") == ["G1c-realtime"]


def test_non_cycle_anomalies_reported() -> None:
    # ("wy1", "ry1" give the graph an edge: alone, "wx1rx2" is also an empty graph, as in Elle)
    assert types(history("wx1rx2", "wy1", "ry1"), "read-atomic") == ["internal"]
    assert types(history("wx1rx2", "wy1", "ry1"), "read-committed") == []
    assert "G1a" in types(history(("wx1", "fail"), "rx1"), "read-committed")
    assert "G1b" in types(history("wx1wx2", "rx1"), "read-committed")
    assert "lost-update" in types(history("rx_wx1", "rx_wx2"), "snapshot-isolation")
    assert types(history("rx1wx2", "rx2wx1"), "read-uncommitted") == ["cyclic-versions"]


def test_not_and_also_not() -> None:
    result = elle.check(history("wx1ry1", "wy1rx1"), ["read-committed"])
    assert result["not"] == {Keyword("read-committed")}
    assert Keyword("serializable") in result["also-not"]


def test_empty_history_is_an_empty_transaction_graph() -> None:
    result = elle.check(history(("wx1", "fail")), ["read-committed"])
    assert result["anomaly-types"] == ["empty-transaction-graph"]
    assert result["valid?"] == "unknown"


CLEAN = [
    ["wx1", "rx1wx2", "rx2", "rx2wy1", "ry1rx2"],
    ["rx_", "wx1", "rx1"],
    ["wx1wy1", "rx1ry1", "rx1wx2wy2", "rx2ry2"],
]


@pytest.mark.parametrize("specs", CLEAN)
def test_serial_histories_pass_strict_serializability(specs) -> None:
    result = elle.check(history(*specs, sequential=True), ["strict-serializable"])
    assert result["valid?"] is True, result


def atomic_history(seed: int, n: int = 400, procs: int = 6) -> list[dict]:
    """Processes running txns that each take effect atomically somewhere between their
    invocation and completion: strict serializable by construction."""
    rng = random.Random(seed)
    gen = TxnGenerator(rng, key_count=4, max_txn_length=4, max_writes_per_key=8)
    store: dict = {}
    ops: list[dict] = []
    running: dict[int, tuple] = {}  # process -> (txn, executed result or None)
    started = 0

    def add(op: dict) -> None:
        op["index"] = len(ops)
        op["time"] = len(ops)
        ops.append(op)

    while started < n or running:
        p = rng.randrange(procs)
        if p not in running:
            if started < n:
                txn = gen.txn()
                add({"type": "invoke", "process": p, "f": "txn", "value": txn})
                running[p] = (txn, None)
                started += 1
        elif running[p][1] is None:
            out = []
            for f, k, v in running[p][0]:
                if f == "r":
                    out.append([f, k, store.get(k)])
                else:
                    store[k] = v
                    out.append([f, k, v])
            running[p] = (running[p][0], out)
        else:
            add({"type": "ok", "process": p, "f": "txn", "value": running.pop(p)[1]})
    return ops


@pytest.mark.parametrize("seed", range(5))
def test_atomic_executions_are_never_flagged(seed) -> None:
    result = elle.check(atomic_history(seed), ["strict-serializable"])
    assert result["valid?"] is True, result.get("anomaly-types")


def test_a_stale_read_in_an_atomic_history_is_caught() -> None:
    h = atomic_history(7)
    # Make one read return the initial nil although its key had been written before.
    written = set()
    for op in h:
        if op["type"] == "ok":
            for i, (f, k, v) in enumerate(op["value"]):
                if f == "r" and k in written and v is not None:
                    op["value"][i] = [f, k, None]
                    assert elle.check(h, ["strict-serializable"])["valid?"] is False
                    return
                if f == "w":
                    written.add(k)
    raise AssertionError("no read to corrupt")


def test_one_rw_edge_is_g_single_item_and_rules_repeatable_read_out() -> None:
    # Elle 0.2.2 (txn.clj cycle-explainer): no predicate reads, so :G-single-item, whose
    # finding makes the PL-2.99-cycle-exists case redundant.
    result = elle.check(history("wx1wy1", "rx_ry1"), ["repeatable-read"])
    assert result["valid?"] is False and result["anomaly-types"] == ["G-single-item"]
    assert "repeatable-read" in result["not"]
