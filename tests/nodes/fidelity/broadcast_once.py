#!/usr/bin/env python3
"""Retries after a partition heals (the lack of them): a broadcast node that forwards each new
value to every other node exactly once, fire and forget. Partitions lose values for good."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run, send  # noqa: E402

seen = set()
nodes = []


def handle(me, msg):
    b = msg["body"]
    t = b["type"]
    if t == "topology":
        nodes.extend(n for n in b["topology"] if n != me)
        reply(me, msg, {"type": "topology_ok"})
    elif t in ("broadcast", "gossip"):
        v = b["message"]
        if v not in seen:
            seen.add(v)
            if t == "broadcast":
                for n in nodes:
                    send(me, n, {"type": "gossip", "message": v})
        if t == "broadcast":
            reply(me, msg, {"type": "broadcast_ok"})
    elif t == "read":
        reply(me, msg, {"type": "read_ok", "messages": sorted(seen)})


run(handle)
