#!/usr/bin/env python3
"""A txn node that shows aborted writes (G1a): it applies a txn's writes, then reports every
other writing txn as aborted (error 30). Invalid under read-committed and anything stronger."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run  # noqa: E402

store = {}
count = [0]


def handle(me, msg):
    if msg["body"]["type"] != "txn":
        return
    out = []
    for f, k, v in msg["body"]["txn"]:
        if f == "r":
            out.append(["r", k, store.get(k)])
        else:
            store[k] = v
            out.append(["w", k, v])
    count[0] += 1
    if count[0] % 2 and any(f == "w" for f, _, _ in out):
        reply(me, msg, {"type": "error", "code": 30, "text": "aborted, writes stay visible"})
        return
    reply(me, msg, {"type": "txn_ok", "txn": out})


run(handle)
