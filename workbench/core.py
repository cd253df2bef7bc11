"""One test as one value, assembled before anything runs, as Maelstrom's src/maelstrom/core.clj
builds its test map (`maelstrom-test`: nodes, net, db, client, nemesis, generator, checker)
for Jepsen to run: the options and seed, the clock, the network and its journal, the
services, the workload (its client, generators and checker), the db that runs the nodes, the
nemesis, the worker threads and the whole run's generator. runner.py runs it."""

from __future__ import annotations

import asyncio
import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import generator as gen
from . import nemesis, services
from .clock import Clock
from .db import DB
from .errors import SetupError
from .incidents import Incidents
from .interpreter import ClientWorker, Interpreter, NemesisWorker, Recorder, Worker
from .journal import Journal
from .nemesis import Nemesis, Scope
from .network import Latency, Network
from .options import Options
from .seeds import Seeds
from .workloads import Workload, load

RECOVERY_WAIT = 10.0  # seconds between healing and the final generator (Maelstrom's core.clj)


@dataclass
class Test:
    """Everything one test is made of (see the module doc)."""

    opts: Options
    dir: Path
    seed: int
    seeds: Seeds
    clock: Clock
    journal: Journal
    network: Network
    incidents: Incidents
    workload: Workload
    db: DB
    recorder: Recorder
    nemesis: Nemesis
    interpreter: Interpreter
    generator: gen.Generator
    new_client_id: Callable[[], str]


def build(opts: Options, run_dir: Path, seed: int, loop: asyncio.AbstractEventLoop) -> Test:
    """Assemble the test for `opts` on `loop` (nothing is started; SetupError for a --bin
    that cannot run)."""
    seeds = Seeds(seed)
    ids = itertools.count()

    def new_client_id() -> str:
        return f"c{next(ids)}"

    clock = Clock(loop)
    journal = Journal()
    network = Network(Latency(opts.latency, opts.latency_dist), seeds.stream("latency"),
                      journal, clock)
    network.log_send, network.log_recv = opts.log_net_send, opts.log_net_recv
    recorder = Recorder(clock)
    workload = load(opts, seeds.stream("workload"))
    services.register_all(network, seeds.stream("services"))
    if not os.path.isfile(opts.bin):
        raise SetupError(f"--bin {opts.bin}: no such file")
    if not opts.sim and not os.access(opts.bin, os.X_OK):
        raise SetupError(f"--bin {opts.bin} is not executable (try chmod +x {opts.bin})")
    incidents = Incidents(loop)
    db = DB(opts, network, incidents, seeds, run_dir / "node-logs", new_client_id)
    nodes = list(opts.nodes)
    # one stream of targets: the partitions' grudges and the nodes a kill or pause strikes
    the_nemesis = Nemesis(Scope(network, nodes, db, seeds.stream("targets")))
    workers: dict[gen.Thread, Worker] = {
        t: ClientWorker(workload, network, nodes[t % len(nodes)], new_client_id)
        for t in range(opts.concurrency)}
    workers[gen.NEMESIS] = NemesisWorker(the_nemesis.invoke)
    interpreter = Interpreter(clock, recorder, workers, seeds.stream("threads"))
    return Test(opts=opts, dir=run_dir, seed=seed, seeds=seeds, clock=clock, journal=journal,
                network=network, incidents=incidents, workload=workload, db=db,
                recorder=recorder, nemesis=the_nemesis, interpreter=interpreter,
                generator=run_generator(opts, seeds, workload, interpreter),
                new_client_id=new_client_id)


def _phase(interpreter: Interpreter, name: str) -> gen.Do:
    def mark() -> None:
        interpreter.phase = name
    return gen.Do(mark)


def run_generator(opts: Options, seeds: Seeds, workload: Workload,
                  interpreter: Interpreter) -> gen.Generator:
    """The whole run as one generator, as Maelstrom's core.clj builds it: the workload's
    ops staggered by --rate alongside the nemesis, for --time-limit; then, for workloads
    with a final generator, heal, log, wait 10 s, and the final ops."""
    if opts.rate > 0:
        ops: gen.Generator = gen.clients(
            gen.Stagger(1.0 / opts.rate, workload.generator, seeds.stream("stagger")))
    else:
        ops = gen.clients(gen.Sleep(opts.time_limit))
    during: list[gen.Generator] = [ops]
    faults = nemesis.generator(opts, seeds.stream)  # each package's, or --nemesis-schedule's
    if faults is not None:
        during.insert(0, faults)
    phases: list[gen.Generator | None] = [
        _phase(interpreter, "main"), gen.TimeLimit(opts.time_limit, gen.Any(*during))]
    final = workload.final_generator
    if final is not None:
        phases += [nemesis.final_generator(opts.nemesis), _phase(interpreter, "recovery"),
                   gen.log_step("Waiting for recovery..."), gen.Sleep(RECOVERY_WAIT),
                   _phase(interpreter, "final"), gen.clients(final)]
    return gen.Phases(*phases)
