"""The process that draws a run's pictures (the plots, timeline.html and messages.svg): forked
before the test starts, it imports matplotlib while the test runs, gets the history through a
pipe when the test ends, and draws while the parent analyses (on two cores the report then
costs next to nothing). Where the OS cannot fork, they are drawn in the parent, in turn."""

from __future__ import annotations

import logging
import os
import pickle
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Sequence

from .. import jepsen_log
from . import drawn, warm_up, write_artifacts

log = logging.getLogger("maelstrom.core")


class Report:
    """The drawing process of one run (see the module doc)."""

    def __init__(self, run_dir: Path, draws: bool = True) -> None:
        self.dir = run_dir
        self.draws = draws  # False: a sweep's bare seed (Options.bare) draws nothing
        self.pid: int | None = None
        self._pipe: int | None = None
        if draws and hasattr(os, "fork"):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(write)
                _report_child(read, run_dir)  # never returns
            os.close(read)
            self.pid, self._pipe = pid, write

    def draw(self, node_count: int, workload: str, ops: list[dict[str, Any]],
             journal_events: Sequence[Any]) -> None:
        """Hand the finished test (its history and network journal) to the child, or draw
        it here."""
        if not self.draws:
            return
        opts = SimpleNamespace(node_count=node_count, workload=workload)
        events = journal_events[:lamport_events(node_count)]
        if self._pipe is None:
            _draw(self.dir, opts, ops, events)
            return
        payload = pickle.dumps((opts, drawn(ops), events), pickle.HIGHEST_PROTOCOL)
        try:
            with os.fdopen(self._pipe, "wb") as pipe:
                pipe.write(payload)
        except OSError as err:
            log.warning("could not hand the report to its process: %s", err)
        self._pipe = None

    def finish(self) -> None:
        """Wait for the child (after `draw`, or to stop it when the test broke) and pass on
        what it could not draw, as warnings on stderr."""
        if self._pipe is not None:
            os.close(self._pipe)  # the child sees end of file and leaves without drawing
            self._pipe = None
        if self.pid is not None:
            _, status = os.waitpid(self.pid, 0)
            self.pid = None
            if status != 0:
                log.warning("the report process ended with status %s", status)
        errors = self.dir / "report-errors.txt"
        if errors.exists():
            for note in errors.read_text().splitlines():
                print(f"warning: {note}", file=sys.stderr)


def lamport_events(node_count: int) -> int:
    """How many journal events messages.svg can need (it draws the first ones only)."""
    from .lamport import MAX_EVENTS
    return MAX_EVENTS + 4 * node_count + 2


def _report_child(pipe: int, run_dir: Path) -> None:
    status = 0
    try:
        warm_up()
        chunks = []
        while True:
            chunk = os.read(pipe, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        if chunks:
            opts, ops, events = pickle.loads(b"".join(chunks))
            _draw(run_dir, opts, ops, events)
    except BaseException:
        status = 1
    finally:
        jepsen_log.flush_all()
        os._exit(status)


def _draw(run_dir: Path, opts: Any, ops: Sequence[dict[str, Any]], events: Sequence[Any]) -> None:
    try:
        write_artifacts(run_dir, opts, ops, events)
    except Exception as err:  # the report must never hide the test's result
        (run_dir / "report-errors.txt").write_text(
            f"could not write the report files: {type(err).__name__}: {err}\n")
