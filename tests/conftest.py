"""Shared fixtures: a seeded RNG, and helpers that run the workbench on a node script, as a
real run in a subprocess (`workbench`) or simulated in this process (`sim`)."""

from __future__ import annotations

import contextlib
import io
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from workbench import edn
from workbench.__main__ import main
from workbench.report import results as results_file

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def rng() -> random.Random:
    return random.Random(42)


@dataclass
class RunResult:
    code: int
    stdout: str
    stderr: str
    run_dir: Path | None

    @property
    def results(self) -> dict[str, Any]:
        assert self.run_dir is not None, f"no run directory\n{self.stdout}\n{self.stderr}"
        return edn.loads((self.run_dir / "results.edn").read_text())

    @property
    def twin(self) -> dict[str, Any]:
        """results.json, the plain-data twin of results.edn."""
        assert self.run_dir is not None, f"no run directory\n{self.stdout}\n{self.stderr}"
        return results_file.read(self.run_dir)


def run_workbench(store: Path, *flags: str, timeout: float = 240) -> RunResult:
    """Run `python -m workbench test` in a subprocess with --store `store`."""
    cmd = [sys.executable, "-m", "workbench", "test", "--store", str(store), "--quiet", *flags]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    latest = store / "latest"
    run_dir = latest.resolve() if latest.exists() else None
    return RunResult(proc.returncode, proc.stdout, proc.stderr, run_dir)


@pytest.fixture
def workbench(tmp_path: Path):
    """Call as workbench('-w', 'echo', '--bin', 'echo.py', ...) -> RunResult."""
    def run(*flags: str, timeout: float = 240) -> RunResult:
        return run_workbench(tmp_path / "store", *flags, timeout=timeout)
    return run


def run_simulated(store: Path, *flags: str) -> RunResult:
    """Run `python -m workbench test --sim` in this process (no interpreter start-up, and
    virtual time: a 20 s test takes as long as its work). Paths are relative to the repo."""
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["test", "--store", str(store), "--quiet", "--sim", *flags])
    finally:
        os.chdir(cwd)
    latest = store / "latest"
    run_dir = latest.resolve() if latest.exists() else None
    return RunResult(code, out.getvalue(), err.getvalue(), run_dir)


@pytest.fixture
def sim(tmp_path: Path):
    """Call as sim('-w', 'echo', '--bin', 'echo.py', ...) -> RunResult, simulated."""
    def run(*flags: str) -> RunResult:
        return run_simulated(tmp_path / "store", *flags)
    return run
