#!/usr/bin/env python3
"""Answers `echo` with the id init gave it and how many echos this incarnation has seen
(the db tests: a node started again has lost its count and has been sent init again)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()
seen = [0]


@node.handler("echo")
def echo(msg: dict) -> dict:
    seen[0] += 1
    return {"type": "echo_ok", "echo": [node.node_id, seen[0]]}


node.run()
