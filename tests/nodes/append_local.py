#!/usr/bin/env python3
"""A txn-list-append node for the e2e tests: applies each txn whole to its own lists, never
talking to other nodes. Alone it is strict-serializable; two of them keep separate lists,
which Elle catches (reads that miss the other node's appends)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()
lists: dict = {}


@node.handler("txn")
def txn(msg: dict) -> dict:
    out = []
    for f, k, v in msg["body"]["txn"]:
        if f == "r":
            out.append(["r", k, list(lists[k]) if k in lists else None])
        else:
            lists.setdefault(k, []).append(v)
            out.append(["append", k, v])
    return {"type": "txn_ok", "txn": out}


if __name__ == "__main__":
    node.run()
