"""One simulated node: the script executed in the workbench's process as `__main__`, with
its own module globals and private copies of `maelstrom_node` and of the modules beside the
script; its `Node.run()` hands the node over to its SimNode instead of reading stdin."""

from __future__ import annotations

import builtins
import contextvars
import importlib.util
import logging
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

from ..incidents import Incidents
from ..message import Message
from ..network import Network
from ..process import NodeHost
from ..seeds import Seeds
from .hooks import CURRENT, NodeExit

NODE_COST = 0.0002  # virtual seconds a node spends on each message it handles


_CODE: dict[tuple[str, int], Any] = {}


def _compiled(script: Path) -> Any:
    """The script's code object, compiled once per run of the workbench (nodes share it)."""
    key = (str(script), script.stat().st_mtime_ns)
    code = _CODE.get(key)
    if code is None:
        code = _CODE[key] = compile(script.read_bytes(), str(script), "exec")
    return code


class SimNode(NodeHost):
    """One node: the script executed in this process, registered on the network as
    `node_id`, handling one message at a time at NODE_COST each."""

    def __init__(self, node_id: str, script: str, args: list[str], network: Network,
                 log_dir: Path, incidents: Incidents, seeds: Seeds,
                 log_stderr: bool = False) -> None:
        super().__init__(node_id, network, log_dir, incidents)
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

    # ---- what the private maelstrom_node's Node.run() calls ----

    def attach(self, node: Any) -> None:
        """Called by the script's `node.run()` (see `_serve_here`): the node serves from
        now on, through its `serve_on` and `receive`."""
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

    async def launch(self) -> None:
        import asyncio
        self._loop = asyncio.get_running_loop()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab", buffering=0)
        self.network.register(self.id, self.deliver, NODE_COST)  # first, as db.py says
        self._boot()

    async def _begin(self) -> None:
        self._boot()

    def _renew(self) -> None:
        self._fresh()

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

    async def _halt(self) -> None:
        self.dead = True
        self.held.clear()

    def _thaw(self) -> None:
        held, self.held = self.held, []
        for incarnation, callback, args, context in held:
            self._loop.call_soon(self.gated, incarnation, callback, *args, context=context)

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

    async def stop(self) -> None:
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
            self._serve_here(module)
        return module

    def _serve_here(self, library: ModuleType) -> None:
        """Replace `Node.run` in this node's private copy of maelstrom_node: instead of
        reading stdin, the node is handed to this SimNode (`attach`). The copy is this
        incarnation's own, so no other node, and no real-mode node, sees the change."""
        host = self

        def run(node: Any) -> None:
            host.attach(node)
        run.__doc__ = "Under --sim: hand the node to its simulated host and return."
        library.Node.run = run
