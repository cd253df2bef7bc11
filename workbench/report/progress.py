"""The live progress line on a terminal while a test runs:

    12.3/20 s  main  ops 11980 (ok 11975 fail 0 info 2)  msgs 24012 (servers 40)  healthy

It redraws itself in place on stderr at most four times a second from an event-loop timer
(no thread), only when stderr is a terminal and --quiet is not given, and wipes itself
before the results are printed. It knows nothing of the run: the runner feeds it each op as
an event (`observe`, a recorder listener) and hands it a `sample` function that returns a
`Snapshot` of the rest (the generator's phase, message counts, links cut, nodes down or
paused), which the line reads at each redraw."""

from __future__ import annotations

import asyncio
import shutil
import sys
from dataclasses import dataclass
from typing import Any, Callable, TextIO

from ..clock import wall

INTERVAL = 0.25  # seconds of run time (virtual under --sim) between redraws
MIN_WALL = 0.1  # ... and never more often than this on the real clock


@dataclass(frozen=True)
class Snapshot:
    """The state of a run the line shows, besides the ops it has been fed."""

    phase: str | None = None  # the generator's phase ("main", "recovery", "final"), if begun
    msgs: int = 0  # messages sent so far, all participants
    server_msgs: int = 0  # ... between servers
    links_cut: int = 0  # directed links a partition cuts now
    down: tuple[str, ...] = ()  # nodes killed and not restarted
    paused: tuple[str, ...] = ()


class Progress:
    """One progress line. Inert (writes nothing) unless `enabled`."""

    def __init__(self, time_limit: float, enabled: bool, stream: TextIO,
                 sample: Callable[[], Snapshot] | None = None) -> None:
        self.time_limit = time_limit
        self.enabled = enabled
        self.stream = stream
        self.sample = sample
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
    def for_terminal(cls, time_limit: float, quiet: bool, stream: TextIO | None = None,
                     sample: Callable[[], Snapshot] | None = None) -> Progress:
        """A progress line enabled when `stream` (stderr) is a terminal and the run is not
        --quiet. Feed it ops with `observe`; call `start()` inside the run's event loop."""
        stream = stream if stream is not None else sys.stderr
        isatty: Any = getattr(stream, "isatty", None)
        tty = bool(isatty()) if callable(isatty) else False
        return cls(float(time_limit), tty and not quiet, stream, sample)

    # ---- counting ------------------------------------------------------------------------

    def observe(self, op: dict[str, Any]) -> None:
        """An op event (a Recorder listener): count client invocations and completions."""
        if op.get("process") == "nemesis":
            return
        kind = op.get("type")
        if kind == "invoke":
            self.invoked += 1
        elif kind in self.completed:
            self.completed[kind] += 1

    # ---- drawing -------------------------------------------------------------------------

    def start(self) -> None:
        """Begin redrawing (inside the running loop)."""
        if not self.enabled:
            return
        self._loop = asyncio.get_running_loop()
        self._tick()

    def _tick(self) -> None:
        if wall() - self._drawn_at >= MIN_WALL:
            self.draw()
        assert self._loop is not None
        self._timer = self._loop.call_later(INTERVAL, self._tick)

    def line(self) -> str:
        """The text of the line as of now."""
        snap = self.sample() if self.sample is not None else Snapshot()
        phase = self.override or snap.phase or "setup"
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
        if self.sample is not None:
            parts.append(f"msgs {snap.msgs} (servers {snap.server_msgs})")
        links = snap.links_cut
        parts.append(f"partition: {links} links cut" if links else "no partition")
        if snap.down:
            parts.append("down: " + ",".join(snap.down))
        if snap.paused:
            parts.append("paused: " + ",".join(snap.paused))
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
