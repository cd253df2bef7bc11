#!/usr/bin/env python3
"""Challenge 2, Unique ID generation: ids unique across the cluster, with no coordination.

An id is `<node id>.<boot>.<n>`: the node id separates nodes, `n` counts this process's
ids, and `boot` (nanosecond start time plus random bits, in hex) separates one run of a node
from a restart of the same node. No inter-node messages at all, so it is totally available
under any partition: servers msgs-per-op is 0.
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
