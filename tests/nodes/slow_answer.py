#!/usr/bin/env python3
"""A broadcast node that answers the broadcast of 3 only after DELAY seconds (argv[1]), with
`answer_clients_within(4.0)`: the late answer must be dropped, so the node is never muted
(tests/nodes/late_reply.py is the same node without the guard)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

DELAY = float(sys.argv[1]) if len(sys.argv) > 1 else 6.0
node = Node()
node.answer_clients_within(4.0)
seen: list[int] = []


@node.handler("topology")
def topology(msg: dict) -> dict:
    return {"type": "topology_ok"}


@node.handler("broadcast")
def broadcast(msg: dict) -> dict | None:
    seen.append(msg["body"]["message"])
    if msg["body"]["message"] == 3:
        node.after(DELAY, lambda: node.reply(msg, {"type": "broadcast_ok"}))
        return None
    return {"type": "broadcast_ok"}


@node.handler("read")
def read(msg: dict) -> dict:
    return {"type": "read_ok", "messages": seen}


node.run()
