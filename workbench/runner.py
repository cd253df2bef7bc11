"""Assemble and run one test, as Maelstrom's src/maelstrom/core.clj does: store, network,
services, nodes (real processes, or simulated ones under --sim), init, setup, the run's
generator, teardown, history, analysis, results.edn."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import hashlib
import io
import itertools
import json
import logging
import os
import pickle
import random
import shlex
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Awaitable, Callable

from . import clock, nemesis, report, services, sim, store
from . import generator as gen
from . import history as hist
from .checkers.compose import UNKNOWN, guarded, merge_valid
from .checkers.perf import perf
from .checkers.stats import availability, exceptions, stats
from .client import Client, RPCError, RPCTimeout
from .clock import Clock, SimulationStalled, VirtualLoop, wall
from .errors import EXIT_INVALID, EXIT_UNKNOWN, EXIT_VALID, NodeError, SetupError
from .interpreter import ClientWorker, Interpreter, NemesisWorker, Recorder, Worker
from .journal import Journal
from .network import Latency, Network
from .options import Options
from .process import NodeHost, NodeProcess
from .report import results as results_file
from .report.progress import Progress, Snapshot
from .seeds import Seeds
from .sim import SimNode
from .workloads import Workload, load

log = logging.getLogger("maelstrom.core")
INIT_TIMEOUT = 10.0
SETUP_TIMEOUT = 5.0
RECOVERY_WAIT = 10.0  # seconds between healing and the final generator (Maelstrom's core.clj)
VERDICTS = {True: "Everything looks good! ヽ(‘ー`)ノ",
            False: "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻",
            UNKNOWN: "Errors occurred during analysis, but no anomalies found. ಠ~ಠ"}


class _HostsDB:
    """The nemesis's DB verbs (nemesis.DB, Jepsen's names) over the node hosts, whose own
    names are crash/restart/pause/resume (db.DB takes this over)."""

    def __init__(self, hosts: list[NodeHost]) -> None:
        self.hosts = {h.id: h for h in hosts}

    async def kill(self, node_id: str) -> str:
        return await self.hosts[node_id].crash()

    async def start(self, node_id: str) -> str:
        return await self.hosts[node_id].restart()

    async def pause(self, node_id: str) -> str:
        return await self.hosts[node_id].pause()

    async def resume(self, node_id: str) -> str:
        return await self.hosts[node_id].resume()


class Run:
    """One test: everything it started, so that teardown can always stop it."""

    def __init__(self, opts: Options, run_dir: Path, seed: int) -> None:
        self.opts = opts
        self.dir = run_dir
        self.seed = seed
        self.seeds = Seeds(seed)
        self.warnings: list[str] = []
        self.muted: list[dict[str, Any]] = []  # nodes whose output Maelstrom would stop reading
        self.analysis_seconds = 0.0
        self.nodes: list[NodeHost] = []
        self.interp: Interpreter | None = None
        self.op_log: Callable[[str], None] | None = None  # set by run_once: jepsen.log
        self._client_ids = itertools.count()
        self._failure: asyncio.Future[None] | None = None
        # live line on a terminal unless --quiet
        self.progress = Progress.for_terminal(opts.time_limit, opts.quiet,
                                              sample=self._progress_sample)

    def _progress_sample(self) -> Snapshot:
        """What the progress line shows besides the ops it is fed (after execute began)."""
        counts = self.journal.counts()
        hosts = self.nodes if self.interp is not None else []
        return Snapshot(phase=self.interp.phase if self.interp is not None else None,
                        msgs=counts["all"][0], server_msgs=counts["servers"][0],
                        links_cut=sum(len(v) for v in self.network.partitions.values()),
                        down=tuple(h.id for h in hosts if not h.running),
                        paused=tuple(h.id for h in hosts if h.paused))

    def new_client_id(self) -> str:
        return f"c{next(self._client_ids)}"

    def fail(self, err: NodeError) -> None:
        if self._failure is not None and not self._failure.done():
            self._failure.set_exception(err)

    def warn(self, text: str) -> None:
        if len(self.warnings) < 100:
            self.warnings.append(text)
        log.warning(text)

    async def guard(self, step: Awaitable[Any]) -> Any:
        """Await `step`, unless a node breaks the run first (then raise its NodeError)."""
        assert self._failure is not None
        task = asyncio.ensure_future(step)
        await asyncio.wait([task, self._failure], return_when=asyncio.FIRST_COMPLETED)
        if self._failure.done():
            task.cancel()
            try:
                await task
            except BaseException:
                pass
            self._failure.result()
        return task.result()

    def _host(self, node_id: str) -> NodeHost:
        opts = self.opts
        if opts.sim:
            return SimNode(node_id, opts.bin, list(opts.args), self.network,
                           self.dir / "node-logs", self.fail, self.warn, self.seeds,
                           opts.log_stderr)
        return NodeProcess(node_id, [opts.bin, *opts.args], self.network,
                           self.dir / "node-logs", self.fail, self.warn, opts.log_stderr)

    async def execute(self) -> None:
        """Everything up to the history: nodes, init, setup, the generator, teardown."""
        opts = self.opts
        finished = False
        loop = asyncio.get_running_loop()
        self._failure = loop.create_future()
        self.clock = Clock(loop)
        self.journal = Journal()
        self.network = Network(Latency(opts.latency, opts.latency_dist),
                               self.seeds.stream("latency"), self.journal, self.clock)
        self.network.log_send, self.network.log_recv = opts.log_net_send, opts.log_net_recv
        self.recorder = Recorder(self.clock)
        if self.op_log is not None:
            self.recorder.log_op = self.op_log
        if self.progress.enabled:
            self.recorder.listeners.append(self.progress.observe)
        self.progress.start()
        self.workload: Workload = load(opts, self.seeds.stream("workload"))
        services.register_all(self.network, self.seeds.stream("services"))
        if not os.path.isfile(opts.bin):
            raise SetupError(f"--bin {opts.bin}: no such file")
        if not opts.sim and not os.access(opts.bin, os.X_OK):
            raise SetupError(f"--bin {opts.bin} is not executable (try chmod +x {opts.bin})")
        try:
            (self.dir / "node-logs").mkdir(exist_ok=True)
            for node_id in opts.nodes:
                host = self._host(node_id)
                host.initialize = self._init
                host.on_mute = self.muted.append
                self.nodes.append(host)
            for host in self.nodes:
                await host.start()
            await self.guard(asyncio.gather(*(self._init(host) for host in self.nodes)))
            if self.workload.setup is not None:
                await self.guard(asyncio.gather(*(self._setup(n) for n in opts.nodes)))
            self.interp = self._interpreter()
            log.info("Running test with %s nodes, concurrency %s, seed %s%s", opts.node_count,
                     opts.concurrency, self.seed, " (simulated)" if opts.sim else "")
            await self.guard(self.interp.run(self.generator()))
            finished = True
        finally:
            if self.interp is not None:
                self.interp.close()
            self.network.heal()
            if not finished:
                self.write_history()  # a finished run's is written once the report has it
            for host in self.nodes:  # from here on, nodes' last words are not errors
                host.stopping = True
            await asyncio.gather(*(host.kill() for host in self.nodes))
            self.network.close()

    def _interpreter(self) -> Interpreter:
        opts = self.opts
        nodes = opts.nodes
        workers: dict[gen.Thread, Worker] = {
            t: ClientWorker(self.workload, self.network, nodes[t % len(nodes)],
                            self.new_client_id)
            for t in range(opts.concurrency)}
        self.nemesis = nemesis.Nemesis(nemesis.Scope(self.network, list(nodes),
                                                     _HostsDB(self.nodes),
                                                     self.seeds.stream("targets")))
        workers[gen.NEMESIS] = NemesisWorker(self.nemesis.invoke)
        return Interpreter(self.clock, self.recorder, workers, self.seeds.stream("threads"))

    def _phase(self, name: str) -> gen.Do:
        def mark() -> None:
            assert self.interp is not None
            self.interp.phase = name
        return gen.Do(mark)

    def generator(self) -> gen.Generator:
        """The whole run as one generator, as Maelstrom's core.clj builds it: the workload's
        ops staggered by --rate alongside the nemesis, for --time-limit; then, for workloads
        with a final generator, heal, log, wait 10 s, and the final ops."""
        opts = self.opts
        if opts.rate > 0:
            ops: gen.Generator = gen.clients(
                gen.Stagger(1.0 / opts.rate, self.workload.generator, self.seeds.stream("stagger")))
        else:
            ops = gen.clients(gen.Sleep(opts.time_limit))
        during: list[gen.Generator] = [ops]
        faults = nemesis.generator(opts, self.seeds.stream)
        if faults is not None:
            during.insert(0, faults)
        phases: list[gen.Generator | None] = [
            self._phase("main"), gen.TimeLimit(opts.time_limit, gen.Any(*during))]
        final = self.workload.final_generator
        if final is not None:
            phases += [nemesis.final_generator(opts.nemesis), self._phase("recovery"),
                       gen.log_step("Waiting for recovery..."), gen.Sleep(RECOVERY_WAIT),
                       self._phase("final"), gen.clients(final)]
        return gen.Phases(*phases)

    async def _init(self, host: NodeHost) -> None:
        client = Client(self.network, self.new_client_id(), host.id)
        body = {"type": "init", "node_id": host.id, "node_ids": list(self.opts.nodes)}
        try:
            reply = await client.call(body, timeout=INIT_TIMEOUT)
        except RPCTimeout:
            raise host.error(f"did not answer init within {INIT_TIMEOUT:.0f} s",
                             hint="the node must reply {\"type\": \"init_ok\", "
                                  "\"in_reply_to\": <msg_id>} on stdout") from None
        except RPCError as err:
            raise host.error(f"answered init with an error: {err}") from None
        finally:
            client.close()
        if reply.get("type") != "init_ok":
            raise host.error(f"answered init with {json.dumps(reply)}; expected type init_ok")

    async def _setup(self, node_id: str) -> None:
        client = Client(self.network, self.new_client_id(), node_id)
        assert self.workload.setup is not None
        try:
            await self.workload.setup(client, self.opts)
        except RPCTimeout:
            raise NodeError(f"Node {node_id} did not answer the workload's setup message within "
                            f"{SETUP_TIMEOUT:.0f} s; see {self.dir / 'node-logs' / node_id}.log"
                            ) from None
        except RPCError as err:
            raise NodeError(f"Node {node_id} answered the workload's setup with an error: {err}"
                            ) from None
        finally:
            client.close()

    def write_history(self) -> None:
        """history.edn, history.txt, nemesis-schedule.jsonl and net-journal.jsonl."""
        ops, values = self.recorder.ops, self.recorder.values
        hist.write_edn(self.dir / "history.edn", ops, values)
        hist.write_txt(self.dir / "history.txt", ops, values)
        nemesis.schedule.write(self.dir / nemesis.schedule.FILE, ops)
        self.journal.write(self.dir / "net-journal.jsonl")

    def analyze(self) -> dict[str, Any]:
        ops = self.recorder.ops
        opts = self.opts
        op_count = sum(1 for op in ops if op["type"] == "invoke" and hist.is_client_op(op))
        results: dict[str, Any] = {
            "perf": guarded(lambda: perf(ops)),
            "timeline": {"valid?": True},
            "exceptions": guarded(lambda: exceptions(ops)),
            "stats": guarded(lambda: stats(ops)),
            "availability": guarded(lambda: availability(ops, opts.availability)),
            "net": guarded(lambda: self.journal.net_stats(op_count)),
            "workload": guarded(lambda: self.workload.check(opts, ops)),
        }
        if self.warnings or self.muted:
            results["workbench"] = {"valid?": True, "warnings": list(self.warnings)}
            if self.muted:
                results["workbench"]["muted"] = list(self.muted)
        results["valid?"] = merge_valid(v["valid?"] for v in results.values())
        return results


class _LogFile(logging.FileHandler):
    """jepsen.log, flushed at most every half second of wall clock (and on warnings), not
    after every one of the run's thousands of op lines."""

    stream: io.TextIOWrapper  # (typeshed: or None) opened by __init__, as delay is False

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._flushed = wall()
        self._second = -1
        self._stamp = ""

    def write_op(self, line: str) -> None:
        """One op line, as the logging module would format it, without its overhead."""
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now))
        self.stream.write(f"{self._stamp},{int(now * 1000) % 1000:03d}\tINFO\t[MainThread] "
                          f"jepsen.generator.interpreter: {line}\n")

    def flush(self) -> None:
        pass

    def emit(self, record: logging.LogRecord) -> None:
        super().emit(record)
        if record.levelno >= logging.WARNING or wall() - self._flushed > 0.5:
            self._flushed = wall()
            super().flush()

    def flush_now(self) -> None:
        super().flush()

    def close(self) -> None:
        super().flush()
        super().close()


def _setup_logging(run_dir: Path, quiet: bool) -> _LogFile:
    handler = _LogFile(run_dir / "jepsen.log")
    formatter = logging.Formatter("%(asctime)s\t%(levelname)s\t[%(threadName)s] %(name)s: "
                                  "%(message)s")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def print_results(results: dict[str, Any], out: Any = sys.stdout, max_lines: int = 120,
                  explain: Any = None) -> None:
    text = results_file.edn_text(results, explain).splitlines()
    if len(text) > max_lines:
        text = text[:max_lines] + [f"... ({len(text) - max_lines} more lines in results.edn)"]
    print("\n".join(text), file=out)


class Report:
    """The plots, timeline.html and messages.svg, drawn by a child process forked before the
    test starts: it imports matplotlib while the test runs, gets the history through a pipe
    when the test ends, and draws while the parent analyses (on two cores the report then
    costs next to nothing). Where the OS cannot fork, they are drawn here, in turn."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = run_dir
        self.pid: int | None = None
        self._pipe: int | None = None
        if hasattr(os, "fork"):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(write)
                _report_child(read, run_dir)  # never returns
            os.close(read)
            self.pid, self._pipe = pid, write

    def draw(self, run: Run) -> None:
        """Hand the finished test to the child (or draw it here)."""
        opts = SimpleNamespace(node_count=run.opts.node_count, workload=run.opts.workload)
        events = run.journal.events[:lamport_events(run.opts.node_count)]
        if self._pipe is None:
            _draw(run.dir, opts, run.recorder.ops, events)
            return
        payload = pickle.dumps((opts, report.drawn(run.recorder.ops), events),
                               pickle.HIGHEST_PROTOCOL)
        try:
            with os.fdopen(self._pipe, "wb") as pipe:
                pipe.write(payload)
        except OSError as err:
            log.warning("could not hand the report to its process: %s", err)
        self._pipe = None

    def finish(self) -> None:
        """Wait for the child (after `draw`, or to stop it when the test broke) and pass on
        what it could not draw, as warnings on stderr."""
        if self._pipe is not None:
            os.close(self._pipe)  # the child sees end of file and leaves without drawing
            self._pipe = None
        if self.pid is not None:
            _, status = os.waitpid(self.pid, 0)
            self.pid = None
            if status != 0:
                log.warning("the report process ended with status %s", status)
        errors = self.dir / "report-errors.txt"
        if errors.exists():
            for note in errors.read_text().splitlines():
                print(f"warning: {note}", file=sys.stderr)


class _NoReport(Report):
    """A sweep's seed draws nothing (Options.bare): no process is forked."""

    def __init__(self, run_dir: Path) -> None:
        self.dir, self.pid, self._pipe = run_dir, None, None

    def draw(self, run: Run) -> None:
        pass


def _write_fingerprint(run: Run) -> None:
    """fingerprint.json, what a sweep keeps of a bare run's history: the SHA-256 of what
    history.txt would hold, and the virtual (or, in real mode, run) time of the last op."""
    digest = hashlib.sha256()
    for op, value in zip(run.recorder.ops, run.recorder.values, strict=True):
        digest.update(f"{hist.txt_line(op, value)}\n".encode())
    last = run.recorder.ops[-1]["time"] if run.recorder.ops else 0
    (run.dir / "fingerprint.json").write_text(json.dumps(
        {"history_sha256": digest.hexdigest(), "last_op_s": last / 1e9}))


def lamport_events(node_count: int) -> int:
    """How many journal events messages.svg can need (it draws the first ones only)."""
    from .report.lamport import MAX_EVENTS
    return MAX_EVENTS + 4 * node_count + 2


def _report_child(pipe: int, run_dir: Path) -> None:
    status = 0
    try:
        report.warm_up()
        chunks = []
        while True:
            chunk = os.read(pipe, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        if chunks:
            opts, ops, events = pickle.loads(b"".join(chunks))
            _draw(run_dir, opts, ops, events)
    except BaseException:
        status = 1
    finally:
        for h in logging.getLogger().handlers:
            if isinstance(h, _LogFile):
                h.flush_now()
        os._exit(status)


def _draw(run_dir: Path, opts: Any, ops: list[hist.Op], events: list[Any]) -> None:
    try:
        report.write_artifacts(run_dir, opts, ops, events)
    except Exception as err:  # the report must never hide the test's result
        (run_dir / "report-errors.txt").write_text(
            f"could not write the report files: {type(err).__name__}: {err}\n")


def _write_workload_files(run: Run, results: dict[str, Any]) -> None:
    """The files the workload's checker asks for (a failure here only warns)."""
    write = run.workload.write_files
    explain = run.workload.explain
    if not isinstance(results.get("workload"), dict) or (write is None and explain is None):
        return
    try:
        if explain is not None:  # Elle's elle/<anomaly type>.txt
            results_file.write_anomaly_files(run.dir / "elle", results["workload"], explain)
        if write is not None:
            write(run.dir, results["workload"])
    except Exception as err:
        print(f"warning: could not write the workload's files: {type(err).__name__}: {err}",
              file=sys.stderr)


def replay_command(opts: Options, seed: int) -> str:
    """The command that runs this test again with the same seed."""
    args, tail = list(opts.argv), []
    if "--" in args:
        cut = args.index("--")
        args, tail = args[:cut], args[cut:]
    kept: list[str] = []
    skip = False
    for a in args:
        if skip:
            skip = False
        elif a == "--seed":
            skip = True
        elif not a.startswith("--seed="):
            kept.append(a)
    return shlex.join(["python3", "-m", "workbench", "test", *kept, "--seed", str(seed), *tail])


def _simulate(run: Run) -> None:
    """Run the test on a virtual-time loop with the simulation's hooks installed."""
    hooks = sim.Hooks()
    loop = VirtualLoop()
    loop.set_exception_handler(sim.exception_handler)
    loop.gate = sim.gate
    asyncio.set_event_loop(loop)
    hooks.install()
    try:
        try:
            loop.run_until_complete(run.execute())
        except SimulationStalled as err:
            raise NodeError(f"The simulation stalled: {err}. Every node is waiting and no "
                            "timer is set.") from None
        except SystemExit as err:
            raise NodeError(f"A simulated node raised SystemExit({err.code}) outside a "
                            "handler; see the node logs in "
                            f"{run.dir / 'node-logs'}") from None
    finally:
        try:
            clock.close(loop)
        except BaseException as err:  # a node's clean-up must not hide the result
            log.warning("while stopping the simulation: %r", err)
        finally:
            hooks.remove()
            asyncio.set_event_loop(None)


@contextlib.contextmanager
def _fewer_collections() -> Any:
    """Run with GC_THRESHOLDS instead of Python's (700, 10, 10).

    A run allocates and drops small containers by the million (messages, ops, tasks) and
    keeps a growing history; at the default thresholds the collector walks the young objects
    every 700 allocations and, as the history grows, the whole heap: simulated kafka-5c spent
    about a fifth of its CPU there. Nothing a test observes depends on it; cycles are still
    collected."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


GC_THRESHOLDS = (50_000, 20, 100)


def run_once(opts: Options) -> tuple[int, Path]:
    """Run one test; (exit code, run directory). NodeError/SetupError propagate (exit 255)."""
    with _fewer_collections():
        return _run_test(opts)


def _run_test(opts: Options) -> tuple[int, Path]:
    root = Path(opts.store)
    run_dir = store.new_run_dir(root, opts.workload)
    handler = _setup_logging(run_dir, opts.quiet)
    seed = opts.seed if opts.seed is not None else random.SystemRandom().randrange(2**31)
    replay = replay_command(opts, seed)
    (run_dir / "test.json").write_text(json.dumps(
        {**{k: (sorted(v) if isinstance(v, frozenset) else v) for k, v in vars(opts).items()},
         "seed": seed, "name": opts.workload, "mode": "sim" if opts.sim else "real",
         "replay": replay}, indent=1, default=str))
    handler.flush_now()
    drawing = _NoReport(run_dir) if opts.bare else Report(run_dir)
    run = Run(dataclasses.replace(opts, run_dir=str(run_dir)), run_dir, seed)
    run.op_log = handler.write_op
    started = wall()
    try:
        if opts.sim:
            _simulate(run)
        else:
            asyncio.run(run.execute())
        handler.flush_now()
        run.progress.set_phase("analysis")
        if opts.bare:  # a sweep's seed: see Options.bare
            _write_fingerprint(run)
        else:
            drawing.draw(run)  # first, so that drawing starts while the files are written
            run.write_history()
        analysis_started = wall()
        results = run.analyze()
        run.analysis_seconds = wall() - analysis_started
        results_file.write(run_dir, results, run.workload.explain)
        if not opts.bare:
            _write_workload_files(run, results)
        run.progress.set_phase("plots")
        drawing.finish()
        log.info("Wall clock: the run %.2f s, analysis %.2f s, the whole test with the "
                 "report %.2f s", analysis_started - started, run.analysis_seconds,
                 wall() - started)
        store.mark_latest(root, run_dir)
    finally:
        drawing.finish()
        run.progress.close()
        logging.getLogger().removeHandler(handler)
        handler.close()
    valid = results["valid?"]
    print_results(results, explain=run.workload.explain)
    print()
    print(VERDICTS[valid])
    print(f"Results: {run_dir / 'results.edn'}   (seed {seed})")
    if opts.sim:
        print(f"Replay:  {replay}")
    code = {True: EXIT_VALID, False: EXIT_INVALID}.get(valid, EXIT_UNKNOWN)
    return code, run_dir
