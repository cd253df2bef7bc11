#!/usr/bin/env python3
"""Issue 23: a single-node broadcast store that reads every message back as a float (7.0
for 7). Under Clojure's = no read holds 7, so set-full finds every value lost: invalid in
Maelstrom and here (exit 1)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from maelstrom_node import Node  # noqa: E402

node = Node()
seen = []


@node.handler("topology")
def topology(msg):
    return {"type": "topology_ok"}


@node.handler("broadcast")
def broadcast(msg):
    seen.append(float(msg["body"]["message"]))
    return {"type": "broadcast_ok"}


@node.handler("read")
def read(msg):
    return {"type": "read_ok", "messages": list(seen)}


node.run()
