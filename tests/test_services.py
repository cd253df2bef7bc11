"""Services (Maelstrom's service.clj): the pure key-value machine, each consistency wrapper's
weakness, and the
services on a real Network (reply shape, no reply for bad requests, lin-kv linearizable
under concurrent cas where seq-kv is not)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from typing import Any

import pytest

from workbench.clock import Clock, run_virtual
from workbench.journal import Journal
from workbench.network import Latency, Network
from workbench.services import (
    BadRequest,
    Linearizable,
    Sequential,
    TimestampOracle,
    TwoReplicas,
    kv_step,
    register_all,
)
from workbench.services import (
    canonical as canonical_key,
)


def read(k: Any) -> dict:
    return {"type": "read", "key": k}


def write(k: Any, v: Any) -> dict:
    return {"type": "write", "key": k, "value": v}


def cas(k: Any, a: Any, b: Any, create: bool = False) -> dict:
    body = {"type": "cas", "key": k, "from": a, "to": b}
    if create:
        body["create_if_not_exists"] = True
    return body


# ---- the pure machine ------------------------------------------------------------------------


def test_kv_step_read_write_cas() -> None:
    s0: dict = {}
    s, reply = kv_step(s0, read("x"))
    assert s is s0 and reply == {"type": "error", "code": 20, "text": "key does not exist"}
    s1, reply = kv_step(s0, write("x", 1))
    assert reply == {"type": "write_ok"} and s0 == {} and s1 is not s0
    assert kv_step(s1, read("x"))[1] == {"type": "read_ok", "value": 1}
    s2, reply = kv_step(s1, cas("x", 1, 2))
    assert reply == {"type": "cas_ok"} and kv_step(s2, read("x"))[1]["value"] == 2
    s, reply = kv_step(s2, cas("x", 1, 3))
    assert s is s2 and reply == {"type": "error", "code": 22, "text": "current value 2 is not 1"}
    s, reply = kv_step(s2, cas("y", 1, 3))
    assert s is s2 and reply["code"] == 20
    s3, reply = kv_step(s2, cas("y", "ignored", 7, create=True))
    assert reply == {"type": "cas_ok"} and kv_step(s3, read("y"))[1]["value"] == 7


def test_kv_step_in_place_changes_the_map_itself_and_a_copy_keeps_the_old_state() -> None:
    old = {canonical_key("x"): 1}
    new, _ = kv_step(old, write("x", 2))
    assert old == {canonical_key("x"): 1} and kv_step(new, read("x"))[1]["value"] == 2
    same, _ = kv_step(old, write("x", 3), in_place=True)
    assert same is old and kv_step(old, read("x"))[1]["value"] == 3
    same, _ = kv_step(old, cas("y", 0, 4, create=True), in_place=True)
    assert same is old and kv_step(old, read("y"))[1]["value"] == 4


def test_kv_step_is_type_sensitive_and_structural() -> None:
    s, _ = kv_step({}, write(1, [1, {"a": 1, "b": 2}]))
    assert kv_step(s, read(1.0))[1]["code"] == 20  # key 1.0 is not key 1
    assert kv_step(s, read("1"))[1]["code"] == 20
    assert kv_step(s, cas(1, [1.0, {"a": 1, "b": 2}], 0))[1]["code"] == 22
    assert kv_step(s, cas(1, [True, {"a": 1, "b": 2}], 0))[1]["code"] == 22
    assert kv_step(s, cas(1, [1, {"b": 2, "a": 1}], 0))[1] == {"type": "cas_ok"}


def test_kv_step_unchanged_state_is_the_same_object() -> None:
    s, _ = kv_step({}, write("k", {"v": 1}))
    assert kv_step(s, write("k", {"v": 1}))[0] is s
    assert kv_step(s, cas("k", {"v": 1}, {"v": 1}))[0] is s
    assert kv_step(s, write("k", {"v": 1.0}))[0] is not s


def test_unknown_request_is_a_bad_request() -> None:
    with pytest.raises(BadRequest):
        kv_step({}, {"type": "increment", "key": "x"})
    with pytest.raises(BadRequest):
        TimestampOracle().handle("n0", {"type": "read"})


def test_lin_tso_counts_from_zero() -> None:
    tso = TimestampOracle()
    assert [tso.handle(n, {"type": "ts"})["ts"] for n in ("n0", "n1", "n0")] == [0, 1, 2]


def test_lin_kv_reads_see_every_earlier_write() -> None:
    kv = Linearizable()
    for i in range(20):
        kv.handle("n0", write("x", i))
        assert kv.handle(f"n{i % 3 + 1}", read("x"))["value"] == i


# ---- seq-kv ------------------------------------------------------------------------------


def test_seq_kv_reads_lag_behind_other_clients_writes() -> None:
    kv = Sequential(random.Random(1))
    for i in range(1, 21):
        kv.handle("writer", write("x", i))
    seen = [kv.handle(f"reader{i}", read("x")) for i in range(200)]
    missing = sum(1 for r in seen if r.get("code") == 20)
    values = [r["value"] for r in seen if r["type"] == "read_ok"]
    assert missing > 0  # a fresh requester may not even see the key
    assert values and min(values) < 10 and max(values) == 20


def test_seq_kv_reads_never_go_backwards_for_one_requester() -> None:
    kv = Sequential(random.Random(2))
    last = 0
    stale = 0
    for i in range(1, 200):
        kv.handle("writer", write("x", i))
        reply = kv.handle("reader", read("x"))
        got = reply.get("value", 0)
        assert got >= last
        stale += got < i
        last = got
    assert stale > 50  # and yet it is mostly behind


def test_seq_kv_a_state_change_moves_the_requester_to_the_newest_state() -> None:
    kv = Sequential(random.Random(3))
    for i in range(1, 21):
        kv.handle("writer", write("x", i))
    kv.handle("reader", write("own", 1))
    assert all(kv.handle("reader", read("x"))["value"] == 20 for _ in range(20))
    # A write of the value already there changes nothing, so it does not refresh.
    behind = 0
    for seed in range(20):
        kv2 = Sequential(random.Random(seed))
        kv2.handle("reader", write("own", 1))
        for i in range(1, 21):
            kv2.handle("writer", write("x", i))
        kv2.handle("reader", write("own", 1))
        behind += kv2.seen["reader"] < kv2.last
    assert behind >= 15


def test_seq_kv_cas_fails_against_a_stale_state() -> None:
    kv = Sequential(random.Random(5))
    for i in range(1, 21):
        kv.handle("writer", write("x", i))
    replies = [kv.handle(f"c{j}", cas("x", 20, 20)) for j in range(50)]
    assert any(r.get("code") in (20, 22) for r in replies)  # would hold on the newest state


class ScriptedRng:
    """A fake RNG whose randint returns scripted picks (clamped into range)."""

    def __init__(self, picks: list[int]) -> None:
        self.picks = iter(picks)

    def randint(self, lo: int, hi: int) -> int:
        return max(lo, min(hi, next(self.picks)))


def test_seq_kv_ring_wraps_as_maelstrom_does() -> None:
    picks = [10**9] * 40 + [0, 9]  # the writer always lands on the newest; then the reader
    kv = Sequential(ScriptedRng(picks))  # type: ignore[arg-type]
    for i in range(1, 41):
        kv.handle("writer", write("x", i))
    assert len(kv.states) == 32 and kv.last == 40
    first = kv.handle("reader", read("x"))["value"]  # index 0 wraps onto index 32
    second = kv.handle("reader", read("x"))["value"]  # index 9 is the oldest retained
    assert (first, second) == (32, 9)  # backwards: Maelstrom's bug, kept on purpose


# ---- lww-kv --------------------------------------------------------------------------------


def test_lww_kv_read_after_write_sees_it_about_half_the_time() -> None:
    kv = TwoReplicas(random.Random(6))
    hits = 0
    for i in range(400):
        kv.handle("n0", write(i, "v"))
        hits += kv.handle("n0", read(i)).get("value") == "v"
    assert 150 < hits < 250


def test_lww_kv_concurrent_writes_diverge_forever() -> None:
    kv = TwoReplicas(random.Random(7))
    while {kv.handle("n0", read("x")).get("value") for _ in range(10)} != {"a", "b"}:
        kv.handle("n1", write("x", "a"))
        kv.handle("n2", write("x", "b"))
    later = {kv.handle("n0", read("x"))["value"] for _ in range(100)}
    assert later == {"a", "b"}  # never merged


def test_lww_kv_ignores_create_if_not_exists() -> None:
    kv = TwoReplicas(random.Random(8))
    assert all(kv.handle("n0", cas(f"k{i}", 0, 1, create=True))["code"] == 20
               for i in range(20))


# ---- on the network ----------------------------------------------------------------------


class Requester:
    """A node-like participant (server latency applies) with one RPC at a time."""

    def __init__(self, network: Network, me: str) -> None:
        self.network, self.me = network, me
        self.ids = itertools.count(1)
        self.waiting: dict[int, asyncio.Future] = {}
        network.register(me, self._deliver)

    def _deliver(self, msg: Any) -> None:
        fut = self.waiting.pop(msg.body.get("in_reply_to"), None)
        if fut is not None:
            fut.set_result(msg.body)

    async def call(self, dest: str, body: dict, timeout: float = 1.0) -> dict:
        msg_id = next(self.ids)
        fut = asyncio.get_running_loop().create_future()
        self.waiting[msg_id] = fut
        self.network.send(self.me, dest, dict(body, msg_id=msg_id))
        return await asyncio.wait_for(fut, timeout)


def make_network(latency_ms: int = 0, seed: int = 9) -> tuple[Network, Journal]:
    journal = Journal()
    loop = asyncio.get_running_loop()
    network = Network(Latency(latency_ms, "uniform"), random.Random(seed), journal, Clock(loop))
    register_all(network, random.Random(seed))
    return network, journal


def test_replies_carry_in_reply_to_and_bad_requests_get_none(
        caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        network, journal = make_network()
        n0 = Requester(network, "n0")
        assert await n0.call("lin-kv", write("x", 1)) == {"type": "write_ok", "in_reply_to": 1}
        assert await n0.call("lin-tso", {"type": "ts"}) == {"type": "ts_ok", "ts": 0,
                                                             "in_reply_to": 2}
        assert (await n0.call("lww-kv", cas("y", 0, 1, create=True)))["code"] == 20
        with pytest.raises(asyncio.TimeoutError):
            await n0.call("seq-kv", {"type": "frobnicate"}, timeout=0.05)
        counts = journal.counts()
        assert counts["servers"] == (7, 7) and counts["clients"] == (0, 0)
        network.close()

    with caplog.at_level(logging.WARNING, logger="maelstrom.service"):
        run_virtual(scenario())
    assert any("Error in service worker!" in r.getMessage() and "frobnicate" in r.getMessage()
               for r in caplog.records)


Event = tuple[float, float, str, int, bool]  # invoked, completed, "read"|"cas", value, ok


async def increment_race(service: str, workers: int = 4, rounds: int = 25) -> list[Event]:
    """Workers read a register and cas it to value+1, concurrently, with 0-2 ms latency."""
    network, _ = make_network(latency_ms=1)
    loop = asyncio.get_running_loop()
    first = Requester(network, "n0")
    await first.call(service, write("r", 0))
    events: list[Event] = []

    async def worker(i: int) -> None:
        me = Requester(network, f"n{i + 1}")
        for _ in range(rounds):
            t0 = loop.time()
            got = await me.call(service, read("r"))
            v = got.get("value", 0)
            events.append((t0, loop.time(), "read", v, True))
            t0 = loop.time()
            reply = await me.call(service, cas("r", v, v + 1))
            events.append((t0, loop.time(), "cas", v + 1, reply["type"] == "cas_ok"))

    await asyncio.gather(*(worker(i) for i in range(workers)))
    network.close()
    return events


def realtime_violations(events: list[Event]) -> list[Event]:
    """Reads that saw a value already overwritten before they began, or not yet written when
    they ended (one register, written only by successful cas from v to v+1)."""
    done = {v: c for (_, c, f, v, ok) in events if f == "cas" and ok}
    began = {v: i for (i, _, f, v, ok) in events if f == "cas" and ok}
    bad = []
    for ev in events:
        invoked, completed, f, v, _ = ev
        if f != "read":
            continue
        overwritten = v + 1 in done and done[v + 1] < invoked
        from_future = v > 0 and began[v] > completed
        if overwritten or from_future:
            bad.append(ev)
    return bad


def test_lin_kv_stays_linearizable_under_concurrent_cas() -> None:
    events = run_virtual(increment_race("lin-kv"))
    wins = sorted(v for (_, _, f, v, ok) in events if f == "cas" and ok)
    assert wins == list(range(1, len(wins) + 1))  # every increment exactly once, no gaps
    assert len(wins) < 100  # the race was real: some cas lost
    assert realtime_violations(events) == []


def test_seq_kv_is_not_linearizable_under_the_same_race() -> None:
    events = run_virtual(increment_race("seq-kv"))
    wins = sorted(v for (_, _, f, v, ok) in events if f == "cas" and ok)
    assert wins == list(range(1, len(wins) + 1))  # cas still lands on the newest state
    assert realtime_violations(events)  # but reads are stale
