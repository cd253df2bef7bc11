"""results/SUMMARY.md is built from results/<stage>/results.json (results.edn where a real
Maelstrom run wrote no twin), with both targets, in the order of stages.txt."""

from __future__ import annotations

from pathlib import Path

from workbench import edn
from workbench.edn import Keyword
from workbench.report import results as results_file
from workbench.report import summary
from workbench.stages import stages


def _results(valid: object = True, servers: float = 0.0, stable: dict | None = None,
             ok_fraction: float = 1.0) -> dict:
    r: dict = {"perf": {"latency-quantiles": {0: 0.1, 0.5: 0.5, 0.95: 0.9, 0.99: 1.5, 1: 3.0},
                        "valid?": True},
               "availability": {"valid?": True, "ok-fraction": ok_fraction},
               "net": {"all": {"msgs-per-op": servers + 2.0},
                       "servers": {"msgs-per-op": servers}, "valid?": True},
               "workload": {"valid?": valid}, "valid?": valid}
    if stable is not None:
        r["workload"]["stable-latencies"] = stable
    return r


def _write(root: Path, stage: str, results: dict | str) -> None:
    """results.edn alone, as real Maelstrom writes it."""
    (root / stage).mkdir(parents=True)
    text = results if isinstance(results, str) else edn.pretty(results)
    (root / stage / "results.edn").write_text(text + "\n")


def _write_twin(root: Path, stage: str, results: dict) -> None:
    """results.edn and results.json, as the workbench writes them (from plain data)."""
    (root / stage).mkdir(parents=True)
    results_file.write(root / stage, results)


def _rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| stage"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            rows[cells[0]] = cells
    return rows


def test_summary_rows_come_from_results_edn(tmp_path: Path) -> None:
    root = tmp_path / "results"
    _write(root, "echo", _results())
    _write(root, "broadcast-3d", _results(servers=14.2, stable={0: 0, 0.5: 95, 0.95: 180,
                                                                0.99: 200, 1: 230}))
    _write(root, "broadcast-3e", _results(servers=1.4, stable={0: 0, 0.5: 650, 0.95: 900,
                                                               0.99: 1000, 1: 1050}))
    _write_twin(root, "kafka-5c", _results(servers=1.8, ok_fraction=0.99))
    _write_twin(root, "txn-6c", _results(valid="unknown", servers=0.5))
    _write(root, "txn-6b", _results(valid=Keyword("unknown"), servers=0.5))
    (root / "txn-6c" / "results.edn").write_text("{:valid? true}\n")  # the twin is read
    _write(root, "counter", _results(valid=False, servers=0.9))
    _write(root, "broken", "{:valid? ")
    assert summary.main([str(root)]) == 0
    text = (root / "SUMMARY.md").read_text()
    rows = _rows(text)
    assert list(rows) == ["echo", "broadcast-3d", "broadcast-3e", "counter", "kafka-5c",
                          "txn-6b", "txn-6c"]
    stage, valid, servers, all_, latency, avail, official, met, ours, ours_met, link = \
        rows["broadcast-3d"]
    assert (valid, servers, all_) == ("true", "14.2", "16.2")
    assert latency == "stable 95 / 180 / 200 / 230"
    assert official == "valid; servers msgs-per-op < 30; median stable latency < 400 ms; " \
                       "max stable latency < 600 ms" and met == "yes"
    assert ours.startswith("valid; servers msgs-per-op ≤ 12.5")
    assert ours_met == "no (servers msgs-per-op ≤ 12.5)"
    assert link == "[broadcast-3d/](broadcast-3d/)"
    assert rows["broadcast-3e"][7:10:2] == ["yes", "yes"]
    assert rows["echo"][4] == "0.5 / 0.9 / 1.5 / 3"
    assert rows["echo"][7:] == ["yes", "same", "yes", "[echo/](echo/)"]
    assert rows["kafka-5c"][5] == "0.99"
    assert rows["kafka-5c"][9] == "no (availability ≥ 0.999)"
    assert rows["txn-6c"][1] == "unknown" and rows["txn-6c"][7] == "?"
    assert rows["txn-6b"][1] == "unknown" and rows["txn-6b"][7] == "?"
    assert rows["kafka-5c"][4] == "0.5 / 0.9 / 1.5 / 3"  # quantile keys read back from JSON
    assert rows["counter"][7] == "no (valid)"
    assert "broken: cannot read its results" in text
    assert "Not run yet: unique-ids, broadcast-3a" in text


def test_no_results_folder_is_an_error(tmp_path: Path) -> None:
    assert summary.main([str(tmp_path / "missing")]) == 1


def test_stages_and_their_order_come_from_stages_txt() -> None:
    table = list(stages())
    assert table[0] == "echo" and "txn-6c" in table
    assert summary.stage_order(["zz-extra", "txn-6c", "echo"]) == ["echo", "txn-6c", "zz-extra"]
    assert set(summary.TARGETS) <= set(table)  # a target for a stage stages.txt lacks is stale
