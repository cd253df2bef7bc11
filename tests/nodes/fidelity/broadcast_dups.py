#!/usr/bin/env python3
"""Duplicates: a single-node broadcast store whose reads list every value twice."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run  # noqa: E402

seen = []


def handle(me, msg):
    t = msg["body"]["type"]
    if t == "topology":
        reply(me, msg, {"type": "topology_ok"})
    elif t == "broadcast":
        seen.append(msg["body"]["message"])
        reply(me, msg, {"type": "broadcast_ok"})
    elif t == "read":
        reply(me, msg, {"type": "read_ok", "messages": seen + seen})


run(handle)
