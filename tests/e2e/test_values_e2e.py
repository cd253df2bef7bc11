"""Issue 23 end to end: nodes whose values differ from what was sent only in type (7.0 for 7,
true among integers), run simulated, each expecting the exit code real Maelstrom gave
(jepsen-io/maelstrom cb7f072 on jepsen 0.3.7). The values reach the checkers through
workbench.values, with Clojure's =."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

NODES = "tests/nodes/fidelity/"


def test_kafka_polling_floats_for_sent_ints_is_unknown(sim) -> None:
    # Maelstrom: exit 2; the polled 7.0 has no writer, so Jepsen's kafka checker throws.
    run = sim("-w", "kafka", "--bin", NODES + "kafka_float.py", "--node-count", "1",
              "--concurrency", "2n", "--time-limit", "3", "--seed", "1")
    assert run.code == 2, run.stdout + run.stderr
    error = run.results["workload"]["error"]
    assert error["type"] == "no-writer-of-value" and isinstance(error["value"], float)
    history = (run.run_dir / "history.edn").read_text()
    assert ".0]" in history  # the polled messages are written as Maelstrom writes them: 7.0


def test_unique_ids_with_booleans_among_integers_is_unknown(sim) -> None:
    # Maelstrom: exit 2, "java.lang.Boolean cannot be cast to java.lang.Number" (or the Long
    # to Boolean cast, whichever the ids' order makes compare try first).
    run = sim("-w", "unique-ids", "--bin", NODES + "ids_bool.py", "bools", "--node-count", "3",
              "--time-limit", "3", "--seed", "1")
    assert run.code == 2, run.stdout + run.stderr
    assert "ClassCastException" in run.results["workload"]["error"]
    assert " :value true" in (run.run_dir / "history.edn").read_text()


def test_unique_ids_floats_beside_equal_ints_are_distinct(sim) -> None:
    # Maelstrom: exit 0; n1's 1.0 and n0's 1 are two ids under Clojure's =.
    run = sim("-w", "unique-ids", "--bin", NODES + "ids_bool.py", "floats", "--node-count", "3",
              "--time-limit", "3", "--seed", "1")
    assert run.code == 0, run.stdout + run.stderr
    w = run.results["workload"]
    assert w["duplicated-count"] == 0 and w["acknowledged-count"] > 3
    history = (run.run_dir / "history.edn").read_text()
    assert " :value 1.0" in history and " :value 1}" in history


def test_broadcast_reading_floats_back_loses_every_value(sim) -> None:
    # Maelstrom: exit 1, every broadcast value lost (7.0 is not 7).
    run = sim("-w", "broadcast", "--bin", NODES + "broadcast_float.py", "--node-count", "1",
              "--time-limit", "3", "--seed", "1")
    assert run.code == 1, run.stdout + run.stderr
    w = run.results["workload"]
    assert w["valid?"] is False and w["lost-count"] == w["attempt-count"] > 0
