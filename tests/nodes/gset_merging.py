#!/usr/bin/env python3
"""A correct g-set node for the e2e tests: a local set, gossiped whole to every peer every
0.1 s and merged by union (a state-based CRDT), so partitions only delay convergence."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()
elements: set = set()


@node.on_init
def start() -> None:
    def gossip() -> None:
        for peer in node.node_ids:
            if peer != node.node_id:
                node.send(peer, {"type": "merge", "elements": sorted(elements)})
    node.every(0.1, gossip)


@node.handler("add")
def add(msg: dict) -> dict:
    elements.add(msg["body"]["element"])
    return {"type": "add_ok"}


@node.handler("read")
def read(msg: dict) -> dict:
    return {"type": "read_ok", "value": sorted(elements)}


@node.handler("merge")
def merge(msg: dict) -> None:
    elements.update(msg["body"]["elements"])


if __name__ == "__main__":
    node.run()
