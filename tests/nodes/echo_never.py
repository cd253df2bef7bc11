#!/usr/bin/env python3
"""A broken echo node: it answers init and reads every echo, but answers none of them."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()


@node.handler("echo")
def echo(msg: dict) -> None:
    return None  # the breakage under test: no echo_ok


node.run()
