#!/usr/bin/env python3
"""A grow-only counter that keeps its total only in memory: right with one node and no
faults, but a killed node restarts at 0 and the acknowledged adds are gone."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()
total = 0


@node.handler("add")
def add(msg: dict) -> dict:
    global total
    total += msg["body"]["delta"]
    return {"type": "add_ok"}


@node.handler("read")
def read(msg: dict) -> dict:
    return {"type": "read_ok", "value": total}


node.run()
