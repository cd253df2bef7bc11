"""report.ops: partition periods from nemesis ops, completed ops, printable values."""

from __future__ import annotations

from report_helpers import NS, history

from workbench.edn import Keyword
from workbench.report.ops import completed, fault_periods, node_periods, partition_periods, text


def _nemesis(t: float, f: str) -> dict:
    return {"index": 0, "time": int(t * NS), "type": "info", "process": "nemesis", "f": f,
            "value": None}


def test_periods_run_from_first_start_to_last_stop_op() -> None:
    ops = [_nemesis(1.0, "start-partition"), _nemesis(1.1, "start-partition"),
           _nemesis(3.0, "stop-partition"), _nemesis(3.1, "stop-partition"),
           _nemesis(5.0, "start-partition"), _nemesis(5.1, "start-partition"),
           _nemesis(6.0, "stop-partition"), _nemesis(6.2, "stop-partition")]
    assert partition_periods(ops) == [(1.0, 3.1), (5.0, 6.2)]


def test_a_later_stop_such_as_the_final_heal_does_not_stretch_the_period() -> None:
    ops = [_nemesis(0.2, "start-partition"), _nemesis(0.3, "start-partition"),
           _nemesis(12.0, "stop-partition"), _nemesis(12.1, "stop-partition"),
           _nemesis(20.2, "stop-partition"), _nemesis(20.3, "stop-partition")]
    assert partition_periods(ops) == [(0.2, 12.1)]


def test_a_partition_never_stopped_lasts_to_the_end() -> None:
    ops = [_nemesis(2.0, "start-partition"), _nemesis(2.5, "start-partition"),
           {"index": 2, "time": 9 * NS, "type": "ok", "process": 0, "f": "read", "value": 1}]
    assert partition_periods(ops) == [(2.0, 9.0)]
    assert partition_periods(ops, end=12.0) == [(2.0, 12.0)]


def test_no_nemesis_ops_no_periods() -> None:
    assert partition_periods(history(partitions=())) == []
    assert partition_periods([]) == []


def test_completed_pairs_invocations_with_completions() -> None:
    ops = history(n=30)
    done = completed(ops)
    assert len(done) == 30
    assert {d.type for d in done} == {"ok", "fail", "info"}
    assert all(d.end >= d.start and d.latency >= 0 for d in done)
    assert done == sorted(done, key=lambda d: d.start) or len({d.start for d in done}) == 30


def test_text_prints_any_value_and_stays_xml_safe() -> None:
    assert text({"k": [1, None]}) == "{:k [1 nil]}"
    assert text(Keyword("ok")) == ":ok"
    assert text(object()).startswith("<object")
    long = text("x" * 500, 50)
    assert len(long) == 50 and long.endswith("…")
    assert "\x01" not in text("bad \x01 char")


def test_kill_and_pause_periods_run_from_the_strike_to_the_recovery() -> None:
    def nem(t: float, f: str, value: object) -> dict:
        return {"time": int(t * 1e9), "process": "nemesis", "type": "info", "f": f,
                "value": value}
    history = [nem(1, "kill", None), nem(1, "kill", {"n1": "killed"}),
               nem(2, "pause", "one"), nem(2, "pause", {}),  # paused nobody: no period
               nem(3, "start", "all"), nem(3, "start", {"n0": "already-running",
                                                         "n1": "started"}),
               nem(4, "pause", "all"), nem(4, "pause", {"n0": "paused", "n1": "paused"}),
               nem(5, "start-partition", "one"), nem(5, "start-partition", ["isolated", {}])]
    assert sorted(fault_periods(history, end=9.0)) == [
        (1.0, 3.0, "kill"), (4.0, 9.0, "pause"), (5.0, 9.0, "partition")]


def test_node_periods_follow_each_killed_or_paused_node() -> None:
    def nem(t: float, f: str, value: object) -> dict:
        return {"time": int(t * 1e9), "process": "nemesis", "type": "info", "f": f,
                "value": value}
    history = [nem(1, "kill", "one"), nem(1, "kill", {"n1": "killed"}),
               nem(2, "pause", "all"), nem(2, "pause", {"n0": "paused", "n1": "not-running"}),
               nem(3, "start", "all"), nem(3, "start", {"n0": "already-running",
                                                         "n1": "started"})]
    assert node_periods(history, end=9.0) == {"n1": [(1.0, 3.0, "kill")],
                                              "n0": [(2.0, 9.0, "pause")]}
