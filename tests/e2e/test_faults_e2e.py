"""The kill and pause nemeses end to end: a killed node restarts with nothing (a counter kept
only in memory loses acknowledged adds), a paused node's requests wait and are answered after
resume, nemesis ops are in the history and incarnations in the node log; real and simulated."""

from __future__ import annotations

import pytest

from workbench.history import NEMESIS, pairs, read_edn

pytestmark = pytest.mark.slow

COUNTER = ["-w", "g-counter", "--bin", "tests/nodes/memory_counter.py", "--node-count", "1",
           "--time-limit", "4", "--rate", "50", "--nemesis-interval", "0.5", "--seed", "4"]


def test_a_restarted_node_has_forgotten_everything(sim) -> None:
    run = sim(*COUNTER, "--nemesis", "kill")
    assert run.code == 1, run.stdout + run.stderr  # the final read lacks acknowledged adds
    assert run.results["workload"]["errors"]
    _check_kills(run)


def test_a_killed_process_is_restarted_and_serves_again(workbench) -> None:
    # seed 5: killed at once, started about 3 s later; the ops sent meanwhile time out at
    # 5 s, then the new process serves them
    run = workbench("-w", "echo", "--bin", "echo.py", "--node-count", "1", "--time-limit",
                    "8", "--rate", "20", "--nemesis", "kill", "--nemesis-interval", "2",
                    "--seed", "5")
    assert run.code == 0, run.stdout + run.stderr
    history = _check_kills(run)
    started = [op["time"] for op in history if op["process"] == NEMESIS and op["f"] == "start"
               and isinstance(op["value"], dict) and "started" in op["value"].values()]
    assert started and [op for op in history if op["type"] == "ok" and op["time"] > started[0]]


def _check_kills(run) -> list[dict]:
    history = read_edn(run.run_dir / "history.edn")
    kills = [op for op in history if op["process"] == NEMESIS and op["f"] == "kill"]
    assert kills and any(isinstance(op["value"], dict) and "killed" in op["value"].values()
                         for op in kills)
    logs = "".join(p.read_text() for p in (run.run_dir / "node-logs").glob("*.log"))
    assert "killed by the nemesis (incarnation 0)" in logs
    assert "started again by the nemesis (incarnation 1)" in logs
    return history


def test_the_same_node_is_valid_without_kills(sim) -> None:
    run = sim(*COUNTER, "--nemesis", "partition,pause")
    assert run.code == 0, run.stdout + run.stderr


@pytest.mark.parametrize("mode", ["real", "sim"])
def test_a_paused_node_answers_after_resume(workbench, sim, mode) -> None:
    run = (workbench if mode == "real" else sim)(
        "-w", "echo", "--bin", "echo.py", "--node-count", "1", "--time-limit", "6",
        "--rate", "50", "--nemesis", "pause", "--nemesis-interval", "1", "--seed", "3")
    assert run.code == 0, run.stdout + run.stderr
    history = read_edn(run.run_dir / "history.edn")
    nemesis = [op for op in history if op["process"] == NEMESIS]
    windows = [(a["time"], b["time"]) for a, done, b in zip(nemesis[::2], nemesis[1::2],
                                                            nemesis[2::2], strict=False)
               if a["f"] == "pause" and "paused" in done["value"].values()
               and b["f"] == "resume"]
    assert windows
    # an echo sent while the node was paused completed after the resume (within 5 s)
    waited = [(inv, done) for inv, done in pairs(history)
              if done is not None and done["type"] == "ok"
              and done["time"] - inv["time"] > 1e8  # it waited over 0.1 s
              and any(start <= inv["time"] <= end <= done["time"] for start, end in windows)]
    assert waited


def test_partition_kill_and_pause_together_end_with_everyone_back(sim) -> None:
    run = sim("-w", "broadcast", "--bin", "broadcast.py", "--node-count", "5",
              "--time-limit", "8", "--rate", "20", "--nemesis", "partition,kill,pause",
              "--nemesis-interval", "1", "--seed", "6")
    history = read_edn(run.run_dir / "history.edn")
    fs = [op["f"] for op in history if op["process"] == NEMESIS]
    assert {"start-partition", "kill", "pause"} <= set(fs)
    final = fs[-6:]  # the final phase: heal, resume, start (invocation and completion each)
    assert final == ["stop-partition"] * 2 + ["resume"] * 2 + ["start"] * 2
