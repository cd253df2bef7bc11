"""Drive a generator through the real interpreter on virtual time, against fake workers
whose ops take a chosen time and end in a chosen way: no processes, no network, no sleeps."""

from __future__ import annotations

import asyncio
import random
from typing import Any, Callable

from workbench import generator as gen
from workbench.clock import Clock, run_virtual
from workbench.interpreter import Interpreter, NemesisWorker, Recorder


class FakeWorker:
    def __init__(self, took: Callable[[dict], float], outcome: Callable[[dict], str],
                 transform: Callable[[dict], dict] = lambda op: op) -> None:
        self.took = took
        self.outcome = outcome
        self.transform = transform

    async def invoke(self, op: dict) -> dict:
        await asyncio.sleep(self.took(op))
        return dict(self.transform(op), type=self.outcome(op))

    def completed(self, done: dict) -> None:
        pass


def drive(generator: gen.Generator, threads: tuple = (0, 1, gen.NEMESIS),
          took: Callable[[dict], float] = lambda op: 0.0,
          outcome: Callable[[dict], str] = lambda op: "ok", seed: int = 0,
          nemesis: Any = None,
          transform: Callable[[dict], dict] = lambda op: op) -> list[dict]:
    """The history of running `generator` to exhaustion (times in ns from the start); client
    ops take took(op) seconds and end as outcome(op); nemesis ops go to `nemesis` (an
    object with `async invoke(op)`) if given, else they take no time."""
    async def main() -> list[dict]:
        clock = Clock(asyncio.get_running_loop())
        recorder = Recorder(clock)
        workers: dict = {t: FakeWorker(took, outcome, transform)
                         for t in threads if gen.is_client(t)}
        if gen.NEMESIS in threads:
            workers[gen.NEMESIS] = (NemesisWorker(nemesis.invoke) if nemesis is not None
                                    else FakeWorker(lambda op: 0.0, lambda op: "info"))
        await Interpreter(clock, recorder, workers, random.Random(seed)).run(generator)
        return recorder.ops
    return run_virtual(main())


class FakeNetwork:
    """What the partitioner touches: the drop table."""

    def __init__(self) -> None:
        self.partitions: dict[str, set[str]] = {}

    def drop(self, src: str, dest: str) -> None:
        self.partitions.setdefault(dest, set()).add(src)

    def heal(self) -> None:
        self.partitions.clear()


def seconds(op: dict) -> float:
    return op["time"] / 1e9


def take(generator: gen.Generator, n: int, threads: tuple = (0,)) -> list[dict]:
    """The first `n` ops `generator` emits (as invoked: f, value and extras)."""
    history = drive(gen.Limit(n, generator), threads=threads)
    invoked, open_nemesis = [], False
    for op in history:  # nemesis ops are :info both ways: every other one is an invocation
        if op["process"] == gen.NEMESIS:
            open_nemesis = not open_nemesis
            if not open_nemesis:
                continue
        elif op["type"] != "invoke":
            continue
        invoked.append({k: v for k, v in op.items()
                        if k not in ("index", "time", "type", "process")})
    return invoked
