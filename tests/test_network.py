"""The simulated network: latency, partitions at delivery, journal counts, :net stats."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from workbench.clock import Clock, run_virtual
from workbench.journal import Journal
from workbench.message import Message
from workbench.network import Latency, Network, UnknownParticipant


def _net(latency_ms: int = 0, dist: str = "constant") -> tuple[Network, Journal]:
    journal = Journal()
    loop = asyncio.get_running_loop()
    return Network(Latency(latency_ms, dist), random.Random(1), journal, Clock(loop)), journal


def test_latency_applies_between_servers_only() -> None:
    async def scenario() -> dict[str, float]:
        net, _ = _net(latency_ms=60)
        loop = asyncio.get_running_loop()
        arrived: dict[str, float] = {}
        for who in ("n0", "n1", "c0"):
            net.register(who, lambda m, who=who: arrived.setdefault(who, loop.time()))
        start = loop.time()
        net.send("n0", "n1", {"type": "gossip"})
        net.send("n0", "c0", {"type": "read_ok"})
        await asyncio.sleep(0.15)
        return {k: v - start for k, v in arrived.items()}

    arrived = run_virtual(scenario())
    assert 0.055 <= arrived["n1"] < 0.12
    assert arrived["c0"] < 0.03


def test_partition_drops_at_delivery_and_journal_counts_send_but_not_recv() -> None:
    async def scenario() -> tuple[list, Journal]:
        net, journal = _net(latency_ms=50)
        got: list = []
        net.register("n0", got.append)
        net.register("n1", got.append)
        # Both are sent before the cut. The first is already dequeued (its deliverer sleeps
        # until its deadline), so it arrives; the second is dequeued during the cut: dropped.
        net.send("n0", "n1", {"type": "dequeued-before-cut"})
        net.send("n0", "n1", {"type": "queued-at-cut"})
        await asyncio.sleep(0.01)
        net.drop("n0", "n1")
        net.send("n1", "n0", {"type": "other-way"})  # one-way: still delivered
        await asyncio.sleep(0.1)
        net.heal()
        net.send("n0", "n1", {"type": "after-heal"})
        await asyncio.sleep(0.1)
        return got, journal

    got, journal = run_virtual(scenario())
    assert [m.body["type"] for m in got] == ["dequeued-before-cut", "other-way", "after-heal"]
    assert journal.counts()["servers"] == (4, 3)
    stats = journal.net_stats(op_count=2)
    assert stats["servers"] == {"send-count": 4, "recv-count": 3, "msg-count": 4,
                                "msgs-per-op": 2.0}


def test_messages_to_one_receiver_arrive_in_deadline_order() -> None:
    async def scenario() -> list[int]:
        net, _ = _net(latency_ms=20)
        got: list[int] = []
        net.register("n0", lambda m: None)
        net.register("n1", lambda m: got.append(m.body["i"]))
        for i in range(50):
            net.send("n0", "n1", {"i": i})
        await asyncio.sleep(0.1)
        return got

    assert run_virtual(scenario()) == list(range(50))


def test_net_stats_split_clients_and_servers() -> None:
    async def scenario() -> dict:
        net, journal = _net()
        for who in ("n0", "n1", "c0", "lin-kv"):
            net.register(who, lambda m: None)
        net.send("c0", "n0", {"type": "read"})
        net.send("n0", "lin-kv", {"type": "read"})  # a service counts as a server
        net.send("n0", "n1", {"type": "gossip"})
        net.send("n0", "c0", {"type": "read_ok"})
        await asyncio.sleep(0.02)
        return journal.net_stats(op_count=4)

    stats = run_virtual(scenario())
    assert stats["clients"] == {"send-count": 2, "recv-count": 2, "msg-count": 2}
    assert stats["servers"]["msg-count"] == 2 and stats["servers"]["msgs-per-op"] == 0.5
    assert stats["all"]["msgs-per-op"] == 1.0
    assert "msgs-per-op" not in stats["clients"]


def test_unknown_participants_are_refused() -> None:
    async def scenario() -> None:
        net, _ = _net()
        net.register("n0", lambda m: None)
        net.register("c5", lambda m: None)
        net.unregister("c5")
        with pytest.raises(UnknownParticipant) as closed:
            net.send("n0", "c5", {})
        assert closed.value.was_registered
        with pytest.raises(UnknownParticipant) as never:
            net.send("n0", "n9", {})
        assert not never.value.was_registered

    run_virtual(scenario())


@pytest.mark.parametrize("dist", ["constant", "uniform", "exponential"])
def test_latency_distributions_have_the_right_mean_and_support(dist: str) -> None:
    rng = random.Random(7)
    draws = [Latency(100, dist).draw(rng) for _ in range(20000)]
    mean = sum(draws) / len(draws)
    assert abs(mean - 0.1) < 0.005
    assert min(draws) >= 0
    if dist == "constant":
        assert set(draws) == {0.1}
    if dist == "uniform":
        assert max(draws) < 0.2
    assert all(round(d * 1000) == d * 1000 for d in draws[:100])  # whole milliseconds


@pytest.mark.parametrize("dist", ["constant", "uniform", "exponential"])
def test_zero_mean_latency_is_zero_and_never_hangs(dist: str) -> None:
    assert Latency(0, dist).draw(random.Random(1)) == 0.0


def test_a_paused_receiver_gets_its_messages_after_resume_in_order() -> None:
    async def scenario() -> list[tuple[float, int]]:
        net, journal = _net(latency_ms=10)
        loop = asyncio.get_running_loop()
        got: list[tuple[float, int]] = []
        net.register("n0", lambda m: None)
        net.register("n1", lambda m: got.append((loop.time(), m.body["i"])))
        net.pause("n1")
        for i in range(3):
            net.send("n0", "n1", {"i": i})
        await asyncio.sleep(1.0)
        assert got == [] and journal.counts()["servers"] == (3, 0)
        net.resume("n1")
        await asyncio.sleep(0.1)
        return got

    got = run_virtual(scenario())
    assert [i for _, i in got] == [0, 1, 2] and got[0][0] == pytest.approx(1.0)


def test_messages_to_a_killed_node_never_reach_its_next_incarnation() -> None:
    async def scenario() -> list[int]:
        net, journal = _net(latency_ms=10)
        got: list[int] = []
        net.register("n0", lambda m: None)
        net.register("n1", lambda m: got.append(m.body["i"]))
        net.send("n0", "n1", {"i": 0})
        await asyncio.sleep(0.05)
        net.down("n1")
        net.send("n0", "n1", {"i": 1})  # lost: n1 is down
        await asyncio.sleep(0.05)
        net.send("n0", "n1", {"i": 2})  # in flight when n1 comes back: lost too
        net.up("n1")
        net.send("n0", "n1", {"i": 3})
        await asyncio.sleep(0.05)
        assert journal.counts()["servers"] == (4, 2)
        return got

    assert run_virtual(scenario()) == [0, 3]


def test_real_mode_hands_zero_latency_messages_over_inside_the_send_in_order() -> None:
    """Real mode: a message due at once reaches its receiver before `send` returns; one sent
    to a receiver that is still inside its own delivery waits for the loop (serial
    delivery), and the journal's order is the order of the hand-overs."""
    async def scenario() -> tuple[list[str], list[str], list[tuple[str, str]]]:
        net, journal = _net()
        got: list[str] = []

        def service(msg: Message) -> None:
            body = msg.body
            got.append(body["type"])
            if body["type"] == "first":
                net.send("n0", "svc", {"type": "second"})  # svc is mid-delivery: queued
                got.append("after-inner-send")

        net.register("svc", service)
        net.register("n0", lambda m: None)
        net.send("n0", "svc", {"type": "first"})
        inside = list(got)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        events = [(kind, msg.body["type"]) for _, _, kind, msg in journal]
        return inside, got, events

    inside, got, events = asyncio.run(scenario())
    assert inside == ["first", "after-inner-send"]
    assert got == ["first", "after-inner-send", "second"]
    assert events == [("send", "first"), ("recv", "first"), ("send", "second"),
                      ("recv", "second")]


def test_real_mode_error_in_a_receiver_goes_to_the_loop_not_the_sender() -> None:
    async def scenario() -> list[dict[str, Any]]:
        net, _ = _net()
        errors: list[dict[str, Any]] = []
        asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: errors.append(ctx))

        def broken(msg: Message) -> None:
            raise KeyError("boom")

        net.register("svc", broken)
        net.register("n0", lambda m: None)
        net.send("n0", "svc", {"type": "a"})  # does not raise here
        return errors

    errors = asyncio.run(scenario())
    assert len(errors) == 1 and isinstance(errors[0]["exception"], KeyError)
    assert "svc" in errors[0]["message"]
