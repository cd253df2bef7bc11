#!/usr/bin/env python3
"""A broken node built on maelstrom_node: answers init, then exits on its first request."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node, log  # noqa: E402

node = Node()


@node.handler("echo")
def echo(msg: dict) -> None:
    log("giving up on", msg["body"]["type"])
    sys.exit(3)


node.run()
