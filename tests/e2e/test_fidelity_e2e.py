"""Issue 11 end to end: the adversarial nodes of tests/nodes/fidelity/ through the workbench,
each expecting the exit code real Maelstrom gave with the same flags (jepsen-io/maelstrom
cb7f072, jepsen 0.3.7, Elle 0.2.2; runs of --time-limit 5, here 3)."""

from __future__ import annotations

import pytest

from workbench.history import read_edn

pytestmark = pytest.mark.slow

NODES = "tests/nodes/fidelity/"


def test_keys_returned_as_strings_make_txn_analysis_unknown(workbench) -> None:
    # Maelstrom: exit 2, the checker threw "a mix of different types for transaction keys".
    run = workbench("-w", "txn-rw-register", "--bin", NODES + "txn_str_keys.py",
                    "--node-count", "1", "--time-limit", "3")
    assert run.code == 2, run.stdout + run.stderr
    assert "mix of different types" in run.results["workload"]["error"]


@pytest.mark.parametrize("mode", ["empty", "null"])
def test_txns_that_depend_on_nothing_are_an_empty_graph(workbench, mode) -> None:
    # Maelstrom: exit 1, :anomaly-types (:empty-transaction-graph), every txn :ok with [].
    run = workbench("-w", "txn-rw-register", "--bin", NODES + "txn_empty.py", mode,
                    "--node-count", "1", "--time-limit", "3",
                    "--consistency-models", "serializable")
    assert run.code == 1, run.stdout + run.stderr
    assert run.results["workload"]["anomaly-types"] == ["empty-transaction-graph"]
    assert run.results["stats"]["info-count"] == 0


def test_broadcast_reads_of_null_are_ok_and_lose_every_value(sim) -> None:
    # Maelstrom: exit 1, reads {:type :ok :value nil}, :lost-count 16 of 16.
    run = sim("-w", "broadcast", "--bin", NODES + "broadcast_null.py", "always",
                    "--node-count", "1", "--time-limit", "3", "--seed", "1")
    assert run.code == 1, run.stdout + run.stderr
    w = run.results["workload"]
    assert w["valid?"] is False and w["lost-count"] == w["attempt-count"] > 0


def test_kafka_null_lists_are_ok_polls(sim) -> None:
    # Maelstrom: exit 0, polls like [:poll {"8" nil}] are :ok; only the 3 :crash ops are :info.
    run = sim("-w", "kafka", "--bin", NODES + "kafka_null.py", "lists",
                    "--node-count", "1", "--time-limit", "3", "--concurrency", "2n", "--seed", "1")
    assert run.code == 0, run.stdout + run.stderr
    history = (run.run_dir / "history.edn").read_text()
    assert " nil}]]" in history
    infos = [line for line in history.splitlines() if ":type :info" in line]
    assert all(":f :crash" in line for line in infos)


def test_truthy_create_if_not_exists_creates_the_key(sim) -> None:
    # Maelstrom: exit 0 for "yes" and for 0 (the node acknowledges adds it never stored when
    # the cas says the key does not exist, so a falsy reading of the flag fails the counter).
    run = sim("-w", "g-counter", "--bin", NODES + "cas_truthy.py", '"yes"',
                    "--node-count", "1", "--time-limit", "3", "--seed", "1")
    assert run.code == 0, run.stdout + run.stderr


# ---- in the run core (items 1, 3, 7): the verdicts real Maelstrom gave


def test_a_muted_node_is_named_with_its_time(sim) -> None:
    # Maelstrom (cb7f072, echo with a reply 5.5 s late): "Invalid dest for message ... :dest
    # c2" killed n0's stdout thread; nothing n0 sent afterwards was delivered; exit 0.
    run = sim(
        "-w", "broadcast", "--bin", "tests/nodes/late_reply.py", "--node-count", "1",
        "--time-limit", "12", "--rate", "5", "--seed", "1")
    assert run.code == 0, run.stdout + run.stderr  # as Maelstrom: the checkers pass
    muted = run.results["workbench"]["muted"]
    assert [m["node"] for m in muted] == ["n0"] and "already closed" in muted[0]["why"]
    after = muted[0]["time"] * 1e9
    history = read_edn(run.run_dir / "history.edn")
    assert not [op for op in history if op["type"] == "ok" and op["time"] > after]
    assert [op for op in history if op["type"] == "invoke" and op["time"] > after]


def test_a_late_reply_before_the_thread_s_next_op_does_not_mute(sim) -> None:
    # Maelstrom (cb7f072, this node, --concurrency 10 --rate 1 --time-limit 25): the third
    # echo timed out (:info) and its reply came 0.5 s later, but that worker thread got its
    # next op only 15 s later; its client is closed then (Jepsen's interpreter.clj
    # ClientWorker invoke!), so the reply went to a client still on the network and was
    # dropped there: no "Invalid dest", no mute, 23 ok and 1 info, exit 0.
    run = sim("-w", "echo", "--bin", "tests/nodes/echo_late.py", "--node-count", "1",
              "--concurrency", "10", "--rate", "1", "--time-limit", "25", "--seed", "1")
    assert run.code == 0, run.stdout + run.stderr
    assert "muted" not in run.results.get("workbench", {})
    assert run.results["stats"]["info-count"] == 1
    assert run.results["stats"]["ok-count"] == run.results["stats"]["count"] - 1


def test_a_late_reply_after_the_thread_s_next_op_mutes(sim) -> None:
    # The same node with one thread: the thread's next op (0-2 s after the timeout) closes
    # the old client before the reply, 6 s late, arrives: Maelstrom's reader of n0 dies
    # there (net.clj validate-msg), and so every later echo times out.
    run = sim("-w", "echo", "--bin", "tests/nodes/echo_late.py", "--node-count", "1",
              "--rate", "1", "--time-limit", "25", "--seed", "1", "--", "8")
    assert run.code == 0, run.stdout + run.stderr  # echo's checker ignores :info
    assert [m["node"] for m in run.results["workbench"]["muted"]] == ["n0"]
    assert run.results["stats"]["info-count"] > 1


def test_an_in_reply_to_of_another_type_answers_nothing_simulated(sim) -> None:
    # Maelstrom (cb7f072): in_reply_to 1.0 is not = to msg_id 1; the echo timed out, stats
    # found no ok echo, exit 1.
    run = sim("-w", "echo", "--bin", "tests/nodes/float_reply.py", "--node-count", "1",
              "--time-limit", "8", "--rate", "2", "--seed", "1")
    assert run.code == 1, run.stdout + run.stderr  # no echo ever succeeded
    assert run.results["stats"]["ok-count"] == 0
    assert run.results["stats"]["info-count"] > 0


def test_a_node_that_drops_late_answers_is_not_muted(sim) -> None:
    # The node of the test above, with answer_clients_within(4.0): its 6 s late answer is
    # not sent, so the client sees a timeout and the node goes on being read.
    run = sim(
        "-w", "broadcast", "--bin", "tests/nodes/slow_answer.py", "--node-count", "1",
        "--time-limit", "12", "--rate", "5", "--seed", "1", "--", "6")
    assert run.code == 0, run.stdout + run.stderr
    assert "muted" not in run.results.get("workbench", {})
    log = (run.run_dir / "node-logs" / "n0.log").read_text()
    assert "not answering" in log
    history = read_edn(run.run_dir / "history.edn")
    broadcast_3 = [op for op in history if op["f"] == "broadcast" and op["value"] == 3]
    assert [op["type"] for op in broadcast_3] == ["invoke", "info"]
    late = broadcast_3[1]["time"]
    assert [op for op in history if op["type"] == "ok" and op["time"] > late]
