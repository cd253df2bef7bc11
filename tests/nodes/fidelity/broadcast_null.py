#!/usr/bin/env python3
"""Item 2 (issue 11): a single-node broadcast store that replies "messages": null instead
of []. argv[1] "empty" (null only while it holds nothing: valid), "always" (null every time:
every read is an ok, empty read, so every broadcast value is lost)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else "empty"
seen = []


def handle(me, msg):
    t = msg["body"]["type"]
    if t == "topology":
        reply(me, msg, {"type": "topology_ok"})
    elif t == "broadcast":
        seen.append(msg["body"]["message"])
        reply(me, msg, {"type": "broadcast_ok"})
    elif t == "read":
        msgs = None if MODE == "always" or not seen else list(seen)
        reply(me, msg, {"type": "read_ok", "messages": msgs})


run(handle)
