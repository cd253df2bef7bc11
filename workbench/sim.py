"""Simulated nodes (`--sim`): every node runs inside the workbench's own process, on the
run's virtual-time event loop, so a whole test takes as long as its work, and the same seed
gives the same run, message for message.

Each node executes the script afresh, as `__main__`, with its own module globals, its own
`sys.argv` while the script loads, and its own private copies of `maelstrom_node` and of any
module imported from the script's own directory (so no state is shared between nodes by
reference). `Node.run()` of that private `maelstrom_node` hands the node to its `SimNode`
instead of reading stdin. Messages still cross the network as JSON text in both directions:
a line that is not a Maelstrom message, or a send to nobody, breaks the run exactly as it
does in real mode, with the same errors and exit codes.

While a node's code runs (its script, its handlers, its timers and tasks, which all carry its
`contextvars` context), the process-wide functions below answer for that node:

    time.monotonic/perf_counter   virtual seconds (and the _ns forms)
    time.time                     2026-01-01T00:00:00Z plus virtual seconds
    time.sleep                    moves virtual time on (the node stalls the whole cluster)
    random.*, os.urandom          the node's own stream, seeded from the run's seed
    sys.stdout / sys.stderr       the node's protocol output / its node log
    sys.exit, os._exit            the node exits (a broken run, as in real mode)
    threading.Thread.start        refused: threads cannot be simulated

Outside a node's code they are the real ones. Python's string hashing must also be fixed for
byte-for-byte repeatable runs: `python -m workbench test --sim` re-executes itself with
PYTHONHASHSEED=0 (see __main__.py).

Each message a node handles costs it `NODE_COST` of virtual time, one message at a time (a
serial CPU per node; see network.py), so ops sent to a busy node queue, and a client op
against a node with no latency costs about two deliveries' worth, not zero.
"""

from __future__ import annotations

import ast
import builtins
import contextvars
import importlib.util
import io
import logging
import os
import random
import sys
import threading
import time
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, TextIO

from .errors import NodeError
from .message import Message
from .network import Network
from .process import NodeHost
from .seeds import Seeds

NODE_COST = 0.0002  # virtual seconds a node spends on each message it handles
EPOCH = 1_767_225_600.0  # time.time() at virtual time 0: 2026-01-01T00:00:00Z
THREADED = ("threading", "_thread", "multiprocessing", "concurrent", "subprocess")

CURRENT: contextvars.ContextVar[SimNode | None] = contextvars.ContextVar(
    "workbench_sim_node", default=None)


class NodeExit(BaseException):
    """Raised in a simulated node that called sys.exit or os._exit, to unwind its code."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


# ---- can this script be simulated? ----------------------------------------------------------


def unsimulable(script: str) -> str | None:
    """Why `script` cannot run under --sim, or None if it can (as far as reading it, and the
    modules it imports from its own directory, tells). A script with a syntax error is left
    to fail at start, as it would in real mode."""
    path = Path(script)
    try:
        first = path.read_text().split("\n", 1)[0]
    except (OSError, UnicodeDecodeError) as err:
        return f"it cannot be read as Python source ({err})"
    if path.suffix != ".py" and not (first.startswith("#!") and "python" in first):
        return "it is not a Python script (--sim runs Python nodes built on maelstrom_node.py)"
    imported: set[str] = set()
    why = _read_imports(path, imported, set())
    if why is not None:
        return why
    threaded = sorted(imported & set(THREADED))
    if threaded:
        return (f"it imports {', '.join(threaded)}: threads and child processes cannot run "
                "on the simulation's virtual time")
    if "maelstrom_node" not in imported:
        return "it does not use maelstrom_node.Node (--sim runs nodes built on it)"
    return None


def _read_imports(path: Path, imported: set[str], seen: set[Path]) -> str | None:
    """Add what `path` and the modules beside it that it imports import; or say why the
    code cannot be simulated."""
    seen.add(path)
    try:
        tree = ast.parse(path.read_text(), str(path))
    except (SyntaxError, OSError, UnicodeDecodeError):
        return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Attribute) and node.attr == "stdin" \
                and isinstance(node.value, ast.Name) and node.value.id == "sys":
            return (f"{path.name} reads sys.stdin itself (line {node.lineno}); under --sim "
                    "only maelstrom_node's Node may receive messages")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "input":
            return f"{path.name} reads stdin with input() (line {node.lineno})"
    imported.update(names)
    for name in sorted(names):
        local = path.parent / f"{name}.py"
        if name != "maelstrom_node" and local.is_file() and local not in seen:
            why = _read_imports(local, imported, seen)
            if why is not None:
                return why
    return None


# ---- the process-wide hooks ---------------------------------------------------------------------


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


def _node_or_none() -> SimNode | None:
    return CURRENT.get()


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

        def virtual(name: str, value: Callable[[SimNode], Any]) -> Callable[[], Any]:
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


_CODE: dict[tuple[str, int], Any] = {}


def _compiled(script: Path) -> Any:
    """The script's code object, compiled once per run of the workbench (nodes share it)."""
    key = (str(script), script.stat().st_mtime_ns)
    code = _CODE.get(key)
    if code is None:
        code = _CODE[key] = compile(script.read_bytes(), str(script), "exec")
    return code


def _per_node_random(name: str, shared: random.Random) -> Callable[..., Any]:
    def draw(*args: Any, **kwargs: Any) -> Any:
        node = CURRENT.get()
        return getattr(shared if node is None else node.rng, name)(*args, **kwargs)
    draw.__name__ = name
    return draw


def gate(callback: Any, args: tuple[Any, ...], context: Any) -> tuple[Any, tuple[Any, ...]]:
    """The virtual loop's gate: what a node schedules runs through its `gated`, so the
    nemesis can drop (kill) or hold (pause) it."""
    node = context.get(CURRENT) if context is not None else CURRENT.get()
    if node is None:
        return callback, args
    return node.gated, (node.incarnation, callback, *args)


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


# ---- one simulated node ---------------------------------------------------------------------


class SimNode(NodeHost):
    """One node: the script executed in this process, registered on the network as
    `node_id`, handling one message at a time at NODE_COST each."""

    def __init__(self, node_id: str, script: str, args: list[str], network: Network,
                 log_dir: Path, fail: Callable[[NodeError], None], warn: Callable[[str], None],
                 seeds: Seeds, log_stderr: bool = False) -> None:
        super().__init__(node_id, network, log_dir, fail, warn)
        self.script = Path(script)
        self.args = args
        self.log_stderr = log_stderr
        self.seeds = seeds
        self._log: Any = None
        self._loop: Any = None
        self.held: list[tuple[int, Any, tuple[Any, ...], contextvars.Context]] = []  # while paused
        self._fresh()

    def _fresh(self) -> None:
        """Everything one incarnation has: nothing survives a kill."""
        self.rng = self.seeds.stream(f"node:{self.id}:{self.incarnation}")
        self.node: Any = None  # the maelstrom_node.Node the script made
        self.dead = False
        self.muted = False  # a new process's output is read again
        self.modules: dict[str, ModuleType] = {}
        self._partial = {"stdout": "", "stderr": ""}
        self._context = contextvars.copy_context()
        self._context.run(CURRENT.set, self)
        self._builtins = dict(vars(builtins))
        self._builtins["__import__"] = self._import

    # ---- what the hooks ask ----

    def now(self) -> float:
        return self._loop.time() if self._loop is not None else 0.0

    def stall(self, seconds: float) -> None:
        advance = getattr(self._loop, "advance", None)
        if advance is not None and seconds > 0:
            advance(seconds)

    def write_stream(self, kind: str, text: str) -> None:
        if self.dead:
            return
        if kind == "stderr":
            if self._log is not None:
                self._log.write(text.encode(errors="replace"))
        lines = (self._partial[kind] + text).split("\n")
        self._partial[kind] = lines.pop()
        for line in lines:
            if kind == "stderr":
                self.log_stderr_line(line)
                if self.log_stderr:
                    logging.getLogger(f"{self.id} stderr").info(line)
            else:
                self.emit([line])

    # ---- what maelstrom_node's Node.run() calls ----

    def attach(self, node: Any) -> None:
        """Called by the script's `node.run()`: the node serves from now on."""
        import asyncio
        node.serve_on(asyncio.get_running_loop(), self.emit)
        self.node = node

    def emit(self, lines: list[str]) -> None:
        """Lines the node wrote to stdout."""
        for line in lines:
            if self.dead or self.muted:
                return
            if not self.handle_line(line):
                self.muted = True

    # ---- lifecycle ----

    async def start(self) -> None:
        import asyncio
        self._loop = asyncio.get_running_loop()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab", buffering=0)
        self._boot()
        self.network.register(self.id, self.deliver, NODE_COST)

    def _boot(self) -> None:
        """Execute the script for this incarnation."""
        self.running = True
        status = self._context.run(self._exec)
        if status is not None:
            self.exit(status)
        elif self.node is None:
            self.exit(0)  # the script ended without serving, as a process would exit

    # ---- the nemesis ----

    def gated(self, incarnation: int, callback: Any, *args: Any) -> None:
        """How the loop runs what this node scheduled: not at all for an earlier
        incarnation or a dead node, later for a paused one."""
        if incarnation != self.incarnation or self.dead:
            return
        if self.paused:
            self.held.append((incarnation, callback, args, contextvars.copy_context()))
            return
        callback(*args)

    async def crash(self) -> str:
        if not self.running:
            return "already-dead"
        self.running = self.paused = False
        self.dead = True
        self.held.clear()
        self.network.down(self.id)
        self.mark("killed by the nemesis")
        return "killed"

    async def restart(self) -> str:
        if self.running:
            return "already-running"
        self.incarnation += 1
        self._fresh()
        self.network.up(self.id)
        self.mark("started again by the nemesis")
        self._boot()
        if self.initialize is not None and not self.dead:
            await self.initialize(self)
        return "started"

    async def pause(self) -> str:
        if not self.running or self.paused:
            return "not-running" if not self.running else "already-paused"
        self.paused = True
        self.network.pause(self.id)
        self.mark("paused by the nemesis")
        return "paused"

    async def resume(self) -> str:
        if not self.paused:
            return "not-paused"
        self.paused = False
        self.mark("resumed by the nemesis")
        held, self.held = self.held, []
        for incarnation, callback, args, context in held:
            self._loop.call_soon(self.gated, incarnation, callback, *args, context=context)
        self.network.resume(self.id)
        return "resumed"

    def _exec(self) -> int | None:
        """Execute the script as __main__; an exit status if it ended the node."""
        namespace = {"__name__": "__main__", "__file__": str(self.script),
                     "__builtins__": self._builtins}
        saved_argv = sys.argv
        sys.argv = [str(self.script), *self.args]
        here = str(self.script.parent)
        if here not in sys.path:
            sys.path.insert(0, here)
        try:
            exec(_compiled(self.script), namespace)
        except (NodeExit, SystemExit) as err:
            status = err.code if isinstance(err, SystemExit) else err.status
            if isinstance(status, int) or status is None:
                return status or 0
            self.write_stream("stderr", f"{status}\n")
            return 1
        except BaseException:
            self.write_stream("stderr", traceback.format_exc())
            return 1
        finally:
            sys.argv = saved_argv
        return None

    def deliver(self, msg: Message) -> None:
        if self.dead or self.node is None or self.paused:
            return
        try:
            self._context.run(self.node.receive, msg.to_json())
        except NodeExit as err:
            self.exit(err.status)
        except SystemExit as err:
            self.exit(err.code if isinstance(err.code, int) else 1)

    def exit(self, status: int) -> None:
        """The node's code ended it (sys.exit, os._exit, or its script returned)."""
        if self.dead:
            return
        self.dead = True
        self.running = False
        self.exited(status)

    async def kill(self) -> None:
        self.stopping = True
        self.dead = True
        self.network.unregister(self.id)
        if self._log is not None:
            self._log.close()
            self._log = None

    # ---- private module copies ----

    def _import(self, name: str, globals: Any = None, locals: Any = None,
                fromlist: Any = (), level: int = 0) -> Any:
        if level == 0:
            top = name.partition(".")[0]
            module = self.modules.get(top)
            if module is None and "." not in name:
                module = self._private(top)
            if module is not None:
                return module
        return builtins.__import__(name, globals, locals, fromlist, level)

    def _private(self, name: str) -> ModuleType | None:
        """A private copy of `name` if it is maelstrom_node or lives beside the script."""
        if name in sys.builtin_module_names:
            return None
        local = self.script.parent / f"{name}.py"
        if local.is_file():
            origin = str(local)
        elif name == "maelstrom_node":
            spec = importlib.util.find_spec(name)
            if spec is None or spec.origin is None:
                return None
            origin = spec.origin
        else:
            return None
        spec = importlib.util.spec_from_file_location(name, origin)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        # (the ignores: attributes a module has at run time that ModuleType does not declare)
        module.__builtins__ = self._builtins  # type: ignore[attr-defined]
        self.modules[name] = module
        spec.loader.exec_module(module)
        if name == "maelstrom_node":
            module.simulator = self  # type: ignore[attr-defined]
        return module
