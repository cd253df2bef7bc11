"""The generator interpreter (spec 4): worker threads, processes and clients, the global
stagger under --rate, the time limit, the nemesis, and the final phase."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import TYPE_CHECKING, Callable

from . import history as hist
from .client import Client
from .edn import Keyword
from .generator import Generator, stagger_gap
from .nemesis import draw_grudge, grudge_value
from .network import Network

if TYPE_CHECKING:
    from .cli import Options
    from .workloads import Workload

log = logging.getLogger("jepsen.generator.interpreter")
RECOVERY_WAIT = 10.0


class Recorder:
    """Appends ops to the history with index and time, and logs them as Jepsen does."""

    def __init__(self, network: Network) -> None:
        self.ops: list[dict] = []
        self.network = network
        self.listeners: list[Callable[[dict], None]] = []

    def record(self, op: dict) -> dict:
        op["index"] = len(self.ops)
        op["time"] = self.network.now_ns()
        self.ops.append(op)
        if log.isEnabledFor(logging.INFO):
            log.info(hist.txt_line(op))
        for listener in self.listeners:
            listener(op)
        return op


class Worker:
    """One client thread: bound to node nodes[thread mod N], one op at a time."""

    def __init__(self, interp: Interpreter, thread: int) -> None:
        self.interp = interp
        self.thread = thread
        self.process = thread
        self.node = interp.opts.nodes[thread % interp.opts.node_count]
        self.client: Client | None = None
        self.workload_client = None

    async def perform(self, template: dict, gen: Generator) -> dict:
        interp = self.interp
        if self.client is None:
            self.client = Client(interp.network, interp.new_client_id(), self.node)
            self.workload_client = interp.workload.client()
        op = {k: v for k, v in template.items() if k != "_at"}
        op.update(type="invoke", process=self.process)
        interp.recorder.record(op)
        done = await self.workload_client.invoke(self.client, op)  # type: ignore[union-attr]
        done = dict(done, process=op["process"])
        interp.recorder.record(done)
        gen.update(done)
        if done["type"] == "info":
            self.process += interp.opts.concurrency
            if not interp.workload.reusable:
                self.close()
        return done

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None


class Interpreter:
    def __init__(self, opts: Options, workload: Workload, network: Network,
                 recorder: Recorder, rng: random.Random,
                 new_client_id: Callable[[], str]) -> None:
        self.opts = opts
        self.workload = workload
        self.network = network
        self.recorder = recorder
        self.rng = rng
        self.new_client_id = new_client_id
        self.loop = asyncio.get_running_loop()
        self.workers = [Worker(self, t) for t in range(opts.concurrency)]
        self.phase = "setup"
        self.partitioned = False

    def now(self) -> float:
        return self.loop.time() - self.network.t0

    async def _sleep_until(self, at: float) -> None:
        delay = at - self.now()
        if delay > 0:
            await asyncio.sleep(delay)

    # ---- main phase ------------------------------------------------------------------------

    async def run_main(self) -> None:
        self.phase = "main"
        start = self.now()
        end = start + self.opts.time_limit
        tasks = []
        if "partition" in self.opts.nemesis:
            tasks.append(self.loop.create_task(self._nemesis(start, end)))
        tasks.append(self.loop.create_task(self._clients(start, end)))
        try:
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()

    async def _clients(self, start: float, end: float) -> None:
        if self.opts.rate <= 0:
            await self._sleep_until(end)
            return
        gen = self.workload.generator
        free = list(range(len(self.workers)))
        freed = asyncio.Event()
        running: set[asyncio.Task] = set()

        def release(thread: int) -> Callable[[asyncio.Task], None]:
            def done(task: asyncio.Task) -> None:
                running.discard(task)
                free.append(thread)
                freed.set()
            return done

        due = start
        try:
            while due < end:
                await self._sleep_until(due)
                waited_for_thread = not free
                while not free:
                    freed.clear()
                    await freed.wait()
                now = self.now()
                if now >= end:
                    break
                thread = free.pop(self.rng.randrange(len(free)))
                template = gen.op(thread, now)
                if template is None:
                    free.append(thread)
                    break
                task = self.loop.create_task(self.workers[thread].perform(template, gen))
                running.add(task)
                task.add_done_callback(release(thread))
                # Jepsen's stagger: the next op is due a random gap after this one's due time,
                # or after now when this op had to wait for a free thread. (Waking late only
                # because the event loop's timers are coarse, ~1 ms, must not cost rate.)
                due = (now if waited_for_thread else due) + stagger_gap(self.rng, self.opts.rate)
            while running:  # in-flight ops finish (up to their timeouts)
                await asyncio.gather(*list(running))
        finally:
            for task in running:
                task.cancel()

    async def _nemesis(self, start: float, end: float) -> None:
        due = start
        starting = True
        while due < end:
            await self._sleep_until(due)
            if starting:
                self.partition()
            else:
                self.heal()
            starting = not starting
            due = max(due, self.now()) + self.rng.uniform(0, 2 * self.opts.nemesis_interval)

    def partition(self) -> None:
        spec, grudge = draw_grudge(self.opts.nodes, self.rng)
        rec = self.recorder.record
        rec({"type": "info", "process": hist.NEMESIS, "f": "start-partition",
             "value": Keyword(spec)})
        for dest, srcs in grudge.items():
            for src in srcs:
                self.network.drop(src, dest)
        self.partitioned = True
        rec({"type": "info", "process": hist.NEMESIS, "f": "start-partition",
             "value": grudge_value(grudge)})

    def heal(self) -> None:
        rec = self.recorder.record
        rec({"type": "info", "process": hist.NEMESIS, "f": "stop-partition", "value": None})
        self.network.heal()
        self.partitioned = False
        rec({"type": "info", "process": hist.NEMESIS, "f": "stop-partition",
             "value": Keyword("network-healed")})

    # ---- final phase ----------------------------------------------------------------------

    async def run_final(self) -> None:
        gen = self.workload.final_generator
        if gen is None:
            return
        if "partition" in self.opts.nemesis:
            self.heal()
        self.phase = "recovery"
        log.info("Waiting for recovery...")
        await asyncio.sleep(RECOVERY_WAIT)
        self.phase = "final"

        async def thread_loop(worker: Worker) -> None:
            while True:
                template = gen.op(worker.thread, self.now())
                if template is None:
                    return
                if "_at" in template:
                    await self._sleep_until(template["_at"])
                await worker.perform(template, gen)

        await asyncio.gather(*(thread_loop(w) for w in self.workers))

    def close(self) -> None:
        for w in self.workers:
            w.close()
