"""workbench.clock's VirtualLoop, directly: ready callbacks first in first out, timers in
deadline order (ties in the order set), time jumping to the next timer, call_later and
call_at, cancellation, advance, and the stall it reports when nothing is left to run."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.clock import Clock, SimulationStalled, VirtualLoop, close, run_virtual


@pytest.fixture
def loop():
    loop = VirtualLoop()
    yield loop
    close(loop)


def _run(loop: VirtualLoop, until: float) -> None:
    loop.run_until_complete(asyncio.sleep(until - loop.time()))


def test_time_starts_at_zero_and_jumps_to_each_timer(loop: VirtualLoop) -> None:
    seen: list[float] = []
    assert loop.time() == 0.0
    loop.call_at(5.0, lambda: seen.append(loop.time()))
    loop.call_at(3600.0, lambda: seen.append(loop.time()))
    _run(loop, 7200.0)
    assert seen == [5.0, 3600.0] and loop.time() == 7200.0


def test_timers_run_in_deadline_order_and_ties_in_the_order_set(loop: VirtualLoop) -> None:
    order: list[str] = []
    for name, when in [("c", 3.0), ("a", 1.0), ("b1", 2.0), ("b2", 2.0), ("b3", 2.0)]:
        loop.call_at(when, order.append, name)
    _run(loop, 4.0)
    assert order == ["a", "b1", "b2", "b3", "c"]


def test_ready_callbacks_run_first_in_first_out_before_a_due_timer(loop: VirtualLoop) -> None:
    order: list[str] = []
    loop.call_at(0.0, order.append, "timer")
    for name in ("s1", "s2", "s3"):
        loop.call_soon(order.append, name)
    _run(loop, 1.0)
    assert order == ["s1", "s2", "s3", "timer"]


def test_call_later_is_relative_to_the_virtual_now(loop: VirtualLoop) -> None:
    seen: list[tuple[str, float]] = []
    _run(loop, 10.0)
    loop.call_later(2.5, lambda: seen.append(("later", loop.time())))
    loop.call_at(11.0, lambda: seen.append(("at", loop.time())))
    _run(loop, 20.0)
    assert seen == [("at", 11.0), ("later", 12.5)]


def test_a_cancelled_timer_does_not_run_nor_hold_time_back(loop: VirtualLoop) -> None:
    seen: list[str] = []
    loop.call_at(1.0, seen.append, "cancelled").cancel()
    loop.call_later(2.0, seen.append, "kept")
    handle = loop.call_soon(seen.append, "cancelled soon")
    handle.cancel()
    _run(loop, 3.0)
    assert seen == ["kept"]


def test_advance_moves_time_forward_only(loop: VirtualLoop) -> None:
    loop.advance(1.5)
    assert loop.time() == 1.5
    loop.advance(-1.0)
    loop.advance(0.0)
    assert loop.time() == 1.5
    fired: list[float] = []
    loop.call_at(1.0, lambda: fired.append(loop.time()))  # already past: runs at once
    _run(loop, 1.5)
    assert fired == [1.5]


def test_nothing_to_run_and_no_timer_is_a_stall(loop: VirtualLoop) -> None:
    never: asyncio.Future[None] = loop.create_future()
    with pytest.raises(SimulationStalled):
        loop.run_until_complete(never)


def test_clock_reads_run_time_on_the_virtual_loop() -> None:
    async def main() -> tuple[float, int, bool]:
        clock = Clock(asyncio.get_running_loop())
        await clock.sleep_until(2.25)
        return clock.now(), clock.now_ns(), clock.virtual

    assert run_virtual(main()) == (2.25, 2_250_000_000, True)



STUBBORN = """
import asyncio
from workbench.clock import VirtualLoop, close

loop = VirtualLoop()
never = loop.create_future()

async def stubborn():  # as a killed incarnation's task: it never runs again
    try:
        await asyncio.sleep(100)
    except asyncio.CancelledError:
        await never

task = loop.create_task(stubborn())
loop.run_until_complete(asyncio.sleep(1))
close(loop, timeout=1.0)
print("pending" if not task.done() else "done")
"""


def test_close_drops_a_task_that_never_finishes_without_a_word() -> None:
    out = subprocess.run([sys.executable, "-c", STUBBORN], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "pending"
    assert "Task was destroyed" not in out.stderr  # asyncio's words, at the interpreter's exit
