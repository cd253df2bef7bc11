"""write_artifacts: every file from one call; a drawing failure is noted, never raised. And
an echo run through the workbench that produces every file, well-formed."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image
from report_helpers import FakeJournal, history
from test_report_timeline import parse

from workbench import report
from workbench.report import plots

ROOT = Path(__file__).resolve().parents[2]
FILES = ("latency-raw.png", "latency-quantiles.png", "rate.png", "timeline.html",
         "messages.svg")


def _check_files(run_dir: Path) -> None:
    for name in FILES[:3]:
        img = Image.open(run_dir / name)
        img.load()
        assert img.format == "PNG", name
    parse((run_dir / "timeline.html").read_text())
    assert ET.parse(run_dir / "messages.svg").getroot().tag.endswith("svg")


def _journal() -> FakeJournal:
    j = FakeJournal()
    j.message("c1", "n0", {"type": "echo", "msg_id": 1, "echo": "hi"})
    j.message("n0", "c1", {"type": "echo_ok", "in_reply_to": 1, "echo": "hi"})
    return j


@pytest.mark.slow
def test_write_artifacts_writes_every_file(tmp_path: Path) -> None:
    notes = report.write_artifacts(tmp_path, SimpleNamespace(node_count=1, workload="echo"),
                                   history(), _journal())
    assert notes == []
    _check_files(tmp_path)
    assert not (tmp_path / "report-errors.txt").exists()


def test_a_plot_failure_is_noted_and_the_rest_still_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise ValueError("no ink")

    monkeypatch.setattr(plots, "write_all", broken)
    notes = report.write_artifacts(tmp_path, SimpleNamespace(node_count=1), history(n=9),
                                   _journal())
    assert notes == ["could not write latency-raw.png, latency-quantiles.png, rate.png: "
                     "ValueError: no ink"]
    assert "no ink" in (tmp_path / "report-errors.txt").read_text()
    assert (tmp_path / "timeline.html").exists() and (tmp_path / "messages.svg").exists()


@pytest.mark.slow
def test_echo_run_produces_every_file(workbench) -> None:
    run = workbench("-w", "echo", "--bin", "echo.py", "--node-count", "2", "--time-limit", "3",
                    "--rate", "100", "--nemesis", "partition", "--nemesis-interval", "1",
                    "--seed", "4")
    assert run.code == 0, run.stdout + run.stderr
    _check_files(run.run_dir)
    svg = (run.run_dir / "messages.svg").read_text()
    assert "echo_ok" in svg and "init_ok" not in svg
    assert "process 0" in (run.run_dir / "timeline.html").read_text()
    assert "\x1b[K" not in run.stderr + run.stdout  # --quiet, and not a terminal anyway
    assert "warning" not in run.stderr


@pytest.mark.slow
def test_progress_line_on_a_terminal_and_clean_stdout(tmp_path: Path) -> None:
    primary, secondary = pty.openpty()
    cmd = [sys.executable, "-m", "workbench", "test", "--store", str(tmp_path / "store"),
           "-w", "echo", "--bin", "echo.py", "--node-count", "1", "--time-limit", "2",
           "--rate", "50", "--seed", "5"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=secondary,
                            stdin=subprocess.DEVNULL)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=60)
    os.close(primary)
    stdout = out.decode()
    assert proc.returncode == 0, stdout
    terminal = seen.decode(errors="replace")
    assert "/2 s" in terminal and "main" in terminal and "ops " in terminal
    assert terminal.endswith("\r\x1b[K")  # wiped before the results were printed
    assert "\x1b[K" not in stdout and "Everything looks good!" in stdout
