"""End to end: kafka.py through the workbench, and a node that loses writes."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.stage_flags import stage_flags

pytestmark = pytest.mark.slow

LOSSY = textwrap.dedent(f"""\
    #!/usr/bin/env python3
    import sys
    sys.path.insert(0, {str(ROOT)!r})
    from maelstrom_node import Node

    node = Node()
    logs = {{}}
    sends = [0]

    @node.handler("send")
    def send(msg):
        log = logs.setdefault(msg["body"]["key"], [])
        sends[0] += 1
        if sends[0] % 3 == 0:  # acknowledged, then forgotten
            return {{"type": "send_ok", "offset": len(log) + 1000}}
        log.append(msg["body"]["msg"])
        return {{"type": "send_ok", "offset": len(log) - 1}}

    @node.handler("poll")
    def poll(msg):
        out = {{}}
        for k, o in msg["body"]["offsets"].items():
            log = logs.get(k, [])
            if o < len(log):
                out[k] = [[i, log[i]] for i in range(o, len(log))]
        return {{"type": "poll_ok", "msgs": out}}

    @node.handler("commit_offsets")
    def commit(msg):
        return {{"type": "commit_offsets_ok"}}

    @node.handler("list_committed_offsets")
    def committed(msg):
        return {{"type": "list_committed_offsets_ok", "offsets": {{}}}}

    node.run()
    """)


def _server_sends(run_dir: Path) -> list[dict]:
    events = [json.loads(line) for line in (run_dir / "net-journal.jsonl").read_text().splitlines()]
    return [e["message"] for e in events if e["type"] == "send"
            and e["message"]["src"][0] != "c" and e["message"]["dest"][0] != "c"]


def test_one_node_is_valid_and_talks_only_to_its_log_in_lin_kv(sim) -> None:
    run = sim("-w", "kafka", "--bin", "kafka.py", "--node-count", "1", "--concurrency",
                    "2n", "--time-limit", "3", "--rate", "300", "--seed", "1")
    assert run.code == 0, run.stdout + run.stderr
    r = run.results
    assert r["workload"]["valid?"] is True and r["workload"]["error-types"] == []
    ends = {(m["src"], m["dest"]) for m in _server_sends(run.run_dir)}
    assert ends == {("n0", "lin-kv"), ("lin-kv", "n0")}  # its write-ahead log, nothing else
    assert r["stats"]["by-f"]["send"]["ok-count"] > 200
    history = (run.run_dir / "history.edn").read_text()
    assert ":seek-to-beginning? true" in history and ":f :crash" in history


def test_two_nodes_under_partitions_stay_valid_and_answer_every_send(sim) -> None:
    run = sim(*stage_flags("kafka-5c", time_limit="5", rate="500", nemesis="partition",
                           nemesis_interval="1", seed="4"))
    assert run.code == 0, run.stdout + run.stderr
    r = run.results
    assert r["workload"]["valid?"] is True
    # A send for a key owned across the partition goes through the owner's mailbox in lin-kv
    # (kafka.py's relay) instead of being refused: every send of this run is acknowledged.
    sends = r["stats"]["by-f"]["send"]
    assert sends["ok-count"] == sends["count"] > 500
    relayed = [m for m in _server_sends(run.run_dir)
               if str(m["body"].get("key", "")).startswith("kafka/mail/")]
    assert relayed, "no send went through a mailbox"
    # Relaying costs messages while the nodes are cut off (one partition a second here):
    assert r["net"]["servers"]["msgs-per-op"] < 3.0
    assert r["workload"]["worst-realtime-lag"]["lag"] < 5.0


def test_a_node_that_forgets_sends_is_invalid(sim, tmp_path: Path) -> None:
    node = tmp_path / "lossy.py"
    node.write_text(LOSSY)
    node.chmod(0o755)
    run = sim("-w", "kafka", "--bin", str(node), "--node-count", "1", "--concurrency",
                    "2n", "--time-limit", "3", "--rate", "200", "--seed", "2")
    assert run.code == 1, run.stdout + run.stderr
    bad = run.results["workload"]["bad-error-types"]
    assert "unseen" in bad


def test_sends_to_a_killed_owner_are_refused_at_once_not_left_waiting(sim) -> None:
    run = sim(*stage_flags("kafka-5b", time_limit="10", nemesis="kill", nemesis_interval="3",
                           seed="7"))
    assert run.code == 0, run.stdout + run.stderr
    invoked: dict[str, int] = {}
    waits = []  # how long each send that got an error from a live node waited for it
    refused = 0
    for line in (run.run_dir / "history.edn").read_text().splitlines():
        if ":f :send" not in line:
            continue
        process = re.search(r":process (\d+)", line).group(1)
        time = int(re.search(r":time (\d+)", line).group(1))
        if ":type :invoke" in line:
            invoked[process] = time
        elif ":error" in line and ":net-timeout" not in line:
            waits.append((time - invoked.pop(process)) / 1e9)
            refused += "does not read its mailbox" in line
    # Once a relayed send goes unanswered, the owner is taken for down and the node's other
    # sends to it are refused at once (error 11): no client waits out the relay's second.
    assert refused > 50
    assert max(waits) < 1.2
