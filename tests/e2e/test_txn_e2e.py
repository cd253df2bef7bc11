"""txn.py through the workbench (short runs): valid and cheap under partitions at the 6c
flags, and the checker catching a node that exposes aborted writes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.stage_flags import stage_flags

ROOT = Path(__file__).resolve().parents[2]

DIRTY_NODE = textwrap.dedent('''\
    #!/usr/bin/env python3
    """Broken on purpose: applies a txn's writes, then aborts every other one (G1a)."""
    import sys
    sys.path.insert(0, %r)
    from maelstrom_node import Node, RPCError, TXN_CONFLICT
    node = Node()
    store = {}
    count = [0]

    @node.handler("txn")
    def txn(msg):
        out = []
        for f, k, v in msg["body"]["txn"]:
            if f == "r":
                out.append(["r", k, store.get(k)])
            else:
                store[k] = v
                out.append(["w", k, v])
        count[0] += 1
        if count[0] %% 2 and any(f == "w" for f, _, _ in out):
            raise RPCError(TXN_CONFLICT, "aborted (but its writes stay visible)")
        return {"type": "txn_ok", "txn": out}

    node.run()
    ''') % str(ROOT)


@pytest.mark.slow
def test_txn_node_is_read_committed_under_partitions(sim) -> None:
    run = sim(*stage_flags("txn-6c", time_limit="5", nemesis_interval="1", seed="11"))
    assert run.code == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = run.results
    assert results["workload"]["valid?"] is True
    assert results["availability"]["ok-fraction"] == 1.0
    assert results["net"]["servers"]["msgs-per-op"] <= 1.0
    history = (run.run_dir / "history.txt").read_text()
    assert ":start-partition" in history


@pytest.mark.slow
def test_aborted_writes_are_caught(sim, tmp_path: Path) -> None:
    node = tmp_path / "dirty_txn.py"
    node.write_text(DIRTY_NODE)
    node.chmod(0o755)
    run = sim("-w", "txn-rw-register", "--bin", str(node), "--time-limit", "3",
                    "--node-count", "1", "--concurrency", "2n", "--rate", "500", "--seed", "5",
                    "--consistency-models", "read-committed")
    assert run.code == 1, run.stdout[-3000:]
    workload = run.results["workload"]
    assert workload["valid?"] is False
    assert "G1a" in workload["anomaly-types"]
    case = workload["anomalies"]["G1a"][0]
    assert case["writer"]["type"] == "fail"
    assert "aborted read" in case["explanation"]
