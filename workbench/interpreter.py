"""The generator interpreter (Jepsen's jepsen/generator/interpreter.clj): asks the run's
generator for ops, hands each due op to its thread, records invocations and completions in
the history, and reports completions back to the generator. It owns no timing and draws no
random numbers of its own, except which free thread takes an op (the `threads` stream).

Threads are the client threads 0..C-1 and "nemesis". Each client thread has a process
number, at first its thread number; an :info completion moves it to process + C (the old
process may still be running, as far as the history can tell). Nemesis ops are recorded
with process :nemesis and type :info, both invocation and completion. A client completion's
value is recorded as workbench.values.clojure makes it (floats and booleans as Clojure's =
sees them): the one place where every workload's node output becomes checker input.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence

from . import edn
from . import generator as gen
from . import history as hist
from .client import Client, indeterminate
from .clock import Clock
from .history import Op
from .values import clojure

if TYPE_CHECKING:
    from .network import Network
    from .workloads import Workload

log = logging.getLogger("jepsen.generator.interpreter")
EPSILON = 1e-9  # an op due this close to now is due now (float rounding of loop times)


class Recorder:
    """Appends ops to the history with index and time, and logs them as Jepsen does."""

    def __init__(self, clock: Clock) -> None:
        self.ops: list[Op] = []
        self.values: list[str] = []  # each op's value as EDN, written once for every file
        self.clock = clock
        self.listeners: list[Callable[[Op], None]] = []
        self.log_op: Callable[[str], None] = log.info  # jepsen.log's line for each op

    def record(self, op: Op) -> Op:
        op["index"] = len(self.ops)
        op["time"] = self.clock.now_ns()
        self.ops.append(op)
        value = edn.dumps(op.get("value"))
        self.values.append(value)
        self.log_op(hist.txt_line(op, value))
        for listener in self.listeners:
            listener(op)
        return op


class Worker(Protocol):
    async def invoke(self, op: Op) -> Op:
        """Perform `op` (its invocation is recorded) and return its completion."""

    def completed(self, done: Op) -> None:
        """Hear about this worker's own completion (after it is recorded)."""


class ClientWorker:
    """One client thread: bound to one node, one op at a time, through a Maelstrom client
    that it opens on its first op. For non-reusable workloads an :info completion moves the
    thread to a new process, and the old client is closed, and a new one opened, only when
    the thread invokes its next op (or when the run ends), as Jepsen's
    jepsen/generator/interpreter.clj ClientWorker invoke! does: until then a late reply to
    the old client is still delivered to it, and dropped there, instead of going to a
    client that no longer exists (which mutes the node, as in Maelstrom's net.clj)."""

    def __init__(self, workload: Workload, network: Network, node: str,
                 new_client_id: Callable[[], str]) -> None:
        self.workload = workload
        self.network = network
        self.node = node
        self.new_client_id = new_client_id
        self.client: Client | None = None
        self.workload_client: Any = None
        self.stale = False  # the process moved on (an :info): close the client at next invoke

    async def invoke(self, op: Op) -> Op:
        if self.stale:
            self.close()
        if self.client is None:
            self.client = Client(self.network, self.new_client_id(), self.node)
            self.workload_client = self.workload.client()
        done: Op = await self.workload_client.invoke(self.client, op)
        return done

    def completed(self, done: Op) -> None:
        if done["type"] == "info" and not self.workload.reusable:
            self.stale = True

    def close(self) -> None:
        self.stale = False
        if self.client is not None:
            self.client.close()
            self.client = None


class NemesisWorker:
    """The nemesis thread: ops go to `execute(op) -> completion`."""

    def __init__(self, execute: Callable[[Op], Any]) -> None:
        self.execute = execute

    async def invoke(self, op: Op) -> Op:
        done = await self.execute(op)
        return dict(done, type="info")

    def completed(self, done: Op) -> None:
        pass


class Interpreter:
    def __init__(self, clock: Clock, recorder: Recorder, workers: dict[gen.Thread, Worker],
                 threads: random.Random) -> None:
        self.clock = clock
        self.recorder = recorder
        self.workers = workers
        self.threads: tuple[gen.Thread, ...] = tuple(workers)
        self.concurrency = sum(1 for t in self.threads if gen.is_client(t))
        self.process: dict[gen.Thread, Any] = {
            t: (t if gen.is_client(t) else hist.NEMESIS) for t in self.threads}
        self.rng = threads
        self.busy: set[gen.Thread] = set()
        self._free: tuple[gen.Thread, ...] | None = None  # the free threads, while unchanged
        self.phase = "setup"  # for the progress line: set by gen.Do steps of the run
        self._running: set[asyncio.Task[None]] = set()
        self._timer: asyncio.TimerHandle | None = None  # asks the generator at _timer_at
        self._timer_at: float | None = None
        self._generator: gen.Generator = gen.Phases()
        self._done: asyncio.Future[None] = asyncio.Future()

    def _choose(self, free: Sequence[gen.Thread]) -> gen.Thread:
        return free[0] if len(free) == 1 else free[self.rng.randrange(len(free))]

    def context(self) -> gen.Context:
        if self._free is None:
            self._free = tuple([t for t in self.threads if t not in self.busy])
        return gen.Context(self.clock.now(), self.threads, self._free, self._choose)

    def _take(self, thread: gen.Thread) -> None:
        self.busy.add(thread)
        self._free = None

    def _give_back(self, thread: gen.Thread) -> None:
        if thread in self.busy:
            self.busy.discard(thread)
            self._free = None

    async def run(self, generator: gen.Generator) -> None:
        """Run `generator` to exhaustion, then wait for every op in flight. Nothing here
        polls: the generator is asked again when an op completes or when the time it named
        comes."""
        self._generator = generator
        self._done = asyncio.get_running_loop().create_future()
        self._pump()
        try:
            await self._done
        finally:
            for task in self._running:
                task.cancel()
            self._arm(None)

    def _pump(self) -> None:
        """Ask the generator until nothing is due now: dispatch what is due, set the timer
        for what comes later, and finish once it is exhausted and nothing is in flight."""
        done, generator = self._done, self._generator
        if done.done():
            return
        try:
            while True:
                ctx = self.context()
                answer = generator.op(ctx)
                if answer is None:
                    self._arm(None)
                    if not self._running:
                        done.set_result(None)
                    return
                if isinstance(answer, gen.Emit) and answer.time <= ctx.time + EPSILON:
                    self._dispatch(generator, ctx, answer)
                    continue
                until = answer.time if isinstance(answer, gen.Emit) else answer.until
                if until is None and not self._running:
                    raise RuntimeError(f"the generator is pending with no op in flight: "
                                       f"{gen.describe(answer)}")
                self._arm(until)
                return
        except Exception as err:
            done.set_exception(err)

    def _arm(self, until: float | None) -> None:
        """Have the generator asked again at run time `until` (None: no timer)."""
        if until == self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None if until is None else self.clock.loop.call_at(
            self.clock.at(until), self._ring)
        self._timer_at = until

    def _ring(self) -> None:
        self._timer = self._timer_at = None
        self._pump()

    def _dispatch(self, generator: gen.Generator, ctx: gen.Context, emit: gen.Emit) -> None:
        thread = emit.thread
        if thread in self.busy or thread not in self.workers:
            raise RuntimeError(f"the generator emitted an op on thread {thread!r}, which is "
                               f"not free: {gen.describe(emit)}")
        generator.emitted(ctx, emit)
        op = dict(emit.op)
        op["type"] = "invoke" if gen.is_client(thread) else "info"
        op["process"] = self.process[thread]
        self.recorder.record(op)
        self._take(thread)
        task = self.clock.loop.create_task(self._perform(generator, thread, op))
        self._running.add(task)

    async def _perform(self, generator: gen.Generator, thread: gen.Thread, op: Op) -> None:
        worker = self.workers[thread]
        invocation = {k: v for k, v in op.items() if k not in ("index", "time")}
        try:
            try:
                done = await worker.invoke(invocation)
            except asyncio.CancelledError:
                raise
            except Exception as err:  # a client bug: the op's outcome is unknown
                log.warning("%s crashed on %s", type(worker).__name__, op, exc_info=True)
                done = indeterminate(invocation, err)
            done = dict(done, process=op["process"])
            if "value" in done and gen.is_client(thread):
                # where a node's reply becomes checker input: Clojure's = from here on
                done["value"] = clojure(done["value"])
            self.recorder.record(done)
            if done["type"] == "info" and gen.is_client(thread):
                self.process[thread] += self.concurrency
            worker.completed(done)
            self._give_back(thread)
            generator.update(self.context(), thread, done)
        finally:
            self._give_back(thread)
            self._running.discard(asyncio.current_task())
        self._pump()

    def close(self) -> None:
        for worker in self.workers.values():
            close = getattr(worker, "close", None)
            if close is not None:
                close()
