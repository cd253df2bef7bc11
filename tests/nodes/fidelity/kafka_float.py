#!/usr/bin/env python3
"""Issue 23: a correct single-node kafka log that keeps each message as a float, so a poll
returns 7.0 where 7 was sent. Under Clojure's = that 7.0 has no writer: Maelstrom's checker
throws (:no-writer-of-value) and the run is :unknown (exit 2)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from maelstrom_node import Node  # noqa: E402

node = Node()
logs = {}
committed = {}


@node.handler("send")
def send(msg):
    b = msg["body"]
    log = logs.setdefault(b["key"], [])
    log.append(float(b["msg"]))
    return {"type": "send_ok", "offset": len(log) - 1}


@node.handler("poll")
def poll(msg):
    out = {}
    for k, off in msg["body"]["offsets"].items():
        out[k] = [[i, m] for i, m in enumerate(logs.get(k, [])) if i >= off]
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
