#!/usr/bin/env python3
"""Wrong types: a single-node g-counter whose read_ok value is a float (s/Int rejects it)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run  # noqa: E402

total = [0]


def handle(me, msg):
    t = msg["body"]["type"]
    if t == "add":
        total[0] += msg["body"]["delta"]
        reply(me, msg, {"type": "add_ok"})
    elif t == "read":
        reply(me, msg, {"type": "read_ok", "value": float(total[0])})


run(handle)
