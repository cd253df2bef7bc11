"""workbench.sim, directly: two simulated nodes of one script, each with its own copy of
maelstrom_node and of the modules beside the script, its own globals and its own `random`
(drawn from the run's seed), on one virtual-time loop."""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path
from typing import Any

import maelstrom_node
from workbench import sim
from workbench.clock import Clock
from workbench.incidents import Incidents
from workbench.journal import Journal
from workbench.network import Latency, Network
from workbench.seeds import Seeds

NODES = Path(__file__).resolve().parent / "nodes"


def _probe_two_nodes(log_dir: Path, seed: int) -> tuple[dict[str, list[dict[str, Any]]],
                                                         list[Any]]:
    """n0 and n1 run tests/nodes/isolated.py; c0 probes n0 twice and n1 once. The replies'
    bodies by node, and the failures the nodes caused."""
    replies: dict[str, list[dict[str, Any]]] = {"n0": [], "n1": []}
    failures: list[Any] = []

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        net = Network(Latency(0, "constant"), random.Random(1), Journal(), Clock(loop))
        seeds = Seeds(seed)
        incidents = Incidents(loop)
        hosts = [sim.SimNode(n, str(NODES / "isolated.py"), [], net, log_dir, incidents, seeds)
                 for n in ("n0", "n1")]
        net.register("c0", lambda m: replies[m.src].append(m.body))
        for host in hosts:
            await host.launch()
            net.send("c0", host.id, {"type": "init", "msg_id": 0, "node_id": host.id,
                                     "node_ids": ["n0", "n1"]})
        for msg_id, dest in enumerate(["n0", "n0", "n1"], start=1):
            net.send("c0", dest, {"type": "probe", "msg_id": msg_id})
        await asyncio.sleep(1)
        for host in hosts:
            await host.stop()
        if incidents.failure is not None:
            failures.append(incidents.failure)

    sim.simulate(scenario, log_dir)
    return replies, failures


def test_each_simulated_node_has_its_own_modules_globals_and_random(tmp_path: Path) -> None:
    replies, failures = _probe_two_nodes(tmp_path, seed=7)
    assert failures == []
    n0 = [b for b in replies["n0"] if b["type"] == "probe_ok"]
    n1 = [b for b in replies["n1"] if b["type"] == "probe_ok"]
    # module globals and a module beside the script: counted per node
    assert [(b["count"], b["seen"]) for b in n0] == [(1, [1]), (2, [1, 2])]
    assert [(b["count"], b["seen"]) for b in n1] == [(1, [3])]
    # maelstrom_node: one private copy per node, neither of them the workbench's own
    assert n0[0]["module"] == n0[1]["module"] != n1[0]["module"]
    assert id(maelstrom_node) not in {n0[0]["module"], n1[0]["module"]}
    assert "isolated_state" not in sys.modules
    # random: each node's own stream, node:<id>:<incarnation> of the run's seed
    want0 = Seeds(7).stream("node:n0:0")
    assert [b["draw"] for b in n0] == [want0.random(), want0.random()]
    assert [b["draw"] for b in n1] == [Seeds(7).stream("node:n1:0").random()]


def test_the_same_seed_gives_the_same_draws_and_another_seed_others(tmp_path: Path) -> None:
    def draws(seed: int, sub: str) -> list[float]:
        replies, _ = _probe_two_nodes(tmp_path / sub, seed)
        return [b["draw"] for n in ("n0", "n1") for b in replies[n] if b["type"] == "probe_ok"]

    first = draws(3, "a")
    assert draws(3, "b") == first
    assert draws(4, "c") != first
