"""Where Maelstrom's behaviour decides a verdict, end to end: a reply to a client that gave
up mutes the node for the rest of the test; an in_reply_to of 3.0 answers no request 3."""

from __future__ import annotations

import pytest

from workbench.history import read_edn

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("mode", ["real", "sim"])
def test_a_reply_to_a_closed_client_mutes_the_node(workbench, sim, mode) -> None:
    run = (workbench if mode == "real" else sim)(
        "-w", "broadcast", "--bin", "tests/nodes/late_reply.py", "--node-count", "1",
        "--time-limit", "12", "--rate", "5", "--seed", "1")
    assert run.code in (0, 1, 2), run.stdout + run.stderr
    muted = run.results["workbench"]["muted"]
    assert [m["node"] for m in muted] == ["n0"] and "already closed" in muted[0]["why"]
    after = muted[0]["time"] * 1e9
    history = read_edn(run.run_dir / "history.edn")
    assert not [op for op in history if op["type"] == "ok" and op["time"] > after]
    assert [op for op in history if op["type"] == "invoke" and op["time"] > after]


def test_an_in_reply_to_of_another_type_answers_nothing(sim) -> None:
    run = sim("-w", "echo", "--bin", "tests/nodes/float_reply.py", "--node-count", "1",
              "--time-limit", "8", "--rate", "2", "--seed", "1")
    assert run.code == 1, run.stdout + run.stderr  # no echo ever succeeded
    assert run.results["stats"]["ok-count"] == 0
    assert run.results["stats"]["info-count"] > 0
