#!/usr/bin/env python3
"""A broadcast node that answers the broadcast of 3 only after 6 s, when the client (not
reusable: a timeout closes it) has given up. Maelstrom stops reading the node's stdout at
that reply, so nothing it acknowledges afterwards reaches anyone."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()
seen: list[int] = []


@node.handler("topology")
def topology(msg: dict) -> dict:
    return {"type": "topology_ok"}


@node.handler("broadcast")
def broadcast(msg: dict) -> dict | None:
    seen.append(msg["body"]["message"])
    if msg["body"]["message"] == 3:
        node.after(6.0, lambda: node.reply(msg, {"type": "broadcast_ok"}))
        return None
    return {"type": "broadcast_ok"}


@node.handler("read")
def read(msg: dict) -> dict:
    return {"type": "read_ok", "messages": seen}


node.run()
