"""The kafka checker: for each detector, a history with the anomaly and one without."""

from __future__ import annotations

from typing import Any

from builders import H

from workbench.checkers.compose import UNKNOWN
from workbench.checkers.kafka import check
from workbench.edn import Keyword

SEND, POLL = Keyword("send"), Keyword("poll")


class K(H):
    """Kafka histories: k.send(0, "x", 1, 0) is an invoke and an :ok send of 1 at offset 0."""

    def op(self, type_: str, p: Any, f: str, value: Any, **extra: Any) -> dict:
        return self._add(type_, p, f, value, **extra)

    def send_invoke(self, p: int, k: str, v: int) -> None:
        self.op("invoke", p, "send", [[SEND, k, v]])

    def send_done(self, p: int, k: str, v: int, offset: int | None, type_: str = "ok") -> None:
        value = [[SEND, k, [offset, v]]] if type_ == "ok" else [[SEND, k, v]]
        self.op(type_, p, "send", value)

    def send(self, p: int, k: str, v: int, offset: int | None, type_: str = "ok") -> None:
        self.send_invoke(p, k, v)
        self.send_done(p, k, v, offset, type_)

    def poll_invoke(self, p: int) -> None:
        self.op("invoke", p, "poll", [[POLL]])

    def poll_done(self, p: int, msgs: dict, type_: str = "ok") -> None:
        self.op(type_, p, "poll", [[POLL, msgs]] if type_ == "ok" else [[POLL]])

    def poll(self, p: int, msgs: dict, type_: str = "ok") -> None:
        self.poll_invoke(p)
        self.poll_done(p, msgs, type_)

    def assign(self, p: int, keys: list[str]) -> None:
        self.op("invoke", p, "assign", keys)
        self.op("ok", p, "assign", keys)


def types(result: dict) -> list[str]:
    return [str(t) for t in result["error-types"]]


def written(h: K, k: str = "x", n: int = 3, p: int = 9) -> None:
    for i in range(n):
        h.send(p, k, i + 1, i)


def test_a_clean_history_is_valid() -> None:
    h = K()
    written(h)
    h.poll(0, {"x": [[0, 1], [1, 2]]})
    h.poll(0, {"x": [[2, 3]]})
    r = check(None, h.ops)
    assert r["valid?"] is True and r["error-types"] == [] and r["bad-error-types"] == []
    assert r["info-txn-causes"] == []
    assert set(r["worst-realtime-lag"]) == {"time", "process", "key", "lag"}


def test_inconsistent_offsets() -> None:
    h = K()
    h.send(0, "x", 1, 0)
    h.send(1, "x", 2, 0)
    h.poll(2, {"x": [[0, 1]]})
    h.poll(3, {"x": [[0, 2]]})
    r = check(None, h.ops)
    assert r["valid?"] is False and "inconsistent-offsets" in types(r)
    case = r["inconsistent-offsets"]["errs"][0]
    assert case["key"] == "x" and case["offset"] == 0 and case["values"] == {1, 2}


def test_duplicate() -> None:
    h = K()
    h.send(0, "x", 1, 0)
    h.poll(1, {"x": [[0, 1], [5, 1]]})
    r = check(None, h.ops)
    assert "duplicate" in types(r)
    assert r["duplicate"]["errs"][0] == {"key": "x", "value": 1, "count": 2, "offsets": [0, 5]}


def test_lost_write_and_its_absence() -> None:
    h = K()
    written(h)
    h.poll(0, {"x": [[1, 2], [2, 3]]})  # value 1 at offset 0 is never read
    r = check(None, h.ops)
    assert "lost-write" in types(r) and r["valid?"] is False
    case = r["lost-write"]["errs"][0]
    assert (case["key"], case["value"], case["index"], case["max-read-index"]) == ("x", 1, 0, 2)
    assert case["writer"]["type"] == "ok" and case["max-read"]["f"] == "poll"
    h.poll(1, {"x": [[0, 1]]})  # someone read it after all
    assert "lost-write" not in types(check(None, h.ops))


def test_a_lost_info_send_counts_only_if_some_send_of_it_was_read() -> None:
    h = K()
    h.send(0, "x", 1, None, "info")  # no offset known, never read: not in the log at all
    h.send(1, "x", 2, 1)
    h.poll(2, {"x": [[1, 2]]})
    assert check(None, h.ops)["valid?"] is True


def test_g1a_reading_a_failed_send() -> None:
    h = K()
    h.send(0, "x", 1, None, "fail")
    h.poll(1, {"x": [[0, 1]]})
    r = check(None, h.ops)
    assert "G1a" in types(r)
    assert r["G1a"]["errs"][0]["writer"]["type"] == "fail"
    h2 = K()
    h2.send(0, "x", 1, None, "info")
    h2.poll(1, {"x": [[0, 1]]})
    assert "G1a" not in types(check(None, h2.ops))


def test_internal_poll_skip_and_nonmonotonic() -> None:
    h = K()
    written(h)
    h.poll(0, {"x": [[0, 1], [2, 3]]})
    h.poll(1, {"x": [[1, 2], [0, 1]]})
    h.poll(2, {"x": [[0, 1], [1, 2], [2, 3]]})
    r = check(None, h.ops)
    skip = r["int-poll-skip"]["errs"]
    assert len(skip) == 1 and skip[0]["skipped"] == [2] and skip[0]["delta"] == 2
    nm = r["int-nonmonotonic-poll"]["errs"]
    assert len(nm) == 1 and nm[0]["values"] == [2, 1] and nm[0]["delta"] == -1


def test_poll_skip_between_polls_of_one_process() -> None:
    h = K()
    written(h)
    h.poll(0, {"x": [[0, 1]]})
    h.poll(0, {"x": [[2, 3]]})
    h.poll(1, {"x": [[0, 1], [1, 2], [2, 3]]})
    r = check(None, h.ops)
    assert types(r) == ["poll-skip"]
    case = r["poll-skip"]["errs"][0]
    assert case["delta"] == 2 and case["skipped"] == [2] and len(case["ops"]) == 2


def test_nonmonotonic_poll_and_what_an_assign_forgets() -> None:
    h = K()
    written(h)
    h.poll(0, {"x": [[0, 1], [1, 2]]})
    h.poll(0, {"x": [[1, 2], [2, 3]]})  # re-reads offset 1
    r = check(None, h.ops)
    assert "nonmonotonic-poll" in types(r)
    assert r["nonmonotonic-poll"]["errs"][0]["values"] == [2, 2]
    h = K()
    written(h)
    h.poll(0, {"x": [[0, 1], [1, 2]]})
    h.assign(0, ["y"])  # forgets x
    h.assign(0, ["x", "y"])
    h.poll(0, {"x": [[1, 2], [2, 3]]})
    h.assign(0, ["x"])  # keeps x: the next poll must continue after 3
    h.poll(0, {"x": [[0, 1]]})
    r = check(None, h.ops)
    assert [c["values"] for c in r["nonmonotonic-poll"]["errs"]] == [[3, 1]]


def test_nonmonotonic_send_within_a_process() -> None:
    h = K()
    h.send(0, "x", 1, 5)
    h.send(0, "x", 2, 3)
    h.poll(1, {"x": [[3, 2], [5, 1]]})
    r = check(None, h.ops)
    assert "nonmonotonic-send" in types(r)
    assert r["nonmonotonic-send"]["errs"][0]["values"] == [1, 2]
    h = K()
    h.send(0, "x", 1, 3)
    h.send(1, "x", 2, 1)  # another process may land lower
    h.poll(2, {"x": [[1, 2], [3, 1]]})
    assert check(None, h.ops)["valid?"] is True


def test_unseen_sends() -> None:
    h = K()
    written(h, n=3)
    h.poll(0, {"x": [[0, 1]]})
    r = check(None, h.ops)
    assert types(r) == ["unseen"] and r["valid?"] is False
    assert r["unseen"]["unseen"] == {"x": 2} and r["unseen"]["messages"] == {"x": [2, 3]}
    assert r["unseen"]["time"] == h.ops[-1]["time"]
    h.poll(0, {"x": [[1, 2], [2, 3]]})
    assert check(None, h.ops)["valid?"] is True


def test_unseen_is_bug_compatible_for_a_key_first_read_by_the_last_op() -> None:
    h = K()
    h.send(0, "x", 1, None, "info")
    h.poll(1, {"x": [[0, 1]]})  # the only op that ever mentions x with an :ok
    r = check(None, h.ops)
    assert r["unseen"]["unseen"] == {"x": 1}  # Jepsen's merge-with keeps the polled set
    h.poll(2, {"x": [[0, 1]]})
    assert "unseen" not in types(check(None, h.ops))


def test_g1c_realtime_a_poll_that_read_the_future() -> None:
    h = K()
    h.send(0, "x", 1, 0)
    h.poll(1, {"x": [[0, 1], [1, 2]]})  # reads 2 before anybody sent it
    h.send(2, "x", 2, 1)
    r = check(None, h.ops)
    assert {"G1c-realtime", "strong-PL-2-cycle-exists"} <= set(types(r))
    cycle = r["G1c-realtime"]["errs"][0]
    assert [op["f"] for op in cycle["cycle"]] == ["send", "poll", "send"]
    assert [s["type"] for s in cycle["steps"]] == ["wr", "realtime"]
    scc = r["strong-PL-2-cycle-exists"]["errs"][0]
    assert scc["scc-size"] == 2 and scc["not"] == "strong-read-committed"


def test_no_cycle_when_the_send_was_concurrent_with_the_poll() -> None:
    h = K()
    h.send_invoke(2, "x", 1)
    h.poll(1, {"x": [[0, 1]]})
    h.send_done(2, "x", 1, 0)
    assert check(None, h.ops)["valid?"] is True


def test_a_longer_realtime_cycle_lands_in_one_component() -> None:
    h = K()
    h.send(0, "x", 1, 0)
    h.poll_invoke(1)
    h.poll_invoke(3)
    h.poll_done(1, {"y": [[0, 10]]})  # y's 10 is sent later
    h.poll_done(3, {"x": [[0, 1], [1, 2]]})  # x's 2 as well
    h.send(2, "y", 10, 0)
    h.send(4, "x", 2, 1)
    r = check(None, h.ops)
    assert r["G1c-realtime"]["count"] == 1
    assert r["strong-PL-2-cycle-exists"]["errs"][0]["scc-size"] == 4  # not the first send


def test_worst_realtime_lag() -> None:
    h = K()
    h.assign(0, ["x"])
    h.send(1, "x", 1, 0)
    sent_at = h.ops[-1]["time"]
    h.poll(0, {})  # saw nothing while offset 0 existed
    lag = check(None, h.ops)["worst-realtime-lag"]
    assert lag["key"] == "x" and lag["process"] == 0
    assert lag["lag"] == (h.ops[-2]["time"] - sent_at) / 1e9
    assert check(None, K().ops)["worst-realtime-lag"] == {"time": 0.0, "lag": 0.0}


def test_huge_sparse_offsets_cost_nothing_special() -> None:
    h = K()
    base = 10 ** 15
    for i in range(200):
        h.send(0, "x", i, base + 1000 * i)
    h.poll(1, {"x": [[base + 1000 * i, i] for i in range(200)]})
    r = check(None, h.ops)
    # No anomaly, but Maelstrom's checker cannot index such offsets: flagged, :unknown.
    assert r["valid?"] == UNKNOWN and r["not-a-maelstrom-pass"]["valid-here?"] is True
    h.poll(1, {"x": [[base, 0], [base + 2000, 2]]})
    assert check(None, h.ops)["int-poll-skip"]["errs"][0]["skipped"] == [1]


def test_where_maelstrom_throws_the_result_is_unknown() -> None:
    h = K()
    h.poll(0, {"x": [[0, 42]]})  # nobody ever sent 42
    r = check(None, h.ops)
    assert r["valid?"] is UNKNOWN and r["error"]["type"] == "no-writer-of-value"
    h = K()
    h.send(0, "x", 1, 0)
    h.poll(1, {"y": []})  # y only ever polled empty: Maelstrom's lost-write step throws
    h.poll(1, {"x": [[0, 1]]})
    assert check(None, h.ops)["valid?"] is UNKNOWN


def test_condensed_skips_keep_the_eight_largest() -> None:
    h = K()
    for i in range(40):
        h.send(9, "x", i, i)
    for d in range(2, 14):  # twelve poll-skips with deltas 2..13
        h.poll(d, {"x": [[0, 0]]})
        h.poll(d, {"x": [[d, d]] + [[j, j] for j in range(d + 1, 40)]})
    h.poll(99, {"x": [[i, i] for i in range(40)]})
    r = check(None, h.ops)
    assert r["poll-skip"]["count"] == 12
    assert [c["delta"] for c in r["poll-skip"]["errs"]] == list(range(6, 14))
    assert r["bad-error-types"] == ["poll-skip"]


def test_info_txn_causes_are_distinct_errors() -> None:
    h = K()
    h.send_invoke(0, "x", 1)
    h.op("info", 0, "send", [[SEND, "x", 1]], error=Keyword("net-timeout"))
    h.send_invoke(4, "x", 2)
    h.op("info", 4, "send", [[SEND, "x", 2]], error=Keyword("net-timeout"))
    assert check(None, h.ops)["info-txn-causes"] == ["net-timeout"]


def test_internal_sends_and_precommitted_reads_in_txn_ops() -> None:
    h = K()
    h.send(0, "x", 1, 0)
    h.send(0, "x", 2, 1)
    h.op("invoke", 1, "txn", [[SEND, "x", 3], [SEND, "y", 9], [SEND, "x", 4]])
    h.op("ok", 1, "txn", [[SEND, "x", [4, 3]], [SEND, "y", [0, 9]], [SEND, "x", [2, 4]]])
    h.poll(2, {"x": [[0, 1], [1, 2], [2, 4], [4, 3]], "y": [[0, 9]]})
    r = check(None, h.ops)
    assert r["int-nonmonotonic-send"]["errs"][0]["values"] == [3, 4]
    assert "int-send-skip" not in types(r) and "precommitted-read" not in types(r)
    h.op("invoke", 3, "txn", [[SEND, "z", 5], [POLL]])
    h.op("ok", 3, "txn", [[SEND, "z", [0, 5]], [POLL, {"z": [[0, 5]]}]])
    h.op("invoke", 4, "txn", [[SEND, "x", 10], [SEND, "x", 11]])
    h.op("ok", 4, "txn", [[SEND, "x", [5, 10]], [SEND, "x", [7, 11]]])
    h.poll(2, {"x": [[5, 10], [6, 2], [7, 11]]})
    r = check(None, h.ops)
    assert r["precommitted-read"]["errs"][0]["value"] == 5
    assert r["int-send-skip"]["errs"][0]["skipped"] == [2]
    assert "int-send-skip" not in [str(t) for t in r["bad-error-types"]]  # allowed


def test_an_empty_transaction_graph_is_reported_as_elle_does() -> None:
    h = K()
    h.send_invoke(0, "x", 1)
    h.send_done(0, "x", 1, None, "info")
    h.poll(1, {}, "fail")
    r = check(None, h.ops)
    assert r["valid?"] is False and r["empty-transaction-graph"] == {"count": 1, "errs": True}
    h.send(2, "x", 2, 0)
    h.poll(3, {"x": [[0, 2]]})
    assert check(None, h.ops)["valid?"] is True
