#!/usr/bin/env python3
"""Item 4 (issue 11): a correct single-node txn store whose replies carry every key as a
string ("3" for 3). Elle's type sanity sees integer keys in the invocations and string keys
in the completions and throws: Maelstrom's analysis is unknown."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run  # noqa: E402

store = {}


def handle(me, msg):
    if msg["body"]["type"] != "txn":
        return
    out = []
    for f, k, v in msg["body"]["txn"]:
        if f == "r":
            out.append(["r", str(k), store.get(k)])
        else:
            store[k] = v
            out.append(["w", str(k), v])
    reply(me, msg, {"type": "txn_ok", "txn": out})


run(handle)
