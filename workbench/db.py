"""The test's nodes behind one interface, after Jepsen's db protocol (jepsen/db.clj: `setup!`
and `teardown!`; the `Kill` and `Pause` protocols' `kill!`, `start!`, `pause!`, `resume!`)
and Maelstrom's db (src/maelstrom/db.clj: set a node up by adding it to the network,
starting its binary, then at once sending it `init` and waiting up to 10 s for `init_ok`;
every node at the same time). Real processes (process.py) and simulated
nodes (sim/) are its hosts; the nemesis and the runner only ever talk to the DB.

Each fault verb returns what it did, as the history records it: kill -> "killed" or
"already-dead", start -> "started" or "already-running", pause -> "paused", "not-running"
or "already-paused", resume -> "resumed" or "not-paused". A node started again is sent
`init` again before `start` returns, as Maelstrom's process would be by its db."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Callable

from .client import Client, RPCError, RPCTimeout
from .incidents import Incidents
from .network import Network
from .options import Options
from .process import NodeHost, NodeProcess
from .seeds import Seeds
from .sim import SimNode

INIT_TIMEOUT = 10.0  # seconds (Maelstrom's db.clj: 10000 ms)


class DB:
    """Every node of one test: set-up, teardown and the faults, by node id."""

    def __init__(self, opts: Options, network: Network, incidents: Incidents, seeds: Seeds,
                 log_dir: Path, new_client_id: Callable[[], str]) -> None:
        self.nodes = list(opts.nodes)
        self.network = network
        self.log_dir = log_dir
        self.new_client_id = new_client_id
        self.hosts: dict[str, NodeHost] = {}
        for node_id in self.nodes:
            if opts.sim:
                self.hosts[node_id] = SimNode(node_id, opts.bin, list(opts.args), network,
                                              log_dir, incidents, seeds, opts.log_stderr)
            else:
                self.hosts[node_id] = NodeProcess(node_id, [opts.bin, *opts.args], network,
                                                  log_dir, incidents, opts.log_stderr)
        self.incidents = incidents

    # ---- setup! and teardown! ----

    async def setup(self) -> None:
        """Set every node up at once, as Jepsen's db/cycle! calls setup! on all nodes in
        parallel (a node that breaks the run first raises its NodeError)."""
        self.log_dir.mkdir(exist_ok=True)
        await self.incidents.guard(asyncio.gather(*(self.setup_node(n) for n in self.nodes)))

    async def setup_node(self, node_id: str) -> None:
        """One node's setup!, as Maelstrom's db.clj: join the network, start the binary,
        and at once (not waiting for the process to be ready) send it init."""
        await self.hosts[node_id].launch()
        await self.init(node_id)

    async def init(self, node_id: str) -> None:
        """Send `node_id` its init and wait for init_ok (NodeError otherwise)."""
        host = self.hosts[node_id]
        client = Client(self.network, self.new_client_id(), node_id)
        body = {"type": "init", "node_id": node_id, "node_ids": list(self.nodes)}
        try:
            reply = await client.call(body, timeout=INIT_TIMEOUT)
        except RPCTimeout:
            raise host.error(f"did not answer init within {INIT_TIMEOUT:.0f} s",
                             hint="the node must reply {\"type\": \"init_ok\", "
                                  "\"in_reply_to\": <msg_id>} on stdout") from None
        except RPCError as err:
            raise host.error(f"answered init with an error: {err}") from None
        finally:
            client.close()
        if reply.get("type") != "init_ok":
            raise host.error(f"answered init with {json.dumps(reply)}; expected type init_ok")

    async def teardown(self) -> None:
        """Stop every node for good; from here on, what they write last is not an error."""
        for host in self.hosts.values():
            host.stopping = True
        await asyncio.gather(*(host.stop() for host in self.hosts.values()))

    # ---- the faults (Jepsen's kill!, start!, pause!, resume!) ----

    async def on_nodes(self, verb: str, nodes: list[str]) -> dict[str, str]:
        """Fault verb `verb` on each of `nodes`, what it did by node. Real processes take it
        at once, as Jepsen's `db-nemesis` does (`c/on-nodes` in
        jepsen/src/jepsen/nemesis/combined.clj): a kill signals every target before it
        waits for any exit, a start spawns and initialises them together. Simulated nodes
        take it in turn, one after another's `init` round trip (0.2 ms of virtual time
        each), so that a recorded seed replays as it did."""
        act = getattr(self, verb)
        if any(isinstance(self.hosts[n], SimNode) for n in nodes):
            return {n: await act(n) for n in nodes}
        return dict(zip(nodes, await asyncio.gather(*(act(n) for n in nodes)), strict=True))

    async def kill(self, node_id: str) -> str:
        return await self.hosts[node_id].kill()

    async def start(self, node_id: str) -> str:
        host = self.hosts[node_id]
        status = await host.start()
        if status == "started" and host.running:
            await self.init(node_id)
        return status

    async def pause(self, node_id: str) -> str:
        return await self.hosts[node_id].pause()

    async def resume(self, node_id: str) -> str:
        return await self.hosts[node_id].resume()
