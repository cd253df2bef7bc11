"""The live progress line: only on a terminal without --quiet, redrawn by a loop timer at
most four times a second, wiped before the results are printed."""

from __future__ import annotations

import asyncio
import io
from types import SimpleNamespace

from workbench.journal import Journal
from workbench.message import Message
from workbench.report.progress import INTERVAL, Progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(quiet: bool = False) -> SimpleNamespace:
    journal = Journal()
    journal.record(0, "send", Message(0, "c0", "n0", {"type": "echo"}))
    journal.record(0, "send", Message(1, "n0", "n1", {"type": "gossip"}))
    return SimpleNamespace(opts=SimpleNamespace(time_limit=20.0, quiet=quiet),
                           recorder=SimpleNamespace(listeners=[]), journal=journal,
                           network=SimpleNamespace(partitions={}))


def test_silent_when_not_a_terminal_or_quiet() -> None:
    for stream, quiet in ((io.StringIO(), False), (Tty(), True)):
        run = _run(quiet)
        progress = Progress.for_run(run, stream)

        async def go(progress: Progress = progress) -> None:
            progress.start()
            progress.draw()
            progress.set_phase("analysis")
            progress.close()

        asyncio.run(go())
        assert stream.getvalue() == ""
        assert run.recorder.listeners == []


def test_line_counts_ops_messages_partitions_and_nodes_down_or_paused() -> None:
    stream = Tty()
    run = _run()
    progress = Progress.for_run(run, stream)

    async def go() -> str:
        progress.start()
        listener = run.recorder.listeners[0]
        run.interp = SimpleNamespace(phase="main")
        for op in ({"type": "invoke", "process": 0}, {"type": "ok", "process": 0},
                   {"type": "invoke", "process": 1}, {"type": "info", "process": 1},
                   {"type": "info", "process": "nemesis"}):
            listener(op)
        run.network.partitions = {"n1": {"n2", "n3"}, "n2": {"n1"}}
        run.nodes = [SimpleNamespace(id="n1", running=False, paused=False),
                     SimpleNamespace(id="n2", running=True, paused=True),
                     SimpleNamespace(id="n3", running=True, paused=False)]
        line = progress.line()
        # the next redraw is a loop timer a quarter second away, not a thread
        assert progress._timer is not None
        assert abs(progress._timer.when() - asyncio.get_running_loop().time() - INTERVAL) < 0.05
        progress.close()
        return line

    line = asyncio.run(go())
    assert "/20 s" in line and "main" in line
    assert "ops 2 (ok 1 fail 0 info 1)" in line
    assert "msgs 2 (servers 1)" in line
    assert "partition: 3 links cut" in line
    assert "down: n1" in line and "paused: n2" in line and "n3" not in line
    out = stream.getvalue()
    assert out.startswith("\r\x1b[K") and out.endswith("\r\x1b[K")  # drawn, then wiped
    assert "\n" not in out


def test_set_phase_stops_the_timer_and_shows_the_phase() -> None:
    stream = Tty()
    progress = Progress.for_run(_run(), stream)

    async def go() -> None:
        progress.start()
        progress.set_phase("analysis")
        assert progress._timer is None

    asyncio.run(go())
    assert "analysis" in stream.getvalue().split("\r\x1b[K")[-1]
    progress.close()
    assert stream.getvalue().endswith("\r\x1b[K")
