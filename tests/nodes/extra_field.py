#!/usr/bin/env python3
"""A broken echo node: its echo_ok carries a key the schema does not allow."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()


@node.handler("echo")
def echo(msg: dict) -> dict:
    return {"type": "echo_ok", "echo": msg["body"]["echo"], "node": node.node_id}


node.run()
