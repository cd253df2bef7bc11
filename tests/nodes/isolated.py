#!/usr/bin/env python3
"""A test node for the simulator's module isolation: each `probe` reports this node's module
globals, the state of a module beside the script, which maelstrom_node it runs on, and a
draw from `random`."""
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import isolated_state  # noqa: E402  (beside this script: a private copy per simulated node)

import maelstrom_node  # noqa: E402

node = maelstrom_node.Node()
count = 0


@node.handler("probe")
def probe(msg: dict) -> dict:
    global count
    count += 1
    isolated_state.seen.append(msg["body"]["msg_id"])
    return {"type": "probe_ok", "count": count, "seen": list(isolated_state.seen),
            "module": id(maelstrom_node), "draw": random.random()}


node.run()
