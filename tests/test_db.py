"""The db (workbench/db.py) on simulated nodes, in this process: setup starts and inits every
node; kill, start, pause and resume say what they did, as the history records it; a node
started again is a fresh incarnation that has been sent init again; teardown stops all."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from workbench import cli
from workbench.client import Client, RPCTimeout
from workbench.core import build
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
