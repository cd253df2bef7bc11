"""End to end: broadcast.py through the workbench, stages 3a-3c with short time limits, and
the partition nemesis doing real damage (cut messages are dropped, the node recovers)."""

from __future__ import annotations

import json

import pytest

from tests.stage_flags import stage_flags
from workbench.history import NEMESIS

pytestmark = pytest.mark.slow


def _server_counts(run_dir) -> tuple[int, int]:
    """(node-to-node sends, node-to-node deliveries) from the network journal."""
    sends = recvs = 0
    with (run_dir / "net-journal.jsonl").open() as f:
        for line in f:
            event = json.loads(line)
            msg = event["message"]
            if msg["src"][0] == "n" and msg["dest"][0] == "n":
                if event["type"] == "send":
                    sends += 1
                else:
                    recvs += 1
    return sends, recvs


def _final_reads(run_dir) -> list[str]:
    return [line for line in (run_dir / "history.txt").read_text().splitlines()
            if ":ok\t:read" in line]


def test_3a_single_node(sim) -> None:
    run = sim(*stage_flags("broadcast-3a", time_limit="3", seed="1"))
    assert run.code == 0, run.stdout + run.stderr
    w = run.results["workload"]
    assert w["valid?"] is True and w["lost-count"] == 0
    assert w["stable-count"] == w["attempt-count"] > 0
    assert w["stable-latencies"][1] == 0  # one node: every read sees every acknowledged value
    servers = run.results["net"]["servers"]
    assert servers["msg-count"] > 0  # the durable setting stores every value in lin-kv
    assert _server_counts(run.run_dir)[0] == 0  # ... and talks to no other node


def test_3a_single_node_in_the_latency_setting_sends_nothing(sim) -> None:
    run = sim("-w", "broadcast", "--bin", "broadcast.py", "--node-count", "1",
              "--time-limit", "3", "--rate", "10", "--seed", "1", "--", "--mode", "latency")
    assert run.code == 0, run.stdout + run.stderr
    assert run.results["workload"]["valid?"] is True
    assert run.results["net"]["servers"]["msg-count"] == 0


def test_3b_five_nodes_every_value_everywhere(sim) -> None:
    run = sim(*stage_flags("broadcast-3b", time_limit="4", seed="2"))
    assert run.code == 0, run.stdout + run.stderr
    r = run.results
    w = r["workload"]
    assert w["valid?"] is True and w["stable-count"] == w["attempt-count"] > 0
    assert w["never-read-count"] == 0 and w["lost"] == []
    assert r["stats"]["by-f"]["read"]["ok-count"] > 5  # main reads plus 5 final reads
    events = [json.loads(line) for line in
              (run.run_dir / "net-journal.jsonl").read_text().splitlines()]
    sends = [e["message"] for e in events if e["type"] == "send"]
    topology = [i for i, m in enumerate(sends) if m["body"]["type"] == "topology"]
    first_op = min(i for i, m in enumerate(sends)
                   if m["src"][0] == "c" and m["body"]["type"] in ("broadcast", "read"))
    assert len(topology) == 5 and max(topology) < first_op  # once per node, before any op
    assert {sends[i]["dest"] for i in topology} == {f"n{i}" for i in range(5)}


def test_3c_partitions_drop_messages_and_nothing_is_lost(sim) -> None:
    run = sim(*stage_flags("broadcast-3c", time_limit="6", nemesis_interval="1", seed="3"))
    assert run.code == 0, run.stdout + run.stderr
    w = run.results["workload"]
    assert w["valid?"] is True and w["lost-count"] == 0 and w["never-read-count"] == 0
    history = (run.run_dir / "history.txt").read_text()
    assert f":{NEMESIS}\t:info\t:start-partition\t[:isolated" in history
    assert ":stop-partition\tnil" in history
    sends, recvs = _server_counts(run.run_dir)
    assert recvs < sends  # messages across a cut never arrive
    log = (run.run_dir / "jepsen.log").read_text()
    assert ":start-partition" in log and "Waiting for recovery" in log


def test_traffic_setting_survives_partitions(sim) -> None:
    run = sim("-w", "broadcast", "--bin", "broadcast.py", "--node-count", "5",
                    "--time-limit", "5", "--rate", "20", "--latency", "20",
                    "--nemesis", "partition", "--nemesis-interval", "1", "--seed", "4",
                    "--", "--mode", "traffic")
    assert run.code == 0, run.stdout + run.stderr
    w = run.results["workload"]
    assert w["valid?"] is True and w["lost-count"] == 0 and w["never-read-count"] == 0
    sends, recvs = _server_counts(run.run_dir)
    assert recvs < sends


def _journal(run_dir) -> list[dict]:
    return [json.loads(line) for line in
            (run_dir / "net-journal.jsonl").read_text().splitlines()]


def _acks_after_copies(run_dir, hub_copy: bool) -> None:
    """Every broadcast_ok follows the arrival at its origin of the value's echo: its own
    direct send to itself (`hub_copy` False), or the hub's copy of it (True)."""
    requests = {}  # (node, msg_id) -> value
    value_of = {}  # (origin, seq) -> value, from the gossip that carried it
    echoed: set = set()  # (node, value)
    checked = 0
    for event in _journal(run_dir):
        msg, body = event["message"], event["message"]["body"]
        kind = body["type"]
        if event["type"] == "recv" and kind == "broadcast":
            requests[(msg["dest"], body["msg_id"])] = body["message"]
        elif kind == "gossip" and "vals" in body:
            value_of.update(((o, s), v) for o, s, v in body["vals"])
            if event["type"] == "recv" and hub_copy and msg["src"] == "n0":
                echoed.update((msg["dest"], v) for _, _, v in body["vals"])
        elif event["type"] == "recv" and kind == "gossip":
            assert msg["src"] == msg["dest"] and not hub_copy
            echoed.update((msg["dest"], value_of[(o, s)]) for o, s in body["echo"])
        elif event["type"] == "send" and kind == "broadcast_ok":
            if hub_copy and msg["src"] == "n0":
                continue  # the hub's own values: acknowledged when it passes them on
            assert (msg["src"], requests[(msg["src"], body["in_reply_to"])]) in echoed
            checked += 1
    assert checked > 10


def test_echo_in_the_traffic_setting_acknowledges_once_the_hub_passed_it_on(sim) -> None:
    run = sim("-w", "broadcast", "--bin", "broadcast.py", "--node-count", "5",
              "--time-limit", "4", "--rate", "20", "--latency", "20", "--seed", "5",
              "--", "--mode", "traffic", "--ack", "echo", "--up", "0", "--interval", "0.03")
    assert run.code == 0, run.stdout + run.stderr
    w = run.results["workload"]
    assert w["valid?"] is True and w["lost-count"] == 0 and w["never-read-count"] == 0
    # every node got the value before its origin acknowledged it: no read invoked after an
    # acknowledgement lacks the value
    assert w["stale-count"] == 0 and w["stable-latencies"][1] == 0
    _acks_after_copies(run.run_dir, hub_copy=True)


def test_echo_in_the_latency_setting_sends_each_value_to_its_origin_too(sim) -> None:
    run = sim("-w", "broadcast", "--bin", "broadcast.py", "--node-count", "5",
              "--time-limit", "4", "--rate", "20", "--latency", "20", "--seed", "6",
              "--", "--mode", "latency", "--ack", "echo", "--batch", "0")
    assert run.code == 0, run.stdout + run.stderr
    w = run.results["workload"]
    assert w["valid?"] is True and w["lost-count"] == 0
    assert w["stale-count"] == 0
    sends, _ = _server_counts(run.run_dir)
    values = w["attempt-count"]
    assert sends >= 5 * values  # four peers and the origin itself
    _acks_after_copies(run.run_dir, hub_copy=False)


def test_echo_survives_partitions(sim) -> None:
    run = sim("-w", "broadcast", "--bin", "broadcast.py", "--node-count", "5",
              "--time-limit", "6", "--rate", "20", "--latency", "20",
              "--nemesis", "partition", "--nemesis-interval", "1", "--seed", "7",
              "--", "--mode", "traffic", "--ack", "echo", "--up", "0", "--interval", "0.03")
    assert run.code == 0, run.stdout + run.stderr
    w = run.results["workload"]
    assert w["valid?"] is True and w["lost-count"] == 0 and w["never-read-count"] == 0
