#!/usr/bin/env python3
"""Item 2 (issue 11): a correct single-node kafka log whose poll_ok sends null for a key
with nothing at or after the requested offset, and for every key it was not asked about.
argv[1] "lists" (null lists, as Go nodes do), "msgs" (the whole msgs map null when nothing is
new: a map schema does not accept nil, so that poll is malformed)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from maelstrom_node import Node  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else "lists"
node = Node()
logs = {}
committed = {}


@node.handler("send")
def send(msg):
    b = msg["body"]
    log = logs.setdefault(b["key"], [])
    log.append(b["msg"])
    return {"type": "send_ok", "offset": len(log) - 1}


@node.handler("poll")
def poll(msg):
    b = msg["body"]
    out = {}
    for k, off in b["offsets"].items():
        pairs = [[i, m] for i, m in enumerate(logs.get(k, [])) if i >= off]
        out[k] = pairs or None
    for k in logs:  # keys it was not asked about: null (a schema-legal extra key)
        out.setdefault(k, None)
    if MODE == "msgs" and not any(out.values()):
        out = None
    return {"type": "poll_ok", "msgs": out}


@node.handler("commit_offsets")
def commit_offsets(msg):
    committed.update(msg["body"]["offsets"])
    return {"type": "commit_offsets_ok"}


@node.handler("list_committed_offsets")
def list_committed_offsets(msg):
    keys = msg["body"]["keys"]
    return {"type": "list_committed_offsets_ok",
            "offsets": {k: committed[k] for k in keys if k in committed}}


node.run()
