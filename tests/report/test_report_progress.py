"""The live progress line: only on a terminal without --quiet, redrawn by a loop timer at
most four times a second, wiped before the results are printed."""

from __future__ import annotations

import asyncio
import io

from workbench.report.progress import INTERVAL, Progress, Snapshot


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class Run:
    """What the runner hands the line: a snapshot it can change between redraws."""

    def __init__(self) -> None:
        self.snapshot = Snapshot(msgs=2, server_msgs=1)

    def sample(self) -> Snapshot:
        return self.snapshot


def test_silent_when_not_a_terminal_or_quiet() -> None:
    for stream, quiet in ((io.StringIO(), False), (Tty(), True)):
        run = Run()
        progress = Progress.for_terminal(20.0, quiet, stream, run.sample)

        async def go(progress: Progress = progress) -> None:
            progress.start()
            progress.draw()
            progress.set_phase("analysis")
            progress.close()

        asyncio.run(go())
        assert stream.getvalue() == ""
        assert not progress.enabled


def test_line_counts_ops_messages_partitions_and_nodes_down_or_paused() -> None:
    stream = Tty()
    run = Run()
    progress = Progress.for_terminal(20.0, False, stream, run.sample)

    async def go() -> str:
        progress.start()
        for op in ({"type": "invoke", "process": 0}, {"type": "ok", "process": 0},
                   {"type": "invoke", "process": 1}, {"type": "info", "process": 1},
                   {"type": "info", "process": "nemesis"}):
            progress.observe(op)
        run.snapshot = Snapshot(phase="main", msgs=2, server_msgs=1, links_cut=3,
                                down=("n1",), paused=("n2",))
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
    progress = Progress.for_terminal(20.0, False, stream, Run().sample)

    async def go() -> None:
        progress.start()
        progress.set_phase("analysis")
        assert progress._timer is None

    asyncio.run(go())
    assert "analysis" in stream.getvalue().split("\r\x1b[K")[-1]
    progress.close()
    assert stream.getvalue().endswith("\r\x1b[K")
