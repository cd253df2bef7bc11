#!/usr/bin/env python3
"""An echo node where every node but n0 passes a client's request on to n0 with the client's
id as src (as Maelstrom's demo raft.py forwards requests), so n0 answers the client directly.
Maelstrom allows it: it only checks that src is on the network."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()


@node.handler("echo")
def echo(msg: dict) -> dict | None:
    if node.node_id == "n0":
        return {"type": "echo_ok", "echo": msg["body"]["echo"]}
    print(json.dumps({"src": msg["src"], "dest": "n0", "body": msg["body"]}), flush=True)
    return None


node.run()
