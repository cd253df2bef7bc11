"""txn-list-append through the workbench (short runs): one node applying whole txns is
strict-serializable; two nodes with separate lists are caught by Elle."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

NODE = Path(__file__).resolve().parents[1] / "nodes" / "append_local.py"
FLAGS = ["-w", "txn-list-append", "--bin", str(NODE), "--time-limit", "3", "--rate", "100",
         "--seed", "3"]


def test_single_node_is_strict_serializable(sim) -> None:
    run = sim(*FLAGS, "--node-count", "1")
    assert run.code == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.results["workload"] == {"valid?": True}
    assert run.results["stats"]["by-f"]["txn"]["ok-count"] > 100


def test_two_nodes_with_separate_lists_are_invalid(sim) -> None:
    run = sim(*FLAGS, "--node-count", "2")
    assert run.code == 1, run.stdout[-3000:] + run.stderr[-3000:]
    workload = run.results["workload"]
    assert workload["valid?"] is False
    assert {"G-single-item-realtime", "incompatible-order"} <= set(workload["anomaly-types"])
