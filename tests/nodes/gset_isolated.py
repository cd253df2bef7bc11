#!/usr/bin/env python3
"""A broken g-set node for the e2e tests: each node keeps its own set and never tells the
others, so a read at one node misses the elements added at another (set-full: lost)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()
elements: set = set()


@node.handler("add")
def add(msg: dict) -> dict:
    elements.add(msg["body"]["element"])
    return {"type": "add_ok"}


@node.handler("read")
def read(msg: dict) -> dict:
    return {"type": "read_ok", "value": sorted(elements)}


if __name__ == "__main__":
    node.run()
