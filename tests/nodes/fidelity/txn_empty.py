#!/usr/bin/env python3
"""Items 2 and 5 (issue 11): a txn node that acknowledges every txn with no micro-ops.
argv[1] "empty" replies "txn": [], "null" replies "txn": null (Maelstrom's schema accepts nil
for a vector, and its client turns it into []). Either way no txn depends on another."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else "empty"


def handle(me, msg):
    if msg["body"]["type"] == "txn":
        reply(me, msg, {"type": "txn_ok", "txn": None if MODE == "null" else []})


run(handle)
