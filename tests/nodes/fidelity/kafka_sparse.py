#!/usr/bin/env python3
"""Item 8 (issue 11): a correct single-node kafka log whose offsets are sparse: the n-th
message of a key gets offset n * argv[1] (default 1000000). Monotonic, unique, gap-tolerant:
Jepsen's checker accepts gaps, but it builds a vector as long as the highest offset per key."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run  # noqa: E402

STRIDE = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
logs = {}
committed = {}


def handle(me, msg):
    b = msg["body"]
    t = b["type"]
    if t == "send":
        log = logs.setdefault(b["key"], [])
        log.append(b["msg"])
        reply(me, msg, {"type": "send_ok", "offset": (len(log) - 1) * STRIDE})
    elif t == "poll":
        out = {}
        for k, off in b["offsets"].items():
            out[k] = [[i * STRIDE, m] for i, m in enumerate(logs.get(k, [])) if i * STRIDE >= off]
        reply(me, msg, {"type": "poll_ok", "msgs": out})
    elif t == "commit_offsets":
        committed.update(b["offsets"])
        reply(me, msg, {"type": "commit_offsets_ok"})
    elif t == "list_committed_offsets":
        reply(me, msg, {"type": "list_committed_offsets_ok",
                        "offsets": {k: committed[k] for k in b["keys"] if k in committed}})


run(handle)
