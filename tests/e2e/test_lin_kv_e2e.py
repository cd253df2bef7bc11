"""End to end: lin-kv nodes through the workbench. Correct ones (one node alone, a proxy to the
lin-kv service, also under partitions) are valid; a node serving stale reads and nodes with
uncoordinated copies are not, and the failing key's counterexample page is written."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

FAST = ("--concurrency", "2n", "--time-limit", "4", "--rate", "60", "--seed", "2")


def _workload(run, code: int) -> dict:
    assert run.code == code, run.stdout + run.stderr
    return run.results["workload"]


def test_single_node_store_is_linearizable(sim) -> None:
    run = sim("--bin", "tests/nodes/lin_kv_single.py", "--node-count", "1", *FAST)
    w = _workload(run, 0)
    assert w["valid?"] is True and w["failures"] == []
    assert w["results"][0]["linearizable"]["op-count"] > 50
    assert (run.run_dir / "independent" / "0" / "results.edn").exists()
    assert (run.run_dir / "independent" / "0" / "history.edn").exists()
    assert run.results["stats"]["by-f"]["cas"]["ok-count"] > 0


@pytest.mark.parametrize("nemesis", [(), ("--nemesis", "partition", "--nemesis-interval", "1")],
                         ids=["calm", "partition"])
def test_proxy_to_lin_kv_service_is_linearizable(sim, nemesis) -> None:
    run = sim("-w", "lin-kv", "--bin", "tests/nodes/lin_kv_proxy.py", "--node-count", "3",
                    *nemesis, *FAST)
    w = _workload(run, 0)
    assert w["valid?"] is True
    assert run.results["net"]["servers"]["msg-count"] > 0  # it did talk to the service


@pytest.mark.parametrize("node", ["lin_kv_stale.py", "lin_kv_split.py"])
def test_uncoordinated_nodes_are_caught_with_a_counterexample(sim, node) -> None:
    run = sim("--bin", f"tests/nodes/{node}", "--node-count", "3", *FAST)
    w = _workload(run, 1)
    assert w["valid?"] is False and w["failures"]
    k = w["failures"][0]
    lin = w["results"][k]["linearizable"]
    assert lin["op"]["type"] == "ok" and lin["final-paths"]
    assert "msg" in lin["final-paths"][0][-1]["model"]
    page = (run.run_dir / "independent" / str(k) / "linear.html").read_text()
    assert "not linearizable" in page and "<svg" in page


def test_maelstrom_defaults_are_refused_like_maelstrom(sim) -> None:
    run = sim("--bin", "tests/nodes/lin_kv_single.py")  # 5 nodes, concurrency 1n
    assert run.code == 254
    assert "--concurrency 2n" in run.stderr
