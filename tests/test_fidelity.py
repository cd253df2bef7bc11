"""Issue 11: each place the workbench was laxer (or stricter) than Maelstrom, as a history or a
schema. Every verdict named here was confirmed by running real Maelstrom (jepsen-io/maelstrom
cb7f072 on jepsen 0.3.7 and Elle 0.2.2) on the matching node in tests/nodes/fidelity/; the
end-to-end runs of those nodes are in tests/e2e/test_fidelity_e2e.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from elle.txn_builders import history

from workbench import elle
from workbench.checkers import kafka as kafka_checker
from workbench.checkers.compose import UNKNOWN, guarded
from workbench.checkers.set_full import check_set_full
from workbench.client import MalformedReply
from workbench.edn import Keyword
from workbench.elle import cycles
from workbench.elle.graph import SearchTimeout
from workbench.elle.rw_register import AnalysisError, jvm_class
from workbench.services import kv_step
from workbench.workloads import broadcast, kafka, txn_rw_register

R, W = Keyword("r"), Keyword("w")


def txn_ops(*pairs: tuple[list, list | None, str]) -> list[dict]:
    """Sequential txn ops: (invocation value, completion value, completion type)."""
    ops: list[dict] = []
    for p, (inv, done, kind) in enumerate(pairs):
        ops.append({"index": len(ops), "time": len(ops), "type": "invoke", "process": p,
                    "f": "txn", "value": inv})
        ops.append({"index": len(ops), "time": len(ops), "type": kind, "process": p,
                    "f": "txn", "value": done})
    return ops


def wrapper(ops: list[dict], models: list[str], budget: float = 1.0) -> dict:
    opts = SimpleNamespace(consistency_models=models)
    return guarded(lambda: txn_rw_register.check(opts, ops, budget))


# ---- item 4: Elle's type sanity counts invocations ------------------------------------------


def test_keys_of_another_type_than_the_invocations_make_the_analysis_unknown() -> None:
    # tests/nodes/fidelity/txn_str_keys.py: Maelstrom exits 2, "History includes a mix of
    # different types for transaction keys: (java.lang.Long java.lang.String)".
    ops = txn_ops(([[W, 1, 1]], [[W, "1", 1]], "ok"), ([[R, 1, None]], [[R, "1", 1]], "ok"))
    with pytest.raises(AnalysisError, match="mix of different types for transaction keys"):
        elle.check(ops, ["serializable"])
    assert wrapper(ops, ["serializable"])["valid?"] == UNKNOWN


def test_type_sanity_uses_jvm_classes() -> None:
    assert jvm_class(3) == jvm_class(-5) == "java.lang.Long"
    assert len({jvm_class(x) for x in (3, 3.0, "3", True, None, 2**63, [3])}) == 7
    same = txn_ops(([[W, 1, 1]], [[W, 1, 1]], "ok"), ([[R, 1, None]], [[R, 1, 1]], "ok"))
    assert wrapper(same, ["serializable"])["valid?"] is True
    floats = txn_ops(([[W, 1, 1]], [[W, 1.0, 1]], "ok"), ([[R, 1, None]], [[R, 1, 1]], "ok"))
    assert wrapper(floats, ["serializable"])["valid?"] == UNKNOWN


# ---- item 5: an empty transaction graph means no edges --------------------------------------


def test_ok_txns_with_no_dependencies_are_an_empty_graph() -> None:
    # tests/nodes/fidelity/txn_empty.py under --consistency-models serializable: Maelstrom
    # exits 1, :anomaly-types (:empty-transaction-graph), with 29 ok txns.
    ops = txn_ops(([[R, 1, None]], [], "ok"), ([[W, 2, 1]], [], "ok"))
    result = wrapper(ops, ["serializable"])
    assert result["valid?"] is False
    assert result["anomaly-types"] == [Keyword("empty-transaction-graph")]
    # Independent txns on different keys: vertices but no edge.
    ops = txn_ops(([[W, 1, 1]], [[W, 1, 1]], "ok"), ([[W, 2, 1]], [[W, 2, 1]], "ok"))
    assert wrapper(ops, ["serializable"])["valid?"] is False


def test_realtime_edges_reach_failed_and_crashed_txns_under_strict_models() -> None:
    # Elle's realtime graph links an ok completion to every later invocation's completion,
    # :info and :fail included, so one ok before a crashed txn is not an empty graph.
    ops = txn_ops(([[W, 1, 1]], [[W, 1, 1]], "ok"), ([[W, 2, 1]], [[W, 2, 1]], "info"))
    assert wrapper(ops, ["strict-serializable"])["valid?"] is True
    assert wrapper(ops, ["serializable"])["valid?"] is False
    # Sequential ok txns: realtime edges between them.
    ops = txn_ops(([[W, 1, 1]], [[W, 1, 1]], "ok"), ([[W, 2, 1]], [[W, 2, 1]], "ok"))
    assert wrapper(ops, ["strict-serializable"])["valid?"] is True


# ---- item 6: a search that gives up never passes a cycle ------------------------------------


@pytest.fixture
def searches_time_out(monkeypatch: pytest.MonkeyPatch) -> None:
    def give_up(*args: object, **kwargs: object) -> None:
        raise SearchTimeout()
    monkeypatch.setattr(cycles, "find_path", give_up)


@pytest.mark.parametrize("models, specs, kind", [
    (["read-committed"], ["wx1ry1", "wy1rx1"], "PL-2-cycle-exists"),  # a G1c
    (["read-uncommitted"], ["ry2wy1wx1", "rx1wx2wy2"], "PL-1-cycle-exists"),  # a G0
    (["snapshot-isolation"], ["wx1wy1", "rx_ry1"], "PL-SI-cycle-exists"),  # a G-single
    (["serializable"], ["ry_wx1", "rx_wy1"], "PL-2.99-cycle-exists"),  # a G2-item
])
def test_a_timed_out_search_still_finds_the_cycle_exactly(searches_time_out, models, specs,
                                                          kind) -> None:
    result = wrapper(history(*specs), models)
    assert result["valid?"] is False
    assert Keyword(kind) in result["anomaly-types"]


def test_a_timed_out_search_no_exact_check_covers_is_unknown(searches_time_out) -> None:
    # consistent-view proscribes G-single but has no cycle-exists subgraph of its own.
    result = wrapper(history("ry_wx1", "rx_wy1"), ["consistent-view"])  # only a G2-item
    assert result["valid?"] == UNKNOWN
    assert Keyword("G-single") in result["undecided-cycle-search"]


def test_cycle_exists_is_redundant_once_a_named_cycle_rules_the_model_out() -> None:
    result = elle.check(history("wx1ry1", "wy1rx1"), ["read-committed"])
    assert result["anomaly-types"] == ["G1c"]


def test_no_cycle_no_timeout_is_still_valid(searches_time_out) -> None:
    assert wrapper(history("wx1", "rx1", "ry_"), ["serializable"])["valid?"] is True


# ---- item 2: null where Maelstrom's schemas accept nil --------------------------------------


def test_broadcast_read_of_null_is_an_ok_empty_read() -> None:
    # tests/nodes/fidelity/broadcast_null.py always: Maelstrom records {:type :ok, :f :read,
    # :value nil} and its set-full checker reports every value lost (exit 1).
    broadcast.READ_OK.check({"type": "read_ok", "messages": None, "in_reply_to": 1})
    with pytest.raises(MalformedReply):
        broadcast.READ_OK.check({"type": "read_ok", "messages": 3, "in_reply_to": 1})
    ops = [{"index": 0, "type": "invoke", "process": 0, "f": "add", "value": 1, "time": 0},
           {"index": 1, "type": "ok", "process": 0, "f": "add", "value": 1, "time": 1},
           {"index": 2, "type": "invoke", "process": 0, "f": "read", "value": None, "time": 2},
           {"index": 3, "type": "ok", "process": 0, "f": "read", "value": None, "time": 3}]
    result = check_set_full(ops)
    assert result["valid?"] is False and result["lost-count"] == 1


def test_kafka_poll_accepts_null_lists_but_not_a_null_map() -> None:
    # tests/nodes/fidelity/kafka_null.py: Maelstrom records [:poll {"8" nil}] as :ok; with
    # "msgs": null its map schema fails and the poll is :info (both confirmed).
    kafka.POLL_OK.check({"type": "poll_ok", "msgs": {"8": None, "9": [[0, 5]]},
                         "in_reply_to": 1})
    for bad in (None, {"8": [None]}, {"8": [[None, 5]]}):
        with pytest.raises(MalformedReply):
            kafka.POLL_OK.check({"type": "poll_ok", "msgs": bad, "in_reply_to": 1})
    op = {"index": 1, "type": "ok", "process": 0, "f": "poll",
          "value": [[Keyword("poll"), {"8": None, "9": [[0, 5]]}]]}
    assert kafka_checker.op_reads(op) == {"8": [], "9": [(0, 5)]}
    assert kafka.max_offsets(op) == {8: -1, 9: 0}


def test_txn_null_is_an_ok_empty_txn() -> None:
    # tests/nodes/fidelity/txn_empty.py null: Maelstrom records :ok with :value [].
    txn_rw_register.TXN_OK.check({"type": "txn_ok", "txn": None, "in_reply_to": 1})
    for bad in ([None], [["r", 1]], [["x", 1, 2]]):
        with pytest.raises(MalformedReply):
            txn_rw_register.TXN_OK.check({"type": "txn_ok", "txn": bad, "in_reply_to": 1})


# ---- services: create_if_not_exists is tested for Clojure truthiness ------------------------


@pytest.mark.parametrize("flag, creates", [
    (True, True), ("yes", True), (0, True), ("", True), ([], True), ("false", True),
    (False, False), (None, False)])
def test_create_if_not_exists_is_clojure_truthy(flag, creates) -> None:
    # tests/nodes/fidelity/cas_truthy.py "yes" and 0 pass real Maelstrom (exit 0): its
    # service.clj tests (:create_if_not_exists body) with `if`.
    state, reply = kv_step({}, {"type": "cas", "key": "c", "from": 0, "to": 5,
                                "create_if_not_exists": flag})
    assert (reply["type"] == "cas_ok") is creates
    assert (state.get(next(iter(state), None)) == 5) is creates


# ---- item 8: offsets Maelstrom's kafka checker cannot index ---------------------------------


def kafka_sends(offsets: list[int]) -> list[dict]:
    """Sends of 0, 1, ... at `offsets` to key "1", then one poll that reads them all back."""
    ops: list[dict] = []

    def pair(f: str, value: list, done: list) -> None:
        ops.append({"index": len(ops), "time": len(ops), "type": "invoke", "process": 0,
                    "f": f, "value": value})
        ops.append({"index": len(ops), "time": len(ops), "type": "ok", "process": 0,
                    "f": f, "value": done})
    for i, o in enumerate(offsets):
        pair("send", [[Keyword("send"), "1", i]], [[Keyword("send"), "1", [o, i]]])
    polled = [[o, i] for i, o in enumerate(offsets)]
    pair("poll", [[Keyword("poll")]], [[Keyword("poll"), {"1": polled}]])
    return ops


def test_sparse_huge_offsets_keep_the_verdict_but_are_flagged() -> None:
    # tests/nodes/fidelity/kafka_sparse.py: offsets n * 10**8 (1.2e9 slots): Maelstrom's
    # analysis had not finished after 14 minutes in a 4 GB heap; stride 10**7 (5e7 slots)
    # passed after 21 s of analysis, stride 10**6 after 3 s.
    result = kafka_checker.check(None, kafka_sends([0, 10**8, 2 * 10**8]))
    flag = result["not-a-maelstrom-pass"]
    assert result["valid?"] == UNKNOWN and flag["valid-here?"] is True  # exit 2, not 0
    assert "Not a Maelstrom pass" in flag["why"]
    assert flag["offsets"]["1"] == {"max-offset": 2 * 10**8, "distinct-offsets": 3}
    small = kafka_checker.check(None, kafka_sends([0, 1, 2, 4 * 10**7]))
    assert small["valid?"] is True and "not-a-maelstrom-pass" not in small
