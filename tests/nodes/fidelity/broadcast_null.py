#!/usr/bin/env python3
"""Item 2 (issue 11): a single-node broadcast store that replies "messages": null instead
of []. argv[1] "empty" (null only while it holds nothing: valid), "always" (null every time:
every read is an ok, empty read, so every broadcast value is lost)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from maelstrom_node import Node  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else "empty"
node = Node()
seen = []


@node.handler("topology")
def topology(msg):
    return {"type": "topology_ok"}


@node.handler("broadcast")
def broadcast(msg):
    seen.append(msg["body"]["message"])
    return {"type": "broadcast_ok"}


@node.handler("read")
def read(msg):
    return {"type": "read_ok", "messages": None if MODE == "always" or not seen else list(seen)}


node.run()
