"""The interpreter: global stagger under --rate, the time limit, processes after :info, and
partition nemesis ops in the history."""

from __future__ import annotations

import asyncio
import random

from workbench.cli import parse
from workbench.generator import Stream
from workbench.interpreter import Interpreter, Recorder
from workbench.journal import Journal
from workbench.network import Latency, Network
from workbench.workloads import Workload


class InstantClient:
    """Completes every op at once: :info every third op, :ok otherwise."""

    calls = 0

    async def invoke(self, rpc: object, op: dict) -> dict:
        InstantClient.calls += 1
        return dict(op, type="info" if InstantClient.calls % 3 == 0 else "ok")


def _run(flags: list[str], seed: int = 3) -> tuple[list[dict], float]:
    opts = parse(["--bin", "x", "-w", "echo", *flags])
    workload = Workload(name="fake", client=InstantClient,
                        generator=Stream(lambda r: {"f": "op", "value": None},
                                         random.Random(seed)),
                        check=lambda o, h: {"valid?": True})

    async def scenario() -> tuple[list[dict], float]:
        loop = asyncio.get_running_loop()
        net = Network(Latency(), random.Random(seed), Journal(), loop.time())
        recorder = Recorder(net)
        ids = iter(range(10**6))
        interp = Interpreter(opts, workload, net, recorder, random.Random(seed),
                             lambda: f"c{next(ids)}")
        started = loop.time()
        await interp.run_main()
        return recorder.ops, loop.time() - started

    return asyncio.run(scenario())


def test_rate_is_the_total_across_threads_and_time_limit_holds() -> None:
    ops, took = _run(["--node-count", "2", "--concurrency", "4", "--rate", "400",
                      "--time-limit", "1"])
    invokes = [op for op in ops if op["type"] == "invoke"]
    # 400 ops/s for 1 s; uniform gaps in [0, 5 ms) make the count vary by ~±15
    assert 340 <= len(invokes) <= 450
    assert took < 1.3
    assert {op["process"] % 4 for op in invokes} == {0, 1, 2, 3}


def test_info_moves_the_thread_to_a_new_process() -> None:
    ops, _ = _run(["--node-count", "1", "--concurrency", "1", "--rate", "100",
                   "--time-limit", "0.3"])
    done = [op for op in ops if op["type"] != "invoke"]
    processes = [op["process"] for op in done]
    assert processes == sorted(processes)
    infos = sum(1 for op in done if op["type"] == "info")
    assert processes[-1] in (infos, infos - 1)  # each :info bumps the process by concurrency
    for inv, comp in zip(ops[::2], ops[1::2], strict=True):
        assert inv["type"] == "invoke" and inv["process"] == comp["process"]


def test_zero_rate_issues_no_client_ops() -> None:
    ops, took = _run(["--rate", "0", "--time-limit", "0.2"])
    assert ops == [] and took >= 0.19


def test_partition_nemesis_alternates_start_and_stop() -> None:
    ops, _ = _run(["--node-count", "5", "--rate", "10", "--time-limit", "1",
                   "--nemesis", "partition", "--nemesis-interval", "0.1"])
    nemesis = [op for op in ops if op["process"] == "nemesis"]
    fs = [op["f"] for op in nemesis]
    assert fs[:4] == ["start-partition", "start-partition", "stop-partition", "stop-partition"]
    assert all(op["type"] == "info" for op in nemesis)
    grudge = nemesis[1]["value"]
    assert grudge[0] == "isolated" and isinstance(grudge[1], dict) and grudge[1]
