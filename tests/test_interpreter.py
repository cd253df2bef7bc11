"""The generators and the interpreter on virtual time: stagger under --rate, the time limit,
phases that wait for idle threads, per-thread generators, processes after :info, nemesis ops
in the history, and op values that do not depend on timing."""

from __future__ import annotations

import random

import pytest

from tests.gen_driver import FakeNetwork, drive, seconds
from workbench import generator as gen
from workbench import nemesis
from workbench.nemesis import partition


def _nemesis(network: FakeNetwork, nodes: list[str], targets: random.Random) -> nemesis.Nemesis:
    """The nemesis on a fake network; no DB (partitions only)."""
    return nemesis.Nemesis(nemesis.Scope(network, nodes, None, targets))  # type: ignore[arg-type]


def counter_stream(rng: random.Random) -> gen.Stream:
    values = iter(range(10**9))
    return gen.Stream(lambda r: {"f": "op", "value": (next(values), r.randrange(1000))}, rng)


def clients_at(rate: float, limit: float, seed: int = 1) -> gen.Generator:
    return gen.TimeLimit(limit, gen.clients(gen.Stagger(1 / rate, counter_stream(
        random.Random(seed)), random.Random(seed + 1))))


def invokes(history: list[dict]) -> list[dict]:
    return [op for op in history if op["type"] == "invoke"]


def test_rate_is_the_total_across_threads_and_the_time_limit_holds() -> None:
    history = drive(clients_at(400, 1.0), threads=(0, 1, 2, 3), took=lambda op: 0.002)
    ops = invokes(history)
    assert 340 <= len(ops) <= 460  # 400/s for 1 s, uniform gaps in [0, 5 ms)
    assert seconds(ops[0]) == 0.0 and seconds(ops[-1]) < 1.0
    assert {op["process"] for op in ops} == {0, 1, 2, 3}
    assert history[-1]["type"] == "ok"  # the last op in flight finished


def test_a_busy_thread_delays_the_next_op_and_the_stagger_restarts_from_then() -> None:
    # One thread, ops taking 50 ms at rate 1000: each op waits for the thread.
    history = drive(clients_at(1000, 0.5), threads=(0,), took=lambda op: 0.05)
    times = [seconds(op) for op in invokes(history)]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert 10 <= len(times) <= 11 and all(g == pytest.approx(0.05) for g in gaps)


def test_op_values_do_not_depend_on_timing() -> None:
    fast = drive(clients_at(200, 1.0, seed=5), threads=(0, 1), took=lambda op: 0.0)
    slow = drive(clients_at(200, 1.0, seed=5), threads=(0, 1), took=lambda op: 0.05)
    a = [op["value"] for op in invokes(fast)]
    b = [op["value"] for op in invokes(slow)]
    assert len(b) < len(a)
    assert a[:len(b)] == b


def test_the_same_seed_gives_the_same_history() -> None:
    one = drive(clients_at(300, 0.5), threads=(0, 1, 2), took=lambda op: 0.004, seed=9)
    two = drive(clients_at(300, 0.5), threads=(0, 1, 2), took=lambda op: 0.004, seed=9)
    assert one == two


def test_info_moves_the_thread_to_a_new_process() -> None:
    history = drive(clients_at(100, 0.3), threads=(0,),
                    outcome=lambda op: "info" if op["value"][0] % 3 == 2 else "ok")
    done = [op for op in history if op["type"] != "invoke"]
    infos = sum(1 for op in done if op["type"] == "info")
    assert infos >= 3
    assert [op["process"] for op in done] == sorted(op["process"] for op in done)
    assert done[-1]["process"] in (infos, infos - 1)  # concurrency 1: +1 per :info
    for inv, comp in zip(history[::2], history[1::2], strict=True):
        assert inv["type"] == "invoke" and inv["process"] == comp["process"]


def test_zero_rate_main_phase_sleeps_with_no_client_ops() -> None:
    history = drive(gen.Phases(gen.TimeLimit(0.2, gen.clients(gen.Sleep(0.2))),
                               gen.clients(gen.Once({"f": "last", "value": None}))),
                    threads=(0,))
    assert [op["f"] for op in invokes(history)] == ["last"]
    assert seconds(history[0]) == pytest.approx(0.2)


def test_phases_wait_for_every_thread_to_be_idle() -> None:
    slow = gen.Once({"f": "slow", "value": None})
    history = drive(gen.Phases(gen.clients(slow), gen.Sleep(10),
                               gen.clients(gen.each_thread_once(
                                   lambda: {"f": "final", "value": None}))),
                    threads=(0, 1, 2), took=lambda op: 3.0 if op["f"] == "slow" else 0.0)
    finals = [op for op in invokes(history) if op["f"] == "final"]
    assert sorted(op["process"] for op in finals) == [0, 1, 2]  # once per thread
    assert all(seconds(op) == pytest.approx(13.0) for op in finals)  # 3 s op, then 10 s


def test_nemesis_ops_alternate_on_the_nemesis_thread_as_info() -> None:
    part = partition.partition_generator(0.1, random.Random(4))
    partitioner = _nemesis(FakeNetwork(), ["n1", "n2", "n3"], random.Random(5))
    history = drive(gen.TimeLimit(1.0, gen.Any(part, clients_at(10, 1.0))),
                    threads=(0, gen.NEMESIS), nemesis=partitioner)
    nem = [op for op in history if op["process"] == gen.NEMESIS]
    assert [op["f"] for op in nem[:4]] == ["start-partition"] * 2 + ["stop-partition"] * 2
    assert all(op["type"] == "info" for op in nem)
    assert nem[0]["value"] in partition.SPECS
    assert nem[1]["value"][0] == "isolated" and isinstance(nem[1]["value"][1], dict)
    assert nem[3]["value"] == "network-healed"
    assert any(op["f"] == "op" for op in history)


def test_the_nemesis_schedule_depends_only_on_its_seed() -> None:
    def schedule(took: float) -> list:
        part = partition.partition_generator(1.0, random.Random(11))
        partitioner = _nemesis(FakeNetwork(), [f"n{i}" for i in range(5)], random.Random(12))
        history = drive(gen.TimeLimit(20.0, gen.Any(part, clients_at(50, 20.0))),
                        threads=(0, 1, gen.NEMESIS), took=lambda op: took,
                        nemesis=partitioner)
        return [(op["f"], op["value"], op["time"]) for op in history
                if op["process"] == gen.NEMESIS]
    assert schedule(0.0) == schedule(0.03)


def test_a_pending_generator_with_nothing_in_flight_is_a_bug_not_a_hang() -> None:
    class Stuck(gen.Base):
        def op(self, ctx: gen.Context) -> gen.Answer:
            return gen.PENDING
    with pytest.raises(RuntimeError, match="pending with no op in flight"):
        drive(Stuck(), threads=(0,))


def test_a_client_that_crashes_gives_an_info_op() -> None:
    history = drive(gen.clients(gen.Once({"f": "boom", "value": None})), threads=(0,),
                    took=lambda op: 1 / 0)
    assert history[-1]["type"] == "info" and "indeterminate" in history[-1]["error"]
