#!/usr/bin/env python3
"""Challenge 2, Unique ID generation: ids unique across the cluster, with no coordination.

An id is `<node id>.<boot>.<n>`: the node id separates nodes, `n` counts this process's
ids, and `boot` (nanosecond start time plus random bits, in hex) separates one run of a node
from a restart of the same node. No inter-node messages at all, so it is totally available
under any partition: servers msgs-per-op is 0.

Crashes (kill, pause). A restarted process starts `n` at 0 again, but under a new `boot`: its
start time is later than any earlier incarnation's (a kill and a start are separate nemesis
ops, so a restart never happens at the instant of an earlier start), and the 16 random bits
separate even equal clock readings (a clock stepped back). Under the workbench's --sim,
`time.time_ns()` is a fixed epoch plus virtual seconds, which still grows between
incarnations, and `random` is seeded per node and per incarnation, so the same holds there.
Nothing is held that a crash could lose, so crash safety costs nothing. Only `--availability
total` cannot hold under kill: a dead node cannot answer.

Late answers and stalls. Nothing to do: unique-ids clients are reusable (Maelstrom keeps the
same client id after a timeout), so an answer that comes after the client gave up (a generate
queued while the node was paused) is dropped by the client's in_reply_to filter and never
reaches a closed client, which is what mutes a node in the other workloads (see
maelstrom_node.py's answer_clients_within). Every answer goes out, however late.
"""

import itertools
import random
import time

from maelstrom_node import Node

node = Node()
boot = f"{time.time_ns():x}{random.getrandbits(16):04x}"
counter = itertools.count()


@node.handler("generate")
def generate(msg: dict) -> dict:
    return {"type": "generate_ok", "id": f"{node.node_id}.{boot}.{next(counter)}"}


if __name__ == "__main__":
    node.run()
