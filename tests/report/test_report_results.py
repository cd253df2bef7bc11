"""The one results writer: plain result data to results.edn (keywords where Maelstrom writes
them, ops in history order, explanations rendered beside anomaly cases) and to its JSON twin,
and reading either back as plain data."""

from __future__ import annotations

import json
from pathlib import Path

from workbench import edn
from workbench.report import results

OP = {"index": 3, "time": 7, "type": "ok", "process": 0, "f": "txn", "_internal": 1,
      "value": [[edn.Keyword("r"), 1, None]]}


def _result() -> dict:
    return {
        "perf": {"valid?": True, "latency-quantiles": {0.5: 1.5, 1: 3.0}},
        "exceptions": {"valid?": True, "exceptions": [
            {"count": 1, "class": "X", "example": {"index": 1, "type": "info", "process": 0,
                                                  "f": "read"}}]},
        "workload": {"valid?": "unknown", "anomaly-types": ["G1a"],
                     "anomalies": {"G1a": [{"op": OP, "mop": ["r", 1, 2], "writer": OP}]},
                     "not": {"read-committed"}, "prefix": [..., 1]},
        "valid?": "unknown",
    }


def test_edn_spells_keywords_ops_and_unknown_as_maelstrom() -> None:
    text = edn.dumps(results.to_edn(_result()))
    assert results.edn_text(_result()) == edn.pretty(results.to_edn(_result())) + "\n"
    assert text.endswith(":valid? :unknown}") and ":anomaly-types [:G1a]" in text
    assert ":mop [:r 1 2]" in text and ":not #{:read-committed}" in text
    assert "{:index 3, :time 7, :type :ok, :process 0, :f :txn, :value [[:r 1 nil]]}" in text
    assert "_internal" not in text and ":prefix [... 1]" in text
    # the sections other than the workload's are written as they are (an example op too)
    assert ':example {:index 1, :type "info"' in text


def test_explanations_are_rendered_beside_each_case_not_kept_in_the_data() -> None:
    data = _result()
    seen = []

    def explain(kind: str, case: dict) -> str:
        seen.append(case["mop"])
        return f"{kind} in words"

    written = results.to_edn(data, explain)
    assert written["workload"]["anomalies"]["G1a"][0]["explanation"] == "G1a in words"
    assert seen == [[edn.Keyword("r"), 1, 2]]  # the renderer sees the case as written
    assert "explanation" not in data["workload"]["anomalies"]["G1a"][0]


def test_json_twin_and_reading_back(tmp_path: Path) -> None:
    results.write(tmp_path, _result())
    twin = json.loads((tmp_path / "results.json").read_text())
    assert twin["valid?"] == "unknown" and twin["workload"]["not"] == ["read-committed"]
    assert twin["workload"]["prefix"] == ["...", 1]
    assert "_internal" not in twin["workload"]["anomalies"]["G1a"][0]["op"]
    back = results.read(tmp_path)
    assert back == twin
    assert results.quantile(back["perf"]["latency-quantiles"], 0.5) == 1.5
    assert results.quantile(back["perf"]["latency-quantiles"], 1) == 3.0
    (tmp_path / "results.json").unlink()  # a real Maelstrom run: results.edn only
    edn_only = results.read(tmp_path)
    assert edn_only["valid?"] == "unknown" and type(edn_only["valid?"]) is str
    assert results.quantile(edn_only["perf"]["latency-quantiles"], 0.5) == 1.5


def test_one_file_per_anomaly_type(tmp_path: Path) -> None:
    written = results.write_anomaly_files(tmp_path / "elle", _result()["workload"],
                                          lambda kind, case: f"{kind}: {edn.dumps(case['mop'])}")
    assert [p.name for p in written] == ["G1a.txt"]
    assert (tmp_path / "elle" / "G1a.txt").read_text() == "G1a #0\nG1a: [:r 1 2]\n"
