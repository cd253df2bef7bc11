"""End to end: echo and unique-ids through the workbench, and nodes that break the run, in
real processes and simulated (the same errors and exit codes either way)."""

from __future__ import annotations

import pytest

from tests.stage_flags import stage_flags

pytestmark = pytest.mark.slow


def test_echo_is_valid(sim) -> None:
    run = sim(*stage_flags("echo", time_limit="3", rate="50", seed="1"))
    assert run.code == 0, run.stdout + run.stderr
    r = run.results
    assert r["valid?"] is True and r["workload"]["errors"] == []
    assert r["stats"]["ok-count"] > 100
    assert r["net"]["servers"]["msg-count"] == 0
    # init/init_ok count as client traffic: 2 messages per op plus 2
    assert r["net"]["clients"]["msg-count"] == 2 * r["stats"]["count"] + 2
    for name in ("history.edn", "history.txt", "jepsen.log", "net-journal.jsonl",
                 "node-logs/n0.log"):
        assert (run.run_dir / name).exists(), name


def test_unique_ids_under_partitions_is_valid_and_totally_available(sim) -> None:
    run = sim(*stage_flags("unique-ids", time_limit="4", rate="300", nemesis_interval="1",
                           seed="7"))
    assert run.code == 0, run.stdout + run.stderr
    r = run.results
    assert r["workload"]["duplicated-count"] == 0
    assert r["workload"]["acknowledged-count"] == r["workload"]["attempted-count"] > 500
    assert r["availability"] == {"valid?": True, "ok-fraction": 1.0}
    assert r["net"]["servers"]["msgs-per-op"] == 0.0
    history = (run.run_dir / "history.edn").read_text()
    assert ":start-partition" in history and ":isolated" in history


@pytest.mark.parametrize("mode", ["real", "sim"])
def test_a_node_that_crashes_ends_the_run_with_255_and_its_log(workbench, sim, mode) -> None:
    node = "crash_after_init.py" if mode == "real" else "exits_on_request.py"
    run = (workbench if mode == "real" else sim)(
        "-w", "echo", "--bin", f"tests/nodes/{node}", "--node-count", "1", "--time-limit", "30")
    assert run.code == 255
    assert "Node n0 exited with status 3 before the test ended" in run.stderr
    assert "giving up on echo" in run.stderr  # the last stderr lines
    assert "node-logs/n0.log" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("mode", ["real", "sim"])
def test_a_node_that_prints_garbage_ends_the_run_with_the_line(workbench, sim, mode) -> None:
    node = "garbage.py" if mode == "real" else "debug_to_stdout.py"
    run = (workbench if mode == "real" else sim)(
        "-w", "echo", "--bin", f"tests/nodes/{node}", "--node-count", "1", "--time-limit", "30")
    assert run.code == 255
    assert "Node n0 wrote a line that is not a Maelstrom message" in run.stderr
    assert "DEBUG got echo" in run.stderr
    assert "log to stderr" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_node_that_ignores_init_fails_after_10_s(sim) -> None:
    run = sim("-w", "echo", "--bin", "tests/nodes/silent_node.py", "--node-count", "2",
              "--time-limit", "5")
    assert run.code == 255
    assert "did not answer init within 10 s" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_script_that_cannot_be_simulated_is_refused_before_anything_starts(sim) -> None:
    run = sim("-w", "echo", "--bin", "tests/nodes/silent.py", "--time-limit", "5")
    assert run.code == 254 and run.run_dir is None
    assert "--sim cannot run tests/nodes/silent.py: silent.py reads sys.stdin itself" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("mode", ["real", "sim"])
def test_a_reply_with_an_extra_key_is_an_indeterminate_op(workbench, sim, mode) -> None:
    run = (workbench if mode == "real" else sim)(
        "-w", "echo", "--bin", "tests/nodes/extra_field.py", "--node-count", "1",
        "--time-limit", "2", "--rate", "20")
    assert run.code == 1  # every echo is :info, so :stats is invalid
    r = run.results
    assert r["stats"]["by-f"]["echo"]["ok-count"] == 0
    exc = r["exceptions"]["exceptions"][0]
    assert exc["class"] == "MalformedReply"
    assert "unexpected key(s) node" in exc["example"]["error"]


def test_missing_binary_and_bad_flags(workbench) -> None:
    run = workbench("-w", "echo", "--bin", "no-such-node.py", "--time-limit", "1")
    assert run.code == 255 and "no such file" in run.stderr
    run = workbench("-w", "echo", "--bin", "echo.py", "--rate", "lots")
    assert run.code == 254 and "--rate must be a number" in run.stderr


def test_a_node_may_pass_a_request_on_as_the_client(sim) -> None:
    # Maelstrom (src/maelstrom/net.clj) only checks that src is on the network; at cb7f072 a
    # node forwarding a client's echo with the client's src passed (exit 0).
    run = sim(
        "-w", "echo", "--bin", "tests/nodes/proxy_as_client.py", "--node-count", "2",
        "--time-limit", "2", "--rate", "20", "--seed", "3")
    assert run.code == 0, run.stdout + run.stderr
    warnings = run.results["workbench"]["warnings"]
    assert any("n1 sent a message as 'c" in w for w in warnings)
