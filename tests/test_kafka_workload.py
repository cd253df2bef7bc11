"""The kafka workload: client (with a fake RPC), the main generator and the final polls."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

import pytest

from tests.builders import FakeRPC
from tests.gen_driver import drive
from workbench.client import RPCError, RPCTimeout
from workbench.edn import Keyword
from workbench.options import Options
from workbench.workloads.kafka import (
    FinalPolls,
    KafkaClient,
    KafkaGenerator,
    WrTxns,
    max_offsets,
    workload,
)

SEND, POLL = Keyword("send"), Keyword("poll")


def invoke(client: KafkaClient, rpc: FakeRPC, f: str, value: Any, **extra: Any) -> dict:
    return asyncio.run(client.invoke(rpc, {"type": "invoke", "f": f, "value": value, **extra}))


def opts(**kw: Any) -> Options:
    return Options(bin="x", workload="kafka", nodes=["n0", "n1"], concurrency=4, **kw)


# ---- client ---------------------------------------------------------------------------------


def test_assign_takes_local_then_committed_then_zero() -> None:
    client = KafkaClient()
    client.offsets = {"a": 7}
    rpc = FakeRPC.answering(lambda b: {"type": "list_committed_offsets_ok", "offsets": {"b": 3}})
    done = invoke(client, rpc, "assign", ["a", "b", "c"])
    assert done["type"] == "ok" and done["value"] == ["a", "b", "c"]
    assert rpc.sent == [{"type": "list_committed_offsets", "keys": ["a", "b", "c"]}]
    assert client.offsets == {"a": 7, "b": 3, "c": 0}
    invoke(client, rpc, "assign", ["b"], **{"seek-to-beginning?": True})
    assert client.offsets == {"b": 0} and len(rpc.sent) == 1


def test_poll_advances_offsets_and_commits_what_it_read() -> None:
    client = KafkaClient()
    client.offsets = {"a": 2, "b": 0}

    def answer(body: dict) -> dict:
        if body["type"] == "poll":
            return {"type": "poll_ok", "msgs": {"a": [[2, 9], [4, 8]], "b": []}}
        return {"type": "commit_offsets_ok"}

    rpc = FakeRPC.answering(answer)
    done = invoke(client, rpc, "poll", [[POLL]])
    assert done["type"] == "ok"
    assert done["value"] == [[POLL, {"a": [[2, 9], [4, 8]], "b": []}]]
    assert rpc.sent[0] == {"type": "poll", "offsets": {"a": 2, "b": 0}}
    assert rpc.sent[1] == {"type": "commit_offsets", "offsets": {"a": 4}}
    assert client.offsets == {"a": 5, "b": 0}


def test_a_failed_commit_fails_the_poll_and_drops_its_data() -> None:
    client = KafkaClient()
    client.offsets = {"a": 0}

    def answer(body: dict) -> Any:
        if body["type"] == "poll":
            return {"type": "poll_ok", "msgs": {"a": [[0, 1]]}}
        return RPCError(11, "busy", {})

    done = invoke(client, FakeRPC.answering(answer), "poll", [[POLL]])
    assert done["type"] == "fail" and done["value"] == [[POLL]]
    assert done["error"] == [Keyword("temporarily-unavailable"), "busy"]
    assert client.offsets == {"a": 1}  # as Maelstrom's client: advanced before the commit


def test_send_records_the_offset_and_timeouts_are_indefinite() -> None:
    client = KafkaClient()
    rpc = FakeRPC.answering(lambda b: {"type": "send_ok", "offset": 12})
    done = invoke(client, rpc, "send", [[SEND, "a", 5]])
    assert done["value"] == [[SEND, "a", [12, 5]]] and len(rpc.sent) == 1
    assert rpc.sent[0] == {"type": "send", "key": "a", "msg": 5}
    late = invoke(client, FakeRPC.answering(lambda b: RPCTimeout("x")), "send", [[SEND, "a", 6]])
    assert late["type"] == "info" and late["error"] == "net-timeout"
    idem = invoke(client, FakeRPC.answering(lambda b: RPCTimeout("x")), "assign", ["a"])
    assert idem["type"] == "fail"


def test_malformed_replies_are_info_with_an_exception() -> None:
    rpc = FakeRPC.answering(lambda b: {"type": "poll_ok", "msgs": {"a": [[0]]}})
    done = invoke(KafkaClient(), rpc, "poll", [[POLL]])
    assert done["type"] == "info" and "exception" in done


def test_crash_needs_no_rpc() -> None:
    rpc = FakeRPC.answering(lambda b: pytest.fail("no RPC expected"))
    done = invoke(KafkaClient(), rpc, "crash", None)
    assert done["type"] == "info" and "error" not in done


# ---- generators -----------------------------------------------------------------------------


def test_wr_txns_retires_keys_after_max_writes_and_never_repeats_a_write() -> None:
    txns = WrTxns(random.Random(1), 10, 16)
    writes = [(k, v) for f, k, v in (txns.next() for _ in range(5000)) if f == "w"]
    assert len(writes) == len(set(writes)) > 2000
    per_key = Counter(k for k, _ in writes)
    assert max(per_key.values()) == 16 and max(per_key) > 100
    assert all(v <= 16 for _, v in writes)


def test_main_generator_crashes_assigns_and_defers_the_op() -> None:
    gen = KafkaGenerator(opts(), random.Random(3))
    ops = [gen.at(i * 0.001) for i in range(20000)]  # 20 s at 1000 ops/s
    fs = Counter(op["f"] for op in ops)
    assert ops[0]["f"] == "crash"
    assert 2 <= fs["crash"] <= 8  # every 30/4 s on average
    assert 200 <= fs["assign"] <= 450  # 1/64
    for a, b in zip(ops, ops[1:], strict=False):
        if a["f"] == "assign" and b["f"] == "send":
            assert b["value"][0][1] in a["value"]  # the deferred op's key was assigned
    assert all(isinstance(k, str) for op in ops if op["f"] == "assign" for k in op["value"])


def test_poll_unseen_widens_assigns_with_keys_sent_but_not_polled() -> None:
    gen = KafkaGenerator(opts(), random.Random(5))
    gen.update(None, 0, {"type": "ok", "f": "send", "process": 0,
                         "value": [[SEND, "42", [3, 1]]]})
    assigns = [op for op in (gen.at(0.0) for _ in range(3000)) if op["f"] == "assign"]
    widened = [a for a in assigns if "unseen" in a]
    assert widened and all("42" in a["value"] for a in widened)
    assert widened[0]["unseen"] == {42: {"polled": -1, "sent": 3}}
    gen.update(None, 0, {"type": "ok", "f": "poll", "process": 0,
                         "value": [[POLL, {"42": [[2, 0], [3, 1]]}]]})
    assert gen.sent == {} and gen.max_offsets == {42: 3}


def test_max_offsets_counts_empty_polls_as_minus_one() -> None:
    op = {"type": "ok", "f": "poll", "value": [[POLL, {"1": [], "2": [[4, 0], [6, 1]]}]]}
    assert max_offsets(op) == {1: -1, 2: 6}
    assert max_offsets(dict(op, type="fail")) == {}


def test_final_polls_per_thread_until_caught_up_or_ten_seconds() -> None:
    main = KafkaGenerator(opts(), random.Random(1))
    main.max_offsets = {3: 5, 1: 2}
    final = FinalPolls(main, random.Random(2))

    def outcome(op: dict) -> str:  # thread 0 reads everything, thread 1 never catches up
        return "ok"

    def reply(op: dict) -> dict:
        if op["f"] == "poll" and op["process"] % 2 == 0:
            return dict(op, value=[[POLL, {"1": [[0, 1], [2, 3]], "3": [[5, 1]]}]])
        if op["f"] == "poll":
            return dict(op, value=[[POLL, {"1": [[0, 1]]}]])
        return op

    history = drive(final, threads=(0, 1), took=lambda op: 0.01, outcome=outcome,
                    transform=reply)
    by_thread: dict[int, list[dict]] = {0: [], 1: []}
    for op in history:
        if op["type"] == "invoke":
            by_thread[op["process"] % 2].append(op)
    zero, one = by_thread[0], by_thread[1]
    assert [op["f"] for op in zero] == ["crash", "assign", "poll"]  # caught up after one
    assert zero[1]["value"] == ["1", "3"] and zero[1]["seek-to-beginning?"] is True
    assert zero[2]["poll-ms"] == 1000
    assert [op["f"] for op in one[:3]] == ["crash", "assign", "poll"]
    polls = [op["time"] / 1e9 for op in one if op["f"] == "poll"]
    gaps = [b - a for a, b in zip(polls, polls[1:], strict=False)]
    assert all(0.0099 <= g < 0.41 for g in gaps)  # staggered 0..0.4 s, or the op's 10 ms
    assert polls[-1] < 10.0  # nothing is due 10 s after the phase began
    assert 9.0 < polls[-1]


def test_final_polls_do_nothing_without_known_keys() -> None:
    final = FinalPolls(KafkaGenerator(opts(), random.Random(1)), random.Random(2))
    assert drive(final, threads=(0, 1)) == []


def test_workload_is_not_reusable_and_has_a_final_phase() -> None:
    w = workload(opts(), random.Random(1))
    assert w.name == "kafka" and not w.reusable and w.final_generator is not None
