"""Run one test, as Jepsen runs the test map Maelstrom's src/maelstrom/core.clj builds: the
test is assembled first (core.py), then its db sets the nodes up (db.py), the generator runs
to its end, the db tears the nodes down, and the history is written, analysed and reported
(results.edn, the workload's files, the drawings of report/drawing.py). A simulated test
runs on the simulator's loop (sim/), a real one on asyncio's."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import random
import shlex
import sys
from pathlib import Path
from typing import Any

from . import history as hist
from . import nemesis, store
from .checkers.compose import UNKNOWN, guarded, merge_valid
from .checkers.perf import perf
from .checkers.stats import availability, exceptions, stats
from .client import Client, RPCError, RPCTimeout
from .clock import wall
from .core import Test, build
from .errors import EXIT_INVALID, EXIT_UNKNOWN, EXIT_VALID, NodeError
from .jepsen_log import open_log
from .options import Options
from .report import results as results_file
from .report.drawing import Report
from .report.progress import Progress, Snapshot
from .sim import simulate
from .tuning import fewer_collections

log = logging.getLogger("maelstrom.core")
SETUP_TIMEOUT = 5.0
VERDICTS = {True: "Everything looks good! ヽ(‘ー`)ノ",
            False: "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻",
            UNKNOWN: "Errors occurred during analysis, but no anomalies found. ಠ~ಠ"}


class Run:
    """Running one test: it builds the test on the run's loop, then sets up, runs and tears
    down what the test holds, so that teardown can always stop it."""

    def __init__(self, opts: Options, run_dir: Path, seed: int) -> None:
        self.opts = opts
        self.dir = run_dir
        self.seed = seed
        self.analysis_seconds = 0.0
        self.test: Test | None = None
        self.running = False  # the generator has started
        self.op_log: Any = None  # set by run_once: jepsen.log's writer of op lines
        # live line on a terminal unless --quiet
        self.progress = Progress.for_terminal(opts.time_limit, opts.quiet,
                                              sample=self._progress_sample)

    def _progress_sample(self) -> Snapshot:
        """What the progress line shows besides the ops it is fed (after execute began)."""
        test = self.test
        assert test is not None
        counts = test.journal.counts()
        hosts = list(test.db.hosts.values()) if self.running else []
        return Snapshot(phase=test.interpreter.phase if self.running else None,
                        msgs=counts["all"][0], server_msgs=counts["servers"][0],
                        links_cut=sum(len(v) for v in test.network.partitions.values()),
                        down=tuple(h.id for h in hosts if not h.running),
                        paused=tuple(h.id for h in hosts if h.paused))

    async def execute(self) -> None:
        """Build the test, then everything up to the history: setup, the generator,
        teardown."""
        self.test = test = build(self.opts, self.dir, self.seed, asyncio.get_running_loop())
        if self.op_log is not None:
            test.recorder.log_op = self.op_log
        if self.progress.enabled:
            test.recorder.listeners.append(self.progress.observe)
        self.progress.start()
        opts = self.opts
        finished = False
        try:
            await test.db.setup()
            if test.workload.setup is not None:
                await test.incidents.guard(asyncio.gather(*(self._setup(test, n)
                                                            for n in opts.nodes)))
            self.running = True
            log.info("Running test with %s nodes, concurrency %s, seed %s%s", opts.node_count,
                     opts.concurrency, self.seed, " (simulated)" if opts.sim else "")
            await test.incidents.guard(test.interpreter.run(test.generator))
            finished = True
        finally:
            if self.running:
                test.interpreter.close()
            test.network.heal()
            if not finished:
                self.write_history()  # a finished run's is written once the report has it
            await test.db.teardown()
            test.network.close()

    async def _setup(self, test: Test, node_id: str) -> None:
        """The workload client's setup on `node_id` (Jepsen's client setup!)."""
        client = Client(test.network, test.new_client_id(), node_id)
        assert test.workload.setup is not None
        try:
            await test.workload.setup(client, self.opts)
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
        assert self.test is not None
        ops, values = self.test.recorder.ops, self.test.recorder.values
        hist.write_edn(self.dir / "history.edn", ops, values)
        hist.write_txt(self.dir / "history.txt", ops, values)
        nemesis.schedule.write(self.dir / nemesis.schedule.FILE, ops)
        self.test.journal.write(self.dir / "net-journal.jsonl")

    def analyze(self) -> dict[str, Any]:
        assert self.test is not None
        test = self.test
        ops = test.recorder.ops
        opts = self.opts
        op_count = sum(1 for op in ops if op["type"] == "invoke" and hist.is_client_op(op))
        results: dict[str, Any] = {
            "perf": guarded(lambda: perf(ops)),
            "timeline": {"valid?": True},
            "exceptions": guarded(lambda: exceptions(ops)),
            "stats": guarded(lambda: stats(ops)),
            "availability": guarded(lambda: availability(ops, opts.availability)),
            "net": guarded(lambda: test.journal.net_stats(op_count)),
            "workload": guarded(lambda: test.workload.check(opts, ops)),
        }
        warnings, muted = test.incidents.warnings, test.incidents.muted
        if warnings or muted:
            results["workbench"] = {"valid?": True, "warnings": list(warnings)}
            if muted:
                results["workbench"]["muted"] = list(muted)
        results["valid?"] = merge_valid(v["valid?"] for v in results.values())
        return results


def print_results(results: dict[str, Any], out: Any = sys.stdout, max_lines: int = 120,
                  explain: Any = None) -> None:
    text = results_file.edn_text(results, explain).splitlines()
    if len(text) > max_lines:
        text = text[:max_lines] + [f"... ({len(text) - max_lines} more lines in results.edn)"]
    print("\n".join(text), file=out)


def _write_fingerprint(test: Test) -> None:
    """fingerprint.json, what a sweep keeps of a bare run's history: the SHA-256 of what
    history.txt would hold, and the virtual (or, in real mode, run) time of the last op."""
    digest = hashlib.sha256()
    ops, values = test.recorder.ops, test.recorder.values
    for op, value in zip(ops, values, strict=True):
        digest.update(f"{hist.txt_line(op, value)}\n".encode())
    last = ops[-1]["time"] if ops else 0
    (test.dir / "fingerprint.json").write_text(json.dumps(
        {"history_sha256": digest.hexdigest(), "last_op_s": last / 1e9}))


def _write_workload_files(test: Test, results: dict[str, Any]) -> None:
    """The files the workload's checker asks for (a failure here only warns)."""
    write = test.workload.write_files
    explain = test.workload.explain
    if not isinstance(results.get("workload"), dict) or (write is None and explain is None):
        return
    try:
        if explain is not None:  # Elle's elle/<anomaly type>.txt
            results_file.write_anomaly_files(test.dir / "elle", results["workload"], explain)
        if write is not None:
            write(test.dir, results["workload"])
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


def run_once(opts: Options) -> tuple[int, Path]:
    """Run one test; (exit code, run directory). NodeError/SetupError propagate (exit 255)."""
    with fewer_collections():
        return _run_test(opts)


def _run_test(opts: Options) -> tuple[int, Path]:
    root = Path(opts.store)
    run_dir = store.new_run_dir(root, opts.workload)
    handler = open_log(run_dir)
    seed = opts.seed if opts.seed is not None else random.SystemRandom().randrange(2**31)
    replay = replay_command(opts, seed)
    (run_dir / "test.json").write_text(json.dumps(
        {**{k: (sorted(v) if isinstance(v, frozenset) else v) for k, v in vars(opts).items()},
         "seed": seed, "name": opts.workload, "mode": "sim" if opts.sim else "real",
         "replay": replay}, indent=1, default=str))
    handler.flush_now()
    drawing = Report(run_dir, draws=not opts.bare)
    run = Run(dataclasses.replace(opts, run_dir=str(run_dir)), run_dir, seed)
    run.op_log = handler.write_op
    started = wall()
    try:
        if opts.sim:
            simulate(run.execute, run_dir / "node-logs")
        else:
            asyncio.run(run.execute())
        test = run.test
        assert test is not None
        handler.flush_now()
        run.progress.set_phase("analysis")
        if opts.bare:  # a sweep's seed keeps no history files: see Options.bare
            _write_fingerprint(test)
        else:  # drawing first, so that it starts while the files are written
            drawing.draw(opts.node_count, opts.workload, test.recorder.ops,
                         test.journal.events)
            run.write_history()
        analysis_started = wall()
        results = run.analyze()
        run.analysis_seconds = wall() - analysis_started
        results_file.write(run_dir, results, test.workload.explain)
        if not opts.bare:
            _write_workload_files(test, results)
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
    print_results(results, explain=test.workload.explain)
    print()
    print(VERDICTS[valid])
    print(f"Results: {run_dir / 'results.edn'}   (seed {seed})")
    if opts.sim:
        print(f"Replay:  {replay}")
    code = {True: EXIT_VALID, False: EXIT_INVALID}.get(valid, EXIT_UNKNOWN)
    return code, run_dir
