"""What every benchmark needs: run one workbench test in a subprocess and read what it left."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workbench.history import read_edn  # noqa: E402
from workbench.report import results as results_file  # noqa: E402
from workbench.report.results import quantile  # noqa: E402
from workbench.stages import Stage, stages  # noqa: E402

__all__ = ["ROOT", "Outcome", "Stage", "quantile", "read_history", "run_test", "stages"]


def read_history(run_dir: Path) -> list[dict]:
    """A run's history.edn as plain data (keywords as plain strings, as results.json has
    them), for benchmarks that re-check or measure a history."""
    return [results_file.plain(op) for op in read_edn(run_dir / "history.edn")]

LOCK = "/tmp/workbench-run.lock"  # runs that start node processes take turns on 2 cores


@dataclass
class Outcome:
    code: int
    results: dict | None  # results.json (plain data), or None when the run broke (exit 255)
    run_dir: Path | None
    wall: float  # seconds, the whole subprocess

    def history(self) -> list[dict]:
        assert self.run_dir is not None
        return read_history(self.run_dir)


def run_test(flags: list[str], seed: int, store: Path, node_args: list[str] | tuple = (),
             lock: bool = False) -> Outcome:
    """`python -m workbench test FLAGS --seed SEED --store STORE [-- NODE_ARGS]`; with `lock`,
    under the shared flock so that concurrent benchmarks do not share the CPU. A simulated
    run (`--sim` in FLAGS) starts with PYTHONHASHSEED=0, as run.sh starts it (the workbench
    would otherwise start itself again to fix it)."""
    cmd = [sys.executable, "-m", "workbench", "test", *flags, "--seed", str(seed),
           "--store", str(store), "--quiet"]
    if node_args:
        cmd += ["--", *node_args]
    if lock and shutil.which("flock"):
        cmd = ["flock", LOCK, *cmd]
    started = time.monotonic()
    env = dict(os.environ, PYTHONHASHSEED="0") if "--sim" in flags else None
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    wall = time.monotonic() - started
    latest = store / "latest"
    if not (latest / "results.edn").exists():
        return Outcome(proc.returncode, None, None, wall)
    run_dir = latest.resolve()
    return Outcome(proc.returncode, results_file.read(run_dir), run_dir, wall)
