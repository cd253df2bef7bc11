"""Time, real or virtual: the only place the run reads the time or waits for it.

A run has one asyncio event loop and one `Clock` on it. In real mode the loop is asyncio's
own and its time is the monotonic clock. In simulation (`--sim`) the loop is a
`VirtualLoop`: its `time()` is a number the loop owns, and whenever nothing is ready to run
it jumps straight to the next timer instead of sleeping, so a 20 s test takes as long as
its work does (the idea of Trio's autojump clock and of the `looptime` package).

`wall()` is the one exception: it reads the real clock, and exists only to measure what the
workbench itself costs (analysis and report times), never anything a test observes.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import heapq
import itertools
import selectors
import time
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Mapping, TypeVar

if TYPE_CHECKING:
    from typing_extensions import TypeVarTuple, Unpack

    _Ts = TypeVarTuple("_Ts")  # asyncio's callback arguments, as typeshed spells them

T = TypeVar("T")


def wall() -> float:
    """Seconds on the real (monotonic) clock, for measuring the workbench's own cost."""
    return time.perf_counter()


class SimulationStalled(RuntimeError):
    """Raised when a simulated run has nothing to run and no timer to wait for."""


class _NoIO(selectors.BaseSelector):
    """A selector for a loop that does no I/O: registrations are kept (asyncio registers
    its self-pipe) but nothing is ever polled."""

    def __init__(self) -> None:
        self._keys: dict[Any, selectors.SelectorKey] = {}

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        fd = fileobj if isinstance(fileobj, int) else fileobj.fileno()
        key = selectors.SelectorKey(fileobj, fd, events, data)
        self._keys[fd] = key
        return key

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        fd = fileobj if isinstance(fileobj, int) else fileobj.fileno()
        return self._keys.pop(fd)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        self.unregister(fileobj)
        return self.register(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        return []  # never polled: VirtualLoop's own turn jumps time and detects a stall

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return dict(self._keys)

    def close(self) -> None:
        self._keys.clear()


def _fill(handle: Any, callback: Any, args: Any, loop: Any,
          context: contextvars.Context | None) -> None:
    """Set a Handle's own fields (asyncio/events.py) as its __init__ does without debug.
    (`handle` is Any: typeshed declares only some of these private fields.)"""
    handle._context = context if context is not None else contextvars.copy_context()
    handle._loop = loop
    handle._callback = callback
    handle._args = args
    handle._cancelled = False
    handle._repr = None
    handle._source_traceback = None


class _Handle(asyncio.Handle):
    """A ready callback of the virtual loop, made without asyncio's per-handle debug check
    (a simulation schedules several hundred thousand; the loop uses asyncio's own handles
    when its debug mode is on)."""

    __slots__ = ()

    def __init__(self, callback: Any, args: Any, loop: Any,
                 context: contextvars.Context | None) -> None:
        _fill(self, callback, args, loop, context)


class _TimerHandle(asyncio.TimerHandle):
    """A timer of the virtual loop, already on its heap; made as `_Handle` is."""

    __slots__ = ()

    def __init__(self, when: float, callback: Any, args: Any, loop: Any,
                 context: contextvars.Context | None) -> None:
        _fill(self, callback, args, loop, context)
        self._when = when
        self._scheduled = True


class VirtualLoop(asyncio.SelectorEventLoop):
    """An asyncio loop on virtual time: it never sleeps, it jumps to the next timer.

    Ready callbacks run first-in first-out and timers in deadline order, so the same
    program gives the same interleaving every time. No real I/O may be done on it."""

    def __init__(self) -> None:
        self._now = 0.0
        self._seq = itertools.count()
        super().__init__(_NoIO())

    def time(self) -> float:
        return self._now

    def call_soon(self, callback: Callable[[Unpack[_Ts]], object], *args: Unpack[_Ts],
                  context: contextvars.Context | None = None) -> asyncio.Handle:
        if self._debug:  # type: ignore[attr-defined]  # asyncio's private debug flag
            return super().call_soon(callback, *args, context=context)
        if self.is_closed():
            raise RuntimeError("Event loop is closed")
        handle = _Handle(callback, args, self, context)
        self._ready.append(handle)  # type: ignore[attr-defined]  # asyncio's ready queue
        return handle

    def call_at(self, when: float, callback: Callable[[Unpack[_Ts]], object], *args: Unpack[_Ts],
                context: contextvars.Context | None = None) -> asyncio.TimerHandle:
        timer = _TimerHandle(when, callback, args, self, context)
        # (when, seq, timer): the heap compares floats and ints, not TimerHandles (whose
        # __lt__ is Python code); seq keeps equal deadlines in the order they were set.
        # The ignore: BaseEventLoop._scheduled is asyncio's private state, which typeshed
        # does not declare
        heapq.heappush(self._scheduled, (when, next(self._seq), timer))  # type: ignore[attr-defined]
        return timer

    def _run_once(self) -> None:
        """One turn: jump to the next timer if nothing is ready, then run what is due.
        (asyncio's own turn, without the selector and with a lighter timer heap.)"""
        # the ignores: asyncio's private loop state, which typeshed does not declare
        ready = self._ready  # type: ignore[attr-defined]
        scheduled: list[Any] = self._scheduled  # type: ignore[attr-defined]
        if not ready and not self._stopping:  # type: ignore[attr-defined]
            while scheduled and scheduled[0][2]._cancelled:
                heapq.heappop(scheduled)
            if not scheduled:
                raise SimulationStalled("the simulation has nothing left to run and no "
                                        "timer to wait for")
            if scheduled[0][0] > self._now:
                self._now = scheduled[0][0]
        end = self._now + self._clock_resolution  # type: ignore[attr-defined]
        while scheduled and scheduled[0][0] < end:
            timer = heapq.heappop(scheduled)[2]
            if not timer._cancelled:
                timer._scheduled = False
                ready.append(timer)
        for _ in range(len(ready)):
            handle = ready.popleft()
            if not handle._cancelled:
                handle._run()

    def advance(self, seconds: float) -> None:
        """Move virtual time forward (a simulated node's time.sleep does this: sim/node.py)."""
        if seconds > 0:
            self._now += seconds


class Timeouts:
    """Many timeouts of one fixed length on one loop timer: deadlines come in the order they
    were set, so a queue replaces a timer heap entry (and its cancellation) per timeout."""

    def __init__(self, loop: asyncio.AbstractEventLoop, seconds: float) -> None:
        self.loop = loop
        self.seconds = seconds
        self._context = contextvars.copy_context()
        self._queue: collections.deque[list[Any]] = collections.deque()  # [deadline, fn, live]
        self._timer: asyncio.TimerHandle | None = None

    def add(self, fn: Callable[[], None]) -> list[Any]:
        """Call fn() `seconds` from now unless the returned entry is cancelled."""
        entry: list[Any] = [self.loop.time() + self.seconds, fn, True]
        self._queue.append(entry)
        if self._timer is None:
            self._timer = self.loop.call_at(entry[0], self._fire, context=self._context)
        return entry

    @staticmethod
    def cancel(entry: list[Any]) -> None:
        entry[2] = False

    def _fire(self) -> None:
        self._timer = None
        queue, now = self._queue, self.loop.time()
        while queue and (not queue[0][2] or queue[0][0] <= now):
            deadline, fn, live = queue.popleft()
            if live:
                fn()
        if queue:
            self._timer = self.loop.call_at(queue[0][0], self._fire, context=self._context)


class Clock:
    """Seconds since the run started, and waiting, on the run's event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.t0 = loop.time()
        self.virtual = isinstance(loop, VirtualLoop)
        self._timeouts: dict[float, Timeouts] = {}

    def timeouts(self, seconds: float) -> Timeouts:
        """The shared queue of `seconds`-long timeouts."""
        queue = self._timeouts.get(seconds)
        if queue is None:
            queue = self._timeouts[seconds] = Timeouts(self.loop, seconds)
        return queue

    def now(self) -> float:
        """Seconds since the run started."""
        return self.loop.time() - self.t0

    def now_ns(self) -> int:
        """Nanoseconds since the run started (history and journal times)."""
        return int((self.loop.time() - self.t0) * 1e9)

    def at(self, t: float) -> float:
        """The loop time of run time `t` (for loop.call_at)."""
        return self.t0 + t

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            await asyncio.sleep(seconds)

    async def sleep_until(self, t: float) -> None:
        """Wait until run time `t` (seconds since the start)."""
        await self.sleep(t - self.now())


def run_virtual(main: Awaitable[T]) -> T:
    """Run coroutine `main` to completion on a fresh VirtualLoop (tests, harnesses)."""
    loop = VirtualLoop()
    try:
        return loop.run_until_complete(main)
    finally:
        close(loop)


def close(loop: asyncio.AbstractEventLoop, timeout: float = 1.0) -> None:
    """Cancel what is left on `loop`, give it `timeout` (loop time) to finish, and close."""
    try:
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.wait(tasks, timeout=timeout))
        for task in asyncio.all_tasks(loop):
            # what never got to finish: under --sim, a killed incarnation's tasks, whose
            # steps the loop no longer runs; they are dropped with their node, quietly
            # (asyncio would log "Task was destroyed but it is pending!" for each)
            task._log_destroy_pending = False  # type: ignore[attr-defined]
    finally:
        loop.close()
