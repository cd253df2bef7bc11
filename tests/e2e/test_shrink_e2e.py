"""`python3 -m workbench shrink` end to end, in a subprocess as a user runs it: a node whose
bug only a fault brings out (memory_counter.py forgets its total when killed) shrinks to fewer
fault ops and a shorter time limit, and the command it prints fails when run; from 3 nodes it
cuts nodes first, the schedule following; out of runs, it stops with a failing command; an
original that passes is refused with exit 254."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from workbench.report import results as results_file
from workbench.seedrun import signature

FLAGS = ["-w", "g-counter", "--bin", "tests/nodes/memory_counter.py", "--node-count", "1",
         "--time-limit", "10", "--rate", "10", "--nemesis", "kill", "--nemesis-interval", "1",
         "--sim"]


def shrink(store: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workbench", "shrink", "--jobs", "2",
                           "--store", str(store), *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=280, check=False)


def test_a_fault_triggered_bug_shrinks_and_the_smallest_command_fails(tmp_path: Path) -> None:
    store = tmp_path / "store"
    proc = shrink(store, "python3", "-m", "workbench", "test", *FLAGS, "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    [out] = list((store / "shrinks").iterdir())
    record = json.loads((out / "shrink.json").read_text())
    original = out / "original"
    written = next(original.glob("*/*/nemesis-schedule.jsonl")).read_text().splitlines()
    final = record["final"]
    assert record["original"]["signature"] == "workload[errors]"
    assert final["fault_ops"] < len(written) and final["fault_ops"] >= 1  # it needs a kill
    assert final["time_limit"] < 10
    assert all("kill" in line for line in Path(final["schedule"]).read_text().splitlines())
    assert record["steps"] and all(s["command"].startswith("python3 -m workbench test")
                                   for s in record["steps"])
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == final["command"]
    assert f"to {final['size']}" in proc.stdout and "step 1:" in proc.stdout
    # the smallest command, run by hand, fails the same way
    argv = shlex.split(final["command"])
    again = tmp_path / "again"
    run = subprocess.run([sys.executable, *argv[1:], "--store", str(again), "--quiet"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 1
    assert signature(results_file.read((again / "current").resolve())) == "workload[errors]"
    assert final["check"]["exit"] == 1 and final["check"]["signature"] == "workload[errors]"


def test_the_same_bug_without_faults_passes_and_is_refused(tmp_path: Path) -> None:
    flags = [f for f in FLAGS if f not in ("--nemesis", "kill")]
    proc = shrink(tmp_path / "store", *flags, "--seed", "1")
    assert proc.returncode == 254
    assert proc.stderr.startswith("the original run passes (valid at seed 1): nothing to shrink")
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_a_shrink_out_of_runs_stops_with_a_failing_command_and_says_so(tmp_path: Path) -> None:
    store = tmp_path / "store"
    proc = shrink(store, "--max-runs", "3", *FLAGS, "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    [out] = list((store / "shrinks").iterdir())
    record = json.loads((out / "shrink.json").read_text())
    assert record["runs"] == 3
    assert any("--max-runs 3" in note and "may not be minimal" in note
               for note in record["notes"])
    check = record["final"]["check"]
    assert (check["exit"], check["signature"]) == (1, "workload[errors]")


def test_fewer_nodes_come_first_and_the_schedule_follows_them(tmp_path: Path) -> None:
    # with 3 nodes the counter also fails without faults; with 1 it needs a kill of n0
    flags = [("3" if f == "1" and FLAGS[i - 1] == "--node-count" else f)
             for i, f in enumerate(FLAGS)]
    store = tmp_path / "store"
    proc = shrink(store, *flags, "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    [out] = list((store / "shrinks").iterdir())
    record = json.loads((out / "shrink.json").read_text())
    final = record["final"]
    assert record["steps"][0]["what"] == "nodes: 3 to 1"
    assert final["nodes"] == 1 and "--node-count 1" in final["command"]
    schedule = [json.loads(line) for line in Path(final["schedule"]).read_text().splitlines()]
    assert schedule and all(set(e.get("nodes", [])) <= {"n0"} for e in schedule)
    assert final["check"]["signature"] == "workload[errors]"
