"""g-set through the workbench (short runs): a node that merges by union is valid, also
under partitions; one that never merges loses elements."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

NODES = Path(__file__).resolve().parents[1] / "nodes"
FLAGS = ["-w", "g-set", "--node-count", "3", "--time-limit", "3", "--rate", "30"]


@pytest.mark.parametrize("extra", [[], ["--nemesis", "partition", "--nemesis-interval", "1"]])
def test_merging_node_is_valid(sim, extra: list[str]) -> None:
    run = sim(*FLAGS, "--bin", str(NODES / "gset_merging.py"), "--seed", "5", *extra)
    assert run.code == 0, run.stdout[-3000:] + run.stderr[-3000:]
    workload = run.results["workload"]
    assert workload["valid?"] is True and workload["lost-count"] == 0
    assert workload["stable-count"] > 0


def test_isolated_node_loses_elements(sim) -> None:
    run = sim(*FLAGS, "--bin", str(NODES / "gset_isolated.py"), "--seed", "5")
    assert run.code == 1, run.stdout[-3000:] + run.stderr[-3000:]
    workload = run.results["workload"]
    assert workload["valid?"] is False and workload["lost-count"] > 0
