"""Assemble and run one test (spec 0): store, network, nodes, init, setup, generator phases,
teardown, history, analysis, results.edn."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import random
import sys
import time
from pathlib import Path
from typing import Any, Awaitable

from . import edn, store
from . import history as hist
from .checkers.compose import UNKNOWN, guarded, merge_valid
from .checkers.perf import perf
from .checkers.stats import availability, exceptions, stats
from .cli import Options
from .client import Client, RPCError, RPCTimeout
from .errors import EXIT_INVALID, EXIT_UNKNOWN, EXIT_VALID, NodeError, SetupError
from .interpreter import Interpreter, Recorder
from .journal import Journal
from .network import Latency, Network
from .process import NodeProcess
from .report.progress import Progress
from .workloads import Workload, load

log = logging.getLogger("maelstrom.core")
INIT_TIMEOUT = 10.0
SETUP_TIMEOUT = 5.0
VERDICTS = {True: "Everything looks good! ヽ(‘ー`)ノ",
            False: "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻",
            UNKNOWN: "Errors occurred during analysis, but no anomalies found. ಠ~ಠ"}


class Run:
    """One test: everything it started, so that teardown can always stop it."""

    def __init__(self, opts: Options, run_dir: Path, seed: int) -> None:
        self.opts = opts
        self.dir = run_dir
        self.seed = seed
        self.rng = random.Random(seed)
        self.warnings: list[str] = []
        self.analysis_seconds = 0.0
        self.nodes: list[NodeProcess] = []
        self._client_ids = itertools.count()
        self._failure: asyncio.Future | None = None
        self.progress = Progress.for_run(self)  # live line on a terminal unless --quiet

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

    async def execute(self) -> dict:
        opts = self.opts
        loop = asyncio.get_running_loop()
        self._failure = loop.create_future()
        self.journal = Journal()
        self.network = Network(Latency(opts.latency, opts.latency_dist), self.rng, self.journal,
                               loop.time())
        self.network.log_send, self.network.log_recv = opts.log_net_send, opts.log_net_recv
        self.recorder = Recorder(self.network)
        self.progress.start()
        self.workload: Workload = load(opts, self.rng)
        _register_services(self)
        command = [opts.bin, *opts.args]
        if not os.path.isfile(opts.bin):
            raise SetupError(f"--bin {opts.bin}: no such file")
        if not os.access(opts.bin, os.X_OK):
            raise SetupError(f"--bin {opts.bin} is not executable (try chmod +x {opts.bin})")
        interp: Interpreter | None = None
        try:
            for node_id in opts.nodes:
                proc = NodeProcess(node_id, command, self.network, self.dir / "node-logs",
                                   self.fail, self.warn, opts.log_stderr)
                self.nodes.append(proc)
            for proc in self.nodes:
                await proc.start()
            await self.guard(asyncio.gather(*(self._init(p.id) for p in self.nodes)))
            if self.workload.setup is not None:
                await self.guard(asyncio.gather(*(self._setup(n) for n in opts.nodes)))
            interp = Interpreter(opts, self.workload, self.network, self.recorder, self.rng,
                                 self.new_client_id)
            self.interp = interp
            log.info("Running test with %s nodes, concurrency %s, seed %s", opts.node_count,
                     opts.concurrency, self.seed)
            await self.guard(interp.run_main())
            await self.guard(interp.run_final())
        finally:
            if interp is not None:
                interp.close()
            self.network.heal()
            self._write_history()
            for proc in self.nodes:  # from here on, nodes' last words are not errors
                proc.stopping = True
            await asyncio.gather(*(proc.kill() for proc in self.nodes))
            self.network.close()
            self.progress.set_phase("analysis")
        analysis_started = time.monotonic()
        results = self.analyze()
        self.analysis_seconds = time.monotonic() - analysis_started
        return results

    async def _init(self, node_id: str) -> None:
        client = Client(self.network, self.new_client_id(), node_id)
        body = {"type": "init", "node_id": node_id, "node_ids": list(self.opts.nodes)}
        proc = next(p for p in self.nodes if p.id == node_id)
        try:
            reply = await client.call(body, timeout=INIT_TIMEOUT)
        except RPCTimeout:
            raise proc._error(f"did not answer init within {INIT_TIMEOUT:.0f} s",
                              hint="the node must reply {\"type\": \"init_ok\", "
                                   "\"in_reply_to\": <msg_id>} on stdout") from None
        except RPCError as err:
            raise proc._error(f"answered init with an error: {err}") from None
        finally:
            client.close()
        if reply.get("type") != "init_ok":
            raise proc._error(f"answered init with {json.dumps(reply)}; expected type init_ok")

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

    def _write_history(self) -> None:
        ops = self.recorder.ops
        hist.write_edn(self.dir / "history.edn", ops)
        hist.write_txt(self.dir / "history.txt", ops)
        self.journal.write(self.dir / "net-journal.jsonl")

    def analyze(self) -> dict:
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
        if self.warnings:
            results["workbench"] = {"valid?": True, "warnings": list(self.warnings)}
        results["valid?"] = merge_valid(v["valid?"] for v in results.values())
        return results


def _register_services(run: Run) -> None:
    """Services (lin-kv, seq-kv, lww-kv, lin-tso) join the network before any node starts."""
    try:
        from . import services
    except ImportError:
        return
    services.register_all(run.network, run.rng)


def _setup_logging(run_dir: Path, quiet: bool) -> logging.Handler:
    handler = logging.FileHandler(run_dir / "jepsen.log")
    formatter = logging.Formatter("%(asctime)s\t%(levelname)s\t[%(threadName)s] %(name)s: "
                                  "%(message)s")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def print_results(results: dict, out: Any = sys.stdout, max_lines: int = 120) -> None:
    text = edn.pretty(results).splitlines()
    if len(text) > max_lines:
        text = text[:max_lines] + [f"... ({len(text) - max_lines} more lines in results.edn)"]
    print("\n".join(text), file=out)


def _write_report(run: Run) -> None:
    """Plots, timeline.html and messages.svg; a failure there only warns (on stderr)."""
    run.progress.set_phase("plots")
    try:
        from .report import write_artifacts
        notes = write_artifacts(run.dir, run.opts, run.recorder.ops, run.journal)
    except Exception as err:  # the report must never hide the test's result
        notes = [f"could not write the report files: {type(err).__name__}: {err}"]
        log.warning(notes[0])
    run.progress.close()
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)


def run_once(opts: Options) -> tuple[int, Path]:
    """Run one test; (exit code, run directory). NodeError/SetupError propagate (exit 255)."""
    root = Path(opts.store)
    run_dir = store.new_run_dir(root, opts.workload)
    handler = _setup_logging(run_dir, opts.quiet)
    seed = opts.seed if opts.seed is not None else random.SystemRandom().randrange(2**31)
    (run_dir / "test.json").write_text(json.dumps(
        {**{k: (sorted(v) if isinstance(v, frozenset) else v) for k, v in vars(opts).items()},
         "seed": seed, "name": opts.workload}, indent=1, default=str))
    run = Run(opts, run_dir, seed)
    started = time.monotonic()
    try:
        results = asyncio.run(run.execute())
        (run_dir / "results.edn").write_text(edn.pretty(results) + "\n")
        report_started = time.monotonic()
        _write_report(run)
        log.info("Analysis took %.2f s, the report %.2f s; the whole run %.2f s",
                 run.analysis_seconds, time.monotonic() - report_started,
                 time.monotonic() - started)
        store.mark_latest(root, run_dir)
    finally:
        run.progress.close()
        logging.getLogger().removeHandler(handler)
        handler.close()
    valid = results["valid?"]
    print_results(results)
    print()
    print(VERDICTS[valid])
    print(f"Results: {run_dir / 'results.edn'}   (seed {seed})")
    code = {True: EXIT_VALID, False: EXIT_INVALID}.get(valid, EXIT_UNKNOWN)
    return code, run_dir
