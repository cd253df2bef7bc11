"""Issue 22's failures, simulated: under partition, kill and pause every 3 s, kafka.py (seed 1)
and broadcast.py (seed 8) answered clients that had given up, were muted, and failed (the
final polls saw nothing; 13 values lost). With answer_clients_within they stay valid."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

FAULTS = ("--nemesis", "partition,kill,pause", "--nemesis-interval", "3")


def test_kafka_seed_1_drops_its_late_answers_and_stays_valid(sim) -> None:
    run = sim("-w", "kafka", "--bin", "kafka.py", "--node-count", "2", "--concurrency", "2n",
              "--time-limit", "20", "--rate", "1000", *FAULTS, "--seed", "1")
    assert run.code == 0, run.stdout + run.stderr
    assert "muted" not in run.results.get("workbench", {})
    logs = "".join(p.read_text() for p in (run.run_dir / "node-logs").glob("*.log"))
    assert "not answering" in logs


def test_broadcast_seed_8_drops_its_late_answers_and_loses_nothing(sim) -> None:
    run = sim("-w", "broadcast", "--bin", "broadcast.py", "--node-count", "5",
              "--time-limit", "20", "--rate", "10", *FAULTS, "--seed", "8")
    assert run.code == 0, run.stdout + run.stderr
    assert "muted" not in run.results.get("workbench", {})
    assert run.results["workload"]["lost-count"] == 0
