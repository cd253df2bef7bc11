"""workbench.elle.explain: the words a student reads, rendered apart from the data by the
results writer (workbench.report.results)."""

from __future__ import annotations

from workbench import elle
from workbench.elle.explain import case_text, step_text
from workbench.report import results

from .txn_builders import history


def explanation(specs, models, kind, sequential=False) -> str:
    result = elle.check(history(*specs, sequential=sequential), models)
    assert "explanation" not in result["anomalies"][kind][0]
    written = results.to_edn({"workload": result}, case_text)["workload"]
    return written["anomalies"][kind][0]["explanation"]


def test_g1c_cycle_text() -> None:
    text = explanation(["wx1ry1", "wy1rx1"], ["read-committed"], "G1c")
    lines = text.splitlines()
    assert lines[0].startswith("G1c: a cycle of 2 transactions")
    assert lines[2].startswith("  T1 = {:index") and ":value [[:w" in lines[2]
    assert "T1 < T2, because T1 wrote key" in text and "and T2 read that value." in text
    assert lines[-1].startswith("  - However, T2 < T1") and lines[-1].endswith("contradiction!")


def test_rw_and_realtime_steps() -> None:
    text = explanation([("wx1", "ok", 0), ("rx_", "ok", 1)], ["strict-serializable"],
                       "G-single-item-realtime", sequential=True)
    assert "read key \"x\" as nil, before any write" in text
    assert "completed (history index" in text and "was invoked" in text


def test_ww_and_process_steps() -> None:
    ww = step_text({"type": "ww", "key": 3, "value": 1, "value'": 2}, "T1", "T2")
    assert ww.startswith("T1 < T2, because T1 wrote key 3 = 1, T2 wrote 2")
    assert "process 4 performed T1 and then T2" in step_text(
        {"type": "process", "process": 4}, "T1", "T2")


def test_non_cycle_texts() -> None:
    assert "aborted read" in explanation([("wx1", "fail"), "rx1"], ["read-committed"], "G1a")
    assert "intermediate read" in explanation(["wx1wx2", "rx1"], ["read-committed"], "G1b")
    assert "should have returned 1" in explanation(["wx1rx2"], ["read-atomic"], "internal")
    assert "2 transactions read key \"x\" = nil" in explanation(
        ["rx_wx1", "rx_wx2"], ["snapshot-isolation"], "lost-update")
    assert "loops among values" in case_text(
        "cyclic-versions", {"key": 1, "scc": [1, 2], "sources": []})
