"""Shared fixtures: a seeded RNG, and a helper that runs the workbench on a node script."""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from workbench import edn

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
