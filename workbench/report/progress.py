"""The live progress line on a terminal while a test runs:

    12.3/20 s  main  ops 11980 (ok 11975 fail 0 info 2)  msgs 24012 (servers 40)  healthy

It redraws itself in place on stderr at most four times a second from an event-loop timer
(no thread), only when stderr is a terminal and --quiet is not given, and wipes itself
before the results are printed. It reads the run duck-typed: `opts.time_limit`,
`recorder.listeners`, `journal.counts()`, `network.partitions` and, once the generator
runs, `interp.phase` ("main", "recovery", "final")."""

from __future__ import annotations

import asyncio
import shutil
import sys
from typing import Any, TextIO

from ..clock import wall

INTERVAL = 0.25  # seconds of run time (virtual under --sim) between redraws
MIN_WALL = 0.1  # ... and never more often than this on the real clock


class Progress:
    """One progress line. Inert (writes nothing) unless `enabled`."""

    def __init__(self, time_limit: float, enabled: bool, stream: TextIO) -> None:
        self.time_limit = time_limit
        self.enabled = enabled
        self.stream = stream
        self.run: Any = None
        self.override: str | None = None  # a phase after the generator, e.g. "analysis"
        self.invoked = 0
        self.completed = {"ok": 0, "fail": 0, "info": 0}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._main_started: float | None = None
        self._main_ended: float | None = None
        self._drawn = False
        self._drawn_at = -MIN_WALL

    @classmethod
    def for_run(cls, run: Any, stream: TextIO | None = None) -> Progress:
        """A progress line for `run`, enabled when `stream` (stderr) is a terminal and the
        run is not --quiet. Call `start()` inside the run's event loop."""
        stream = stream if stream is not None else sys.stderr
        tty = bool(getattr(stream, "isatty", lambda: False)())
        progress = cls(float(run.opts.time_limit), tty and not run.opts.quiet, stream)
        progress.run = run
        return progress

    # ---- counting ------------------------------------------------------------------------

    def observe(self, op: dict) -> None:
        """A Recorder listener: count client invocations and completions by type."""
        if op.get("process") == "nemesis":
            return
        kind = op.get("type")
        if kind == "invoke":
            self.invoked += 1
        elif kind in self.completed:
            self.completed[kind] += 1

    # ---- drawing -------------------------------------------------------------------------

    def start(self) -> None:
        """Begin redrawing (inside the running loop); hooks the recorder when there is one."""
        if not self.enabled:
            return
        recorder = getattr(self.run, "recorder", None)
        if recorder is not None and self.observe not in recorder.listeners:
            recorder.listeners.append(self.observe)
        self._loop = asyncio.get_running_loop()
        self._tick()

    def _tick(self) -> None:
        if wall() - self._drawn_at >= MIN_WALL:
            self.draw()
        assert self._loop is not None
        self._timer = self._loop.call_later(INTERVAL, self._tick)

    def line(self) -> str:
        """The text of the line as of now."""
        run = self.run
        interp = getattr(run, "interp", None)
        phase = self.override or getattr(interp, "phase", None) or "setup"
        now = self._loop.time() if self._loop is not None else 0.0
        if phase == "main" and self._main_started is None:
            self._main_started = now
        if phase not in ("setup", "main") and self._main_started is not None \
                and self._main_ended is None:
            self._main_ended = now
        if self._main_started is None:
            elapsed = 0.0
        else:
            elapsed = (self._main_ended or now) - self._main_started
        c = self.completed
        parts = [f"{elapsed:5.1f}/{self.time_limit:g} s", f"{phase:<8}",
                 f"ops {self.invoked} (ok {c['ok']} fail {c['fail']} info {c['info']})"]
        journal = getattr(run, "journal", None)
        if journal is not None:
            counts = journal.counts()
            parts.append(f"msgs {counts['all'][0]} (servers {counts['servers'][0]})")
        network = getattr(run, "network", None)
        cut = getattr(network, "partitions", None) or {}
        links = sum(len(v) for v in cut.values())
        parts.append(f"partition: {links} links cut" if links else "no partition")
        hosts = (getattr(run, "nodes", None) or []) if interp is not None else []
        down = [h.id for h in hosts if not getattr(h, "running", True)]
        paused = [h.id for h in hosts if getattr(h, "paused", False)]
        if down:
            parts.append("down: " + ",".join(down))
        if paused:
            parts.append("paused: " + ",".join(paused))
        return "  ".join(parts)

    def draw(self) -> None:
        if not self.enabled:
            return
        width = shutil.get_terminal_size((100, 24)).columns - 1
        self.stream.write("\r\x1b[K" + self.line()[:max(10, width)])
        self.stream.flush()
        self._drawn = True
        self._drawn_at = wall()

    def set_phase(self, phase: str) -> None:
        """Show `phase` (e.g. "analysis") from now on and stop the timer; the line stays."""
        self.override = phase
        self._cancel()
        self.draw()

    def close(self) -> None:
        """Stop redrawing and wipe the line (before anything else is printed)."""
        self._cancel()
        if self.enabled and self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
