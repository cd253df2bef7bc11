"""The process-wide replacements a simulated run installs (time, random, os.urandom,
sys.stdout/stderr, sys.exit, os._exit, threads): inside a node's code they answer for that
node (the one in `CURRENT`), outside it they are the real ones; and the virtual loop's
exception handler, which sends a node's unhandled exception to its own log."""

from __future__ import annotations

import contextvars
import io
import logging
import os
import random
import sys
import threading
import time
import traceback
from typing import Any, Callable, Protocol, TextIO

EPOCH = 1_767_225_600.0  # time.time() at virtual time 0: 2026-01-01T00:00:00Z


class Simulated(Protocol):
    """What the hooks ask of the node whose code is running (sim/node.py's SimNode)."""

    rng: random.Random

    def now(self) -> float: ...

    def stall(self, seconds: float) -> None: ...

    def write_stream(self, kind: str, text: str) -> None: ...

    def exit(self, status: int) -> None: ...


CURRENT: contextvars.ContextVar[Any] = contextvars.ContextVar("workbench_sim_node",
                                                              default=None)
"""The simulated node whose code is running (a SimNode), or None."""


class NodeExit(BaseException):
    """Raised in a simulated node that called sys.exit or os._exit, to unwind its code."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Stream(io.TextIOBase):
    """sys.stdout or sys.stderr: the current node's, inside a node's code; else the real one."""

    def __init__(self, real: TextIO, kind: str) -> None:
        self.real = real
        self.kind = kind

    def write(self, text: str) -> int:
        node = CURRENT.get()
        if node is None:
            return self.real.write(text)
        node.write_stream(self.kind, text)
        return len(text)

    def flush(self) -> None:
        if CURRENT.get() is None:
            self.real.flush()

    def isatty(self) -> bool:
        return CURRENT.get() is None and self.real.isatty()

    def fileno(self) -> int:
        if CURRENT.get() is not None:
            raise io.UnsupportedOperation("a simulated node has no file descriptors")
        return self.real.fileno()

    # (the ignore: TextIOBase declares encoding as a writable attribute; this one is read-only)
    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.real, "encoding", "utf-8")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class Hooks:
    """Installs the process-wide replacements (see the module doc) for one simulated run,
    and puts everything back on `remove`."""

    def __init__(self) -> None:
        self._saved: list[tuple[Any, str, Any]] = []

    def _swap(self, owner: Any, name: str, value: Any) -> None:
        self._saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    def install(self) -> None:
        real_time = {n: getattr(time, n) for n in
                     ("monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns", "time",
                      "time_ns", "sleep")}

        def virtual(name: str, value: Callable[[Simulated], Any]) -> Callable[[], Any]:
            real = real_time[name]

            def now() -> Any:
                node = CURRENT.get()
                return real() if node is None else value(node)
            now.__name__ = name
            return now

        self._swap(time, "monotonic", virtual("monotonic", lambda n: n.now()))
        self._swap(time, "perf_counter", virtual("perf_counter", lambda n: n.now()))
        self._swap(time, "monotonic_ns", virtual("monotonic_ns", lambda n: int(n.now() * 1e9)))
        self._swap(time, "perf_counter_ns",
                   virtual("perf_counter_ns", lambda n: int(n.now() * 1e9)))
        self._swap(time, "time", virtual("time", lambda n: EPOCH + n.now()))
        self._swap(time, "time_ns", virtual("time_ns", lambda n: int((EPOCH + n.now()) * 1e9)))

        def sleep(seconds: float) -> None:
            node = CURRENT.get()
            if node is None:
                real_time["sleep"](seconds)
            else:
                node.stall(seconds)
        self._swap(time, "sleep", sleep)

        shared = random._inst
        for name in dir(random):
            fn = getattr(random, name)
            if getattr(fn, "__self__", None) is shared and not name.startswith("_"):
                self._swap(random, name, _per_node_random(name, shared))

        real_urandom = os.urandom

        def urandom(n: int) -> bytes:
            node = CURRENT.get()
            return real_urandom(n) if node is None else node.rng.randbytes(n)
        self._swap(os, "urandom", urandom)

        real_exit, real_os_exit = sys.exit, os._exit

        def sys_exit(status: Any = None) -> None:
            node = CURRENT.get()
            if node is None:
                real_exit(status)
            code = 0 if status is None else status if isinstance(status, int) else 1
            if not isinstance(status, int) and status is not None:
                node.write_stream("stderr", f"{status}\n")
            raise NodeExit(code)

        def os_exit(status: int) -> None:
            if CURRENT.get() is None:
                real_os_exit(status)
            raise NodeExit(status)
        self._swap(sys, "exit", sys_exit)
        self._swap(os, "_exit", os_exit)

        real_start = threading.Thread.start

        def start(thread: threading.Thread) -> None:
            if CURRENT.get() is not None:
                raise RuntimeError("a simulated node cannot start threads; run it without "
                                   "--sim")
            real_start(thread)
        self._swap(threading.Thread, "start", start)
        self._swap(sys, "stdout", _Stream(sys.stdout, "stdout"))
        self._swap(sys, "stderr", _Stream(sys.stderr, "stderr"))

    def remove(self) -> None:
        while self._saved:
            owner, name, value = self._saved.pop()
            setattr(owner, name, value)


def _per_node_random(name: str, shared: random.Random) -> Callable[..., Any]:
    def draw(*args: Any, **kwargs: Any) -> Any:
        node = CURRENT.get()
        return getattr(shared if node is None else node.rng, name)(*args, **kwargs)
    draw.__name__ = name
    return draw


def exception_handler(loop: Any, context: dict[str, Any]) -> None:
    """The loop's handler: an exception in a node's callback goes to that node's log, as the
    node's own asyncio would print it to its stderr; others to the workbench's log."""
    handle = context.get("handle") or context.get("future") or context.get("task")
    node = None
    get_context = getattr(handle, "get_context", None)
    ctx = get_context() if get_context is not None else getattr(handle, "_context", None)
    if ctx is not None:
        node = ctx.get(CURRENT)
    exc = context.get("exception")
    if isinstance(exc, NodeExit):
        if node is not None:
            node.exit(exc.status)
        return
    text = context.get("message", "unhandled exception in event loop")
    if exc is not None:
        text += "\n" + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if node is not None:
        node.write_stream("stderr", text + "\n")
    else:
        logging.getLogger("workbench.sim").error(text)
