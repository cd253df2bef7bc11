"""End to end: every solution under the kill nemesis (short simulated runs with a small
--nemesis-interval, so that nodes die and come back several times), broadcast under
partition, kill and pause at once, and a node that keeps its id counter in memory only,
which a restart breaks."""

from __future__ import annotations

import re

import pytest

from tests.stage_flags import stage_flags

pytestmark = pytest.mark.slow

KILL = ["--nemesis", "kill", "--nemesis-interval", "1"]

# the stages' official flags (stages.txt), shorter, without their own faults (--availability
# total cannot hold while a node is down)
QUIET = ("--nemesis", "--availability")
SOLUTIONS = {
    "unique-ids": stage_flags("unique-ids", QUIET, rate="300", time_limit="10"),
    "broadcast": stage_flags("broadcast-3b", QUIET, time_limit="8"),
    "counter": stage_flags("counter", QUIET, time_limit="8"),
    "kafka": stage_flags("kafka-5b", QUIET, rate="300", time_limit="6"),
    "txn": stage_flags("txn-6c", QUIET, rate="300", time_limit="6"),
}


def _kills(run) -> int:
    """How many node processes the nemesis killed (its :kill completions)."""
    history = (run.run_dir / "history.txt").read_text()
    return sum(line.count(":killed") for line in history.splitlines()
               if re.search(r":nemesis\t:info\t:kill\t\{", line))


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_every_solution_is_valid_under_kill(sim, name: str) -> None:
    run = sim(*SOLUTIONS[name], *KILL, "--seed", "2")
    assert run.code == 0, run.stdout + run.stderr
    assert run.results["valid?"] is True
    assert _kills(run) >= 2  # the run did kill nodes, more than once
    history = (run.run_dir / "history.txt").read_text()
    assert ":nemesis\t:info\t:start\t{" in history and ":started" in history


def test_unique_ids_restarted_nodes_use_a_new_boot(sim) -> None:
    run = sim(*SOLUTIONS["unique-ids"], *KILL, "--seed", "2")
    assert run.code == 0 and run.results["valid?"] is True
    ids = re.findall(r'"(n\d+)\.([0-9a-f]+)\.\d+"', (run.run_dir / "history.txt").read_text())
    boots: dict[str, set[str]] = {}
    for node, boot in ids:
        boots.setdefault(node, set()).add(boot)
    assert max(len(b) for b in boots.values()) >= 2  # some node answered in two lives


def test_broadcast_survives_partition_kill_and_pause_at_once(sim) -> None:
    run = sim(*SOLUTIONS["broadcast"], "--nemesis", "partition,kill,pause",
              "--nemesis-interval", "1", "--seed", "3")
    assert run.code == 0, run.stdout + run.stderr
    w = run.results["workload"]
    assert w["valid?"] is True and w["lost-count"] == 0
    history = (run.run_dir / "history.txt").read_text()
    for f in ("start-partition", "kill", "pause", "resume", "start"):
        assert f":nemesis\t:info\t:{f}\t" in history, f


def test_kafka_survives_the_kill_of_every_node(sim) -> None:
    """Two nodes: kill targets of majority or all take both down, and every acknowledged
    send must come back from the log in lin-kv."""
    # 10 s: a client waits 5 s on a dead node
    flags = stage_flags("kafka-5b", QUIET, rate="300", time_limit="10")
    run = sim(*flags, *KILL, "--seed", "1")
    assert run.code == 0, run.stdout + run.stderr
    assert run.results["valid?"] is True
    history = (run.run_dir / "history.txt").read_text()
    assert any(line.count(":killed") == 2 for line in history.splitlines()
               if ":nemesis\t:info\t:kill\t{" in line)


def test_ids_counted_in_memory_repeat_after_a_restart(sim) -> None:
    run = sim("-w", "unique-ids", "--bin", "tests/nodes/ids_in_memory.py", "--node-count", "3",
              "--rate", "300", "--time-limit", "10", *KILL, "--seed", "2")
    assert run.code == 1, run.stdout + run.stderr
    w = run.results["workload"]
    assert w["valid?"] is False and w["duplicated-count"] > 0
    assert _kills(run) >= 2


def test_broadcast_values_an_isolated_origin_repairs_late_reach_every_node(sim) -> None:
    """Swarm seed 42: every node down 0-14 s, then n2 cut off while it stores and sends five
    values (its direct sends are lost); after the heal n2 gives them to the hub as repairs
    of its own, and the hub must pass them on, since n4 only heartbeats every 8 s. Before
    the fix the hub took them for n2's fresh send (which reaches everyone) and n4 never got
    them: five values lost."""
    run = sim(*stage_flags("broadcast-3b", ()), "--latency", "0", "--nemesis",
              "kill,partition", "--nemesis-interval", "7.5", "--seed", "42")
    assert run.code == 0, run.stdout + run.stderr
    w = run.results["workload"]
    assert w["valid?"] is True and w["lost-count"] == 0
    history = (run.run_dir / "history.txt").read_text()
    assert "[:isolated {\"n0\" #{\"n2\"}" in history  # the partition that isolates n2


def test_kafka_recovers_when_a_late_reply_to_its_dead_incarnation_arrives(sim) -> None:
    """Swarm seed 166: n1 paused from the start, n0 killed at 15 s; both come back for the
    final polls, n1 answers the dead n0's requests it held, and one of those replies carried
    the msg_id of the new n0's first log read: its recovery crashed (no "value") and the
    final polls missed 38 acknowledged sends (:unseen)."""
    flags = stage_flags("kafka-5b", QUIET)
    run = sim(*flags, "--latency", "0", "--nemesis", "kill,partition,pause",
              "--nemesis-interval", "7.7", "--seed", "166")
    assert run.code == 0, run.stdout + run.stderr
    assert run.results["valid?"] is True
    logs = "".join(p.read_text() for p in (run.run_dir / "node-logs").glob("*.log"))
    assert "started again by the nemesis" in logs and "crashed" not in logs


def test_kafka_answers_fresh_requests_while_a_peer_keeps_talking_after_a_pause(sim) -> None:
    """Seed 391 under pause: both nodes stopped from 0 to 14.8 s, n0 again from 15.1 s to
    the end. n1 took the requests sent after it resumed (at 15.0 s) for its backlog, since
    n0's syncs, every 0.1 s, never left a whole tick without input; it dropped them all, and
    with no op ever :ok the checker found an empty transaction graph. The backlog is over
    once input pauses for a moment (maelstrom_node's _Freshness.QUIET)."""
    run = sim("-w", "kafka", "--bin", "kafka.py", "--concurrency", "2n", "--node-count", "2",
              "--rate", "1000", "--latency", "0", "--time-limit", "20", "--nemesis", "pause",
              "--nemesis-interval", "9.1", "--seed", "391")
    assert run.code == 0, run.stdout + run.stderr
    assert run.results["valid?"] is True
    assert run.results["availability"]["ok-fraction"] > 0.5
    n1 = (run.run_dir / "node-logs" / "n1.log").read_text()
    assert "not answering c3's send" in n1  # the real backlog is still dropped
    assert "c17" not in n1


def test_kafka_answers_fresh_requests_while_the_peers_sync_every_50_ms(sim) -> None:
    """Seed 975 under pause: both nodes stopped from 8.2 to 14.9 s; every client had timed
    out and re-sent 57 ms after the resume, while each node heard the other's sync every
    50 ms. A drain that waited for 50 ms without input never ended before its 0.5 s, so all
    those requests were dropped, their clients waited out the run, and no op was ever :ok."""
    run = sim("-w", "kafka", "--bin", "kafka.py", "--concurrency", "2n", "--node-count", "2",
              "--rate", "1000", "--latency", "0", "--time-limit", "20", "--nemesis", "pause",
              "--nemesis-interval", "4.9", "--seed", "975")
    assert run.code == 0, run.stdout + run.stderr
    assert run.results["valid?"] is True
    logs = "".join((run.run_dir / "node-logs" / f"{n}.log").read_text() for n in ("n0", "n1"))
    assert "not answering c15's send" in logs  # the backlog is still dropped
    assert not any(f"not answering c{i}'s" in logs for i in range(17, 30))


def test_kafka_appends_a_relayed_send_once_when_it_restarts_with_the_send_in_its_mailbox(
        sim) -> None:
    """Seed 544 under all three faults: n1 relayed two sends to n0 through its mailbox and
    was killed; n0 appended them and was killed too. Restarted at 19.8 s, n0 read the
    mailbox, which still held them, before its log was replayed, so it did not yet know their
    request ids and appended both again (`:duplicate`, and polls that went backwards)."""
    flags = stage_flags("kafka-5b", QUIET)
    run = sim(*flags, "--latency", "0", "--nemesis", "kill,partition,pause",
              "--nemesis-interval", "1.8", "--seed", "544")
    assert run.code == 0, run.stdout + run.stderr
    assert run.results["valid?"] is True
    journal = (run.run_dir / "net-journal.jsonl").read_text()
    assert '"key":"kafka/mail/n0/n1"' in journal  # the relay was used
    n0 = (run.run_dir / "node-logs" / "n0.log").read_text()
    assert "started again by the nemesis (incarnation 1)" in n0
