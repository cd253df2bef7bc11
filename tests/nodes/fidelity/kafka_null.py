#!/usr/bin/env python3
"""Item 2 (issue 11): a correct single-node kafka log whose poll_ok sends null for a key
with nothing at or after the requested offset, and for every key it was not asked about.
argv[1] "lists" (null lists, as Go nodes do), "msgs" (the whole msgs map null when nothing is
new: a map schema does not accept nil, so that poll is malformed)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else "lists"
logs = {}
committed = {}


def handle(me, msg):
    b = msg["body"]
    t = b["type"]
    if t == "send":
        log = logs.setdefault(b["key"], [])
        log.append(b["msg"])
        reply(me, msg, {"type": "send_ok", "offset": len(log) - 1})
    elif t == "poll":
        out = {}
        for k, off in b["offsets"].items():
            pairs = [[i, m] for i, m in enumerate(logs.get(k, [])) if i >= off]
            out[k] = pairs or None
        for k in logs:  # keys it was not asked about: null (a schema-legal extra key)
            out.setdefault(k, None)
        if MODE == "msgs" and not any(out.values()):
            out = None
        reply(me, msg, {"type": "poll_ok", "msgs": out})
    elif t == "commit_offsets":
        committed.update(b["offsets"])
        reply(me, msg, {"type": "commit_offsets_ok"})
    elif t == "list_committed_offsets":
        reply(me, msg, {"type": "list_committed_offsets_ok",
                        "offsets": {k: committed[k] for k in b["keys"] if k in committed}})


run(handle)
