"""What a seed means. Simulated: the same seed and flags give byte-identical history.edn,
net-journal.jsonl and results.edn, across processes, and test.json's replay command gives the
run again. Real: the op values and the nemesis schedule (kinds and grudges) repeat, whatever
the timing."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

import pytest

from tests.conftest import ROOT, run_workbench
from workbench.history import NEMESIS, read_edn

pytestmark = pytest.mark.slow

FILES = ("history.edn", "net-journal.jsonl", "results.edn", "history.txt", "node-logs/n1.log")
BROADCAST = ["-w", "broadcast", "--bin", "broadcast.py", "--node-count", "5", "--time-limit",
             "5", "--rate", "50", "--latency", "20", "--latency-dist", "exponential",
             "--nemesis", "partition", "--nemesis-interval", "1"]


def _sim(store, *flags: str):
    return run_workbench(store, "--sim", *flags)


def test_simulated_runs_with_one_seed_are_byte_identical_across_processes(tmp_path) -> None:
    one = _sim(tmp_path / "a", *BROADCAST, "--seed", "11")
    two = _sim(tmp_path / "b", *BROADCAST, "--seed", "11")
    assert one.code == two.code == 0, one.stdout + one.stderr
    for name in FILES:
        assert (one.run_dir / name).read_bytes() == (two.run_dir / name).read_bytes(), name
    other = _sim(tmp_path / "c", *BROADCAST, "--seed", "12")
    assert (other.run_dir / "history.edn").read_bytes() != \
        (one.run_dir / "history.edn").read_bytes()


def test_the_stored_replay_command_replays_the_run(tmp_path) -> None:
    first = _sim(tmp_path / "a", "-w", "g-counter", "--bin", "counter.py", "--node-count", "3",
                 "--rate", "100", "--time-limit", "4", "--nemesis", "partition")
    assert first.code == 0, first.stdout + first.stderr
    test = json.loads((first.run_dir / "test.json").read_text())
    assert test["mode"] == "sim" and f"--seed {test['seed']}" in test["replay"]
    assert test["replay"] in first.stdout
    argv = shlex.split(test["replay"])
    assert argv[:4] == ["python3", "-m", "workbench", "test"]
    store = str(tmp_path / "replayed")
    argv = [a if a != str(tmp_path / "a") else store for a in argv]  # keep the runs apart
    subprocess.run([sys.executable, *argv[1:]], cwd=ROOT, capture_output=True, check=True)
    replayed = (tmp_path / "replayed" / "latest").resolve()
    for name in ("history.edn", "net-journal.jsonl", "results.edn"):
        assert (replayed / name).read_bytes() == (first.run_dir / name).read_bytes(), name


def test_real_runs_with_one_seed_repeat_op_values_and_the_nemesis_schedule(workbench) -> None:
    flags = ["-w", "echo", "--bin", "echo.py", "--node-count", "3", "--time-limit", "3",
             "--rate", "100", "--nemesis", "partition", "--nemesis-interval", "0.3",
             "--seed", "7"]
    runs = [workbench(*flags) for _ in range(2)]
    histories = []
    for run in runs:
        assert run.code == 0, run.stdout + run.stderr
        histories.append(read_edn(run.run_dir / "history.edn"))
    values = [[op["value"] for op in h if op["type"] == "invoke"] for h in histories]
    n = min(map(len, values))
    assert n > 150 and values[0][:n] == values[1][:n]
    schedules = [[(op["f"], op["value"]) for op in h if op["process"] == NEMESIS]
                 for h in histories]
    m = min(map(len, schedules))
    assert m >= 6 and schedules[0][:m] == schedules[1][:m]
    assert any(v and v[0] == "isolated" for _, v in schedules[0])  # grudges, not only kinds
