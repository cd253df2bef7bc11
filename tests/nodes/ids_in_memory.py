#!/usr/bin/env python3
"""Broken on purpose: unique ids from a counter kept in memory only, so a restarted node
hands out the ids of its earlier life again."""

import itertools
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

from maelstrom_node import Node  # noqa: E402

node = Node()
counter = itertools.count()


@node.handler("generate")
def generate(msg: dict) -> dict:
    return {"type": "generate_ok", "id": f"{node.node_id}.{next(counter)}"}


if __name__ == "__main__":
    node.run()
