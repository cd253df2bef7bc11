"""workbench.elle.list_append: each anomaly type on a history that has it and on one that
does not, the version order from reads, the result map, the unknown cases, the files."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.elle import append_text, cycles, list_append
from workbench.elle.append_graph import (
    INIT,
    RW,
    WR,
    WW,
    append_index,
    dependencies,
    parse,
    previously_appended,
    sorted_values,
)
from workbench.elle.graph import SearchTimeout
from workbench.report import results
from workbench.validity import UNKNOWN

from .txn_builders import append_txn, history


def H(*specs, sequential: bool = False) -> list[dict]:
    return history(*specs, sequential=sequential, parse=append_txn)


def types(result: dict) -> set[str]:
    return {str(t) for t in result.get("anomaly-types", [])}


# (anomaly, history with it, history without it); concurrent unless marked sequential.
CASES = [
    ("G1a", [("ax1", "fail"), "rx1"], [("ax1", "fail"), "rx_"]),
    ("G1b", ["ax1ax2", "rx1"], ["ax1ax2", "rx1.2"]),
    ("internal", ["ax1", "rx1ax2rx1"], ["ax1", "rx1ax2rx1.2"]),
    ("internal", ["ax1rx-"], ["ax1rx3.1"]),
    ("future-read", ["ax2", "rx2.1ax1"], ["ax2", "rx2ax1"]),
    ("dirty-update", [("ax1", "fail"), "ax2", "rx1.2"], [("ax1", "info"), "ax2", "rx1.2"]),
    ("duplicate-elements", ["ax1", "rx1.1"], ["ax1", "rx1"]),
    ("incompatible-order", ["ax1", "ax2", "rx1", "rx2"], ["ax1", "ax2", "rx1", "rx1.2"]),
    ("lost-update", ["rx-ax1", "rx-ax2"], ["rx-ax1", "rx1ax2"]),
    ("G0", ["ax1ay2", "ax2ay1", "rx1.2", "ry1.2"], ["ax1ay1", "ax2ay2", "rx1.2", "ry1.2"]),
    ("G1c", ["ax1ry1", "ay1ax2", "rx1.2"], ["ax1", "ay1ax2", "rx1.2", "ry1"]),
    ("G-single-item", ["ax1ay1", "rx-ry1"], ["ax1ay1", "rx1ry1"]),
    ("G-nonadjacent-item", ["ax1", "rx1ry-", "ay1", "ry1rx-"], ["ax1", "rx1ry1", "ay1", "ry1rx1"]),
    ("G2-item", ["ax1ry-", "ay1rx-"], ["ax1ry-", "ay1rx1"]),
]


@pytest.mark.parametrize("anomaly, bad, good", CASES, ids=[c[0] for c in CASES])
def test_anomaly_found_and_absent(anomaly: str, bad: list, good: list) -> None:
    found = list_append.check(H(*bad))
    assert anomaly in types(found), found
    assert found["valid?"] is False
    assert "explanation" not in found["anomalies"][anomaly][0]
    written = results.to_edn({"workload": found}, append_text.case_text)["workload"]
    case = written["anomalies"][anomaly][0]
    assert case["explanation"].startswith(anomaly.split("-")[0])
    assert anomaly not in types(list_append.check(H(*good)))


@pytest.mark.parametrize("bad, good", [
    (["ax1", "rx-"], ["ax1", "rx1"]),            # stale read after the append completed
    (["ax1ay1", "rx1", "ry-"], ["ax1ay1", "rx1", "ry1"]),
])
def test_realtime_variants(bad: list, good: list) -> None:
    found = list_append.check(H(*bad, sequential=True))
    assert any(t.endswith("-realtime") for t in types(found)), found
    assert list_append.check(H(*good, sequential=True)) == {"valid?": True}
    # without real-time order, the same history is serializable
    assert list_append.check(H(*bad, sequential=True), ["serializable"]) == {"valid?": True}


def test_process_variant_under_strong_session_models() -> None:
    bad = H(("ax1", "ok", 0), ("rx-", "ok", 0), sequential=True)
    found = list_append.check(bad, ["strong-session-serializable"])
    assert "G-single-item-process" in types(found)
    other = H(("ax1", "ok", 0), ("rx-", "ok", 1), sequential=True)
    assert list_append.check(other, ["strong-session-serializable"]) == {"valid?": True}


def test_models_decide_what_is_invalid() -> None:
    skew = H("ax1ry-", "ay1rx-")
    assert list_append.check(skew, ["snapshot-isolation"]) == {"valid?": True}
    read_skew = H("ax1ay1", "rx-ry1")
    assert list_append.check(read_skew, ["read-committed"]) == {"valid?": True}
    result = list_append.check(read_skew, ["serializable"])
    assert result["valid?"] is False and "consistent-view" in result["not"]


def test_empty_graph_and_timeouts_are_unknown() -> None:
    assert list_append.check(H("ax1"))["valid?"] == UNKNOWN
    assert "empty-transaction-graph" in types(list_append.check(H("ax1")))
    slow = list_append.check(H("ax1ry-", "ay1rx-"), budget=-1.0)
    assert "cycle-search-timeout" in types(slow)


@pytest.mark.parametrize("specs, kind", [
    (["ax1", "ax1"], "duplicate-appends"),
    (["rx3"], "no-writer"),
])
def test_histories_elle_refuses_are_unknown(specs: list, kind: str) -> None:
    result = list_append.check(H(*specs))
    assert result["valid?"] == UNKNOWN and result["error"]["type"] == kind


def test_unexpected_micro_ops_are_unknown() -> None:
    h = H("ax1")
    h[1]["value"] = [["w", "x", 1]]
    result = list_append.check(h)
    assert result["valid?"] == UNKNOWN
    assert result["error"]["type"] == "unexpected-txn-micro-op-types"


def test_version_order_is_the_longest_read() -> None:
    txns = parse(H("ax1", "ax2", "ax3", "ax4", "rx1", "rx1.2.3"))
    index = append_index(sorted_values(txns, single_appends=True))
    assert index.values["x"] == [1, 2, 3]
    assert previously_appended(index, "x", 1) is INIT
    assert previously_appended(index, "x", 3) == 2
    assert previously_appended(index, "x", 4) == 3  # never read: after the last one read
    assert append_index(sorted_values(parse(H("ay7")), True)).values["y"] == [7]


def test_edges_and_reasons() -> None:
    h = H("ax1", "ax2", "rx1.2", "rx-")
    txns = parse(h)
    index = append_index(sorted_values(txns, single_appends=True))
    deps = dependencies(txns, index, None, h)
    a1, a2, r12, r0 = (t.id for t in txns)
    assert deps.graph.tags(a1, a2) == WW and deps.graph.tags(a2, r12) == WR
    assert deps.graph.tags(r0, a1) == RW and deps.graph.tags(a1, r12) == 0
    assert deps.explain(a1, a2, WW) == {"type": "ww", "key": "x", "value": 1, "value'": 2}
    assert deps.explain(r0, a1, RW)["value"] is None


def test_info_txns_are_in_the_graph_but_not_their_nil_reads() -> None:
    h = H(("ax1ry_", "info"), "rx1ay1", "rx-")
    txns = parse(h)
    deps = dependencies(txns, append_index(sorted_values(txns, True)), None, h)
    info, reader, empty = (t.id for t in txns)
    assert deps.graph.tags(info, reader) == WR and deps.graph.tags(empty, info) == RW
    assert deps.graph.tags(info, reader) & RW == 0


def test_anomaly_files(tmp_path: Path) -> None:
    result = list_append.check(H("ax1ry-", "ay1rx-", "rx-ax2", "rx-ax3"))
    written = results.write_anomaly_files(tmp_path / "elle", result, append_text.case_text)
    names = sorted(p.name for p in written)
    assert names == ["G2-item.txt", "lost-update.txt"]
    text = (tmp_path / "elle" / "G2-item.txt").read_text()
    assert text.startswith("G2-item #0\nG2-item: a cycle") and "a contradiction!" in text
    assert "T1 = {:index" in text and ":value [[:append" in text  # ops as in results.edn
    assert results.write_anomaly_files(tmp_path / "none", {"valid?": True},
                                       append_text.case_text) == []


def test_realtime_edges_reach_info_txns() -> None:
    """Elle links a completed :ok txn to every later invocation, :info ones included: here
    T1 read an element that T2, invoked only after T1 completed, appended."""
    h = H("ay1", "rx1ry1", ("ax1", "info"), sequential=True)
    found = list_append.check(h)
    assert "G1c-realtime" in types(found), found


def test_one_rw_edge_is_g_single_item_which_repeatable_read_prohibits() -> None:
    # Elle 0.2.2's txn.clj cycle-explainer names a cycle with one rw edge :G-single-item
    # unless that edge comes from a predicate read (none in list-append); repeatable-read
    # proscribes G-single-item, so a read skew fails it, as in Maelstrom.
    found = list_append.check(H("ax1ay1", "rx-ry1"), ["repeatable-read"])
    assert found["valid?"] is False and types(found) == {"G-single-item"}
    assert "repeatable-read" in found["not"]


def test_cycle_exists_decides_what_a_timed_out_search_could_not(monkeypatch) -> None:
    # As Elle's txn.clj cycle-cases-in-scc: each component's cycle-exists cases are found
    # exactly (Tarjan, no budget), so a G1c is still caught when every named search times out.
    def give_up(*args: object, **kwargs: object) -> None:
        raise SearchTimeout()
    monkeypatch.setattr(cycles, "find_path", give_up)
    found = list_append.check(H("ax1ry1", "ay1ax2", "rx1.2"), ["read-committed"])
    assert found["valid?"] is False
    assert types(found) == {"PL-2-cycle-exists", "cycle-search-timeout"}


def test_cycle_exists_is_dropped_once_a_named_cycle_rules_its_model_out() -> None:
    found = list_append.check(H("ax1ry1", "ay1ax2", "rx1.2"), ["read-committed"])
    assert types(found) == {"G1c"}
