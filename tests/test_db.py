"""The db (workbench/db.py) on simulated nodes, in this process: setup starts every node and
sends it init at once, all nodes in parallel (Maelstrom's order); kill, start, pause and
resume say what they did, as the history records it; a node started again is a fresh
incarnation that has been sent init again; teardown stops all."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

from workbench import cli
from workbench.client import Client, RPCTimeout
from workbench.clock import Clock, run_virtual
from workbench.core import build
from workbench.db import DB
from workbench.incidents import Incidents
from workbench.journal import Journal
from workbench.message import Message
from workbench.network import Latency, Network
from workbench.process import NodeHost
from workbench.seeds import Seeds
from workbench.sim import simulate

NODE = str(Path(__file__).parent / "nodes" / "whoami.py")


def _echo(test: Any, node: str, timeout: float = 1.0) -> Any:
    async def call() -> Any:
        client = Client(test.network, test.new_client_id(), node)
        try:
            reply = await client.call({"type": "echo", "echo": None}, timeout=timeout)
            return reply["echo"]
        except RPCTimeout:
            return "timeout"
        finally:
            client.close()
    return call()


def test_the_db_verbs_on_simulated_nodes(tmp_path: Path) -> None:
    opts = cli.parse(["-w", "echo", "--bin", NODE, "--node-count", "2", "--sim",
                      "--store", str(tmp_path)])
    seen: list[Any] = []

    async def main() -> None:
        test = build(opts, tmp_path, 1, asyncio.get_running_loop())
        db = test.db
        await db.setup()
        seen.append(await _echo(test, "n1"))
        seen.append(await _echo(test, "n1"))
        seen.append([await db.kill("n1"), await db.kill("n1")])
        seen.append(await _echo(test, "n1"))  # what reaches a dead node is lost
        seen.append([await db.start("n1"), await db.start("n1")])
        seen.append(await _echo(test, "n1"))  # a fresh incarnation, sent init again
        seen.append([await db.resume("n0"), await db.pause("n0"), await db.pause("n0")])
        waiting = asyncio.ensure_future(_echo(test, "n0", timeout=5.0))
        await asyncio.sleep(1.0)
        seen.append(waiting.done())  # a paused node takes nothing; what is sent waits
        seen.append(await db.resume("n0"))
        seen.append(await waiting)  # answered once resumed
        seen.append([await db.kill("n0"), await db.pause("n0"), await db.resume("n0")])
        await db.teardown()
        seen.append([h.stopping for h in db.hosts.values()])
        test.network.close()

    simulate(main, tmp_path / "node-logs")
    assert seen == [["n1", 1], ["n1", 2], ["killed", "already-dead"], "timeout",
                    ["started", "already-running"], ["n1", 1],
                    ["not-paused", "paused", "already-paused"], False,
                    "resumed", ["n0", 1], ["killed", "not-running", "not-paused"],
                    [True, True]]
    log = (tmp_path / "node-logs" / "n1.log").read_text()
    assert "n1 killed by the nemesis (incarnation 0)" in log
    assert "n1 started again by the nemesis (incarnation 1)" in log


class _SlowStart(NodeHost):
    """A host whose binary takes `delay` (virtual) seconds to start; it answers init."""

    def __init__(self, node_id: str, network: Network, log_dir: Path, incidents: Incidents,
                 delay: float, events: list[tuple[float, str, str]]) -> None:
        super().__init__(node_id, network, log_dir, incidents)
        self.delay = delay
        self.events = events

    async def launch(self) -> None:
        self.network.register(self.id, self.deliver)
        await asyncio.sleep(self.delay)
        self.running = True
        self.events.append((self.network.clock.now(), self.id, "started"))

    def deliver(self, msg: Message) -> None:
        self.events.append((self.network.clock.now(), self.id, msg.body["type"]))
        self.network.send(self.id, msg.src, {"type": "init_ok",
                                             "in_reply_to": msg.body["msg_id"]})


def test_setup_starts_then_inits_each_node_all_at_once(tmp_path: Path) -> None:
    """Maelstrom's start-up (src/maelstrom/db.clj's setup!, which Jepsen's db/cycle! calls on
    every node in parallel): each node is sent init as soon as it has started, while the
    others are still starting, not once all have."""
    opts = cli.parse(["-w", "echo", "--bin", NODE, "--node-count", "3", "--sim",
                      "--store", str(tmp_path)])
    events: list[tuple[float, str, str]] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        network = Network(Latency(), random.Random(1), Journal(), Clock(loop))
        incidents = Incidents(loop)
        ids = iter(range(100))
        db = DB(opts, network, incidents, Seeds(1), tmp_path, lambda: f"c{next(ids)}")
        db.hosts = {n: _SlowStart(n, network, tmp_path, incidents, delay, events)
                    for n, delay in (("n0", 3.0), ("n1", 1.0), ("n2", 2.0))}
        await db.setup()

    run_virtual(main())
    assert [(round(t, 6), n, what) for t, n, what in events] == [
        (1.0, "n1", "started"), (1.0, "n1", "init"),
        (2.0, "n2", "started"), (2.0, "n2", "init"),
        (3.0, "n0", "started"), (3.0, "n0", "init")]


def _record_signals(monkeypatch: Any, events: list[str], names: dict[int, str]) -> None:
    """Note in `events` the first time each process group is sent each signal in `names`
    (real nodes), then send it."""
    from workbench import process

    real_killpg = process.os.killpg
    sent: set[tuple[int, int]] = set()

    def killpg(pid: int, sig: int) -> None:
        if sig in names and (pid, sig) not in sent:
            sent.add((pid, sig))
            events.append(names[sig])
        real_killpg(pid, sig)

    monkeypatch.setattr(process.os, "killpg", killpg)


def test_a_fault_on_several_real_nodes_hits_them_all_at_once(
        tmp_path: Path, monkeypatch: Any) -> None:
    """Jepsen's db-nemesis acts on its targets in parallel (`c/on-nodes` in
    jepsen/src/jepsen/nemesis/combined.clj). A kill of `all` must SIGKILL every process
    before it waits for any to exit and drain, or the later nodes go on serving for the
    earlier ones' reaping (7 ms for two kafka nodes: a send answered after `kill all`); a
    start of `all` must spawn every node before any has answered init (in turn, two kafka
    nodes took 0.5 s to come back)."""
    from workbench import db as db_module
    from workbench import process
    from workbench.nemesis.kill_pause import PACKAGE

    events: list[str] = []
    _record_signals(monkeypatch, events, {process.signal.SIGKILL: "SIGKILL"})
    reap = process.NodeProcess._stop_process
    begin = process.NodeProcess._begin
    init = db_module.DB.init

    async def stop_process(self: process.NodeProcess) -> None:
        await reap(self)
        events.append(f"reaped {self.id}")

    async def spawn(self: process.NodeProcess) -> None:
        events.append("spawn")
        await begin(self)

    async def init_ok(self: db_module.DB, node_id: str) -> None:
        await init(self, node_id)
        events.append(f"init_ok {node_id}")

    monkeypatch.setattr(process.NodeProcess, "_stop_process", stop_process)
    opts = cli.parse(["-w", "echo", "--bin", NODE, "--node-count", "3",
                      "--store", str(tmp_path)])
    nodes = ["n0", "n1", "n2"]
    seen: list[Any] = []

    async def main() -> None:
        test = build(opts, tmp_path, 1, asyncio.get_running_loop())
        await test.db.setup()
        seen.append([await _echo(test, n) for n in nodes])
        seen.append(await PACKAGE.ops["kill"].perform(test.nemesis.scope, nodes))
        events.append("kill returned")
        monkeypatch.setattr(process.NodeProcess, "_begin", spawn)
        monkeypatch.setattr(db_module.DB, "init", init_ok)
        seen.append(await PACKAGE.ops["start"].perform(test.nemesis.scope, nodes))
        seen.append([await _echo(test, n) for n in nodes])
        await test.db.teardown()
        test.network.close()

    asyncio.run(main())
    assert seen[0] == [["n0", 1], ["n1", 1], ["n2", 1]]
    assert [str(v) for v in seen[1].values()] == ["killed"] * 3
    assert events[:3] == ["SIGKILL", "SIGKILL", "SIGKILL"]
    assert sorted(events[3:6]) == ["reaped n0", "reaped n1", "reaped n2"]
    assert events[6] == "kill returned"
    assert events[7:10] == ["spawn", "spawn", "spawn"]
    assert sorted(events[10:13]) == ["init_ok n0", "init_ok n1", "init_ok n2"]
    assert [str(v) for v in seen[2].values()] == ["started"] * 3
    assert seen[3] == [["n0", 1], ["n1", 1], ["n2", 1]]  # fresh incarnations


def test_a_resumed_real_node_finds_what_waited_for_it_already_in_its_stdin(
        tmp_path: Path, monkeypatch: Any) -> None:
    """Maelstrom's stdin thread goes on writing into a stopped node's pipe
    (src/maelstrom/process.clj), so on SIGCONT the backlog is there at once; the workbench
    holds it in the network during the pause and must write it before the SIGCONT, or the
    node's first timer after the stall runs before the backlog arrives and takes it for
    fresh input."""
    from workbench import process

    events: list[str] = []
    _record_signals(monkeypatch, events, {process.signal.SIGCONT: "SIGCONT"})
    flush = process.NodeProcess._flush

    def flushed(self: process.NodeProcess) -> None:
        if self._out:
            events.append(f"write {len(self._out)}")
        flush(self)

    monkeypatch.setattr(process.NodeProcess, "_flush", flushed)
    opts = cli.parse(["-w", "echo", "--bin", NODE, "--node-count", "1",
                      "--store", str(tmp_path)])
    seen: list[Any] = []

    async def main() -> None:
        test = build(opts, tmp_path, 1, asyncio.get_running_loop())
        await test.db.setup()
        events.clear()
        seen.append(await test.db.pause("n0"))
        waiting = [asyncio.ensure_future(_echo(test, "n0", timeout=5.0)) for _ in range(3)]
        await asyncio.sleep(0.2)
        seen.append(await test.db.resume("n0"))
        seen.append(sorted(tuple(r) for r in await asyncio.gather(*waiting)))
        await test.db.teardown()
        test.network.close()

    asyncio.run(main())
    assert seen == ["paused", "resumed", [("n0", 1), ("n0", 2), ("n0", 3)]]
    assert events[:2] == ["write 3", "SIGCONT"]
