#!/usr/bin/env python3
"""An echo node that hangs: its second echo spins forever without yielding (a loop no
virtual clock can end). A sweep's per-seed --timeout must stop it."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()
state = {"echoes": 0}


@node.handler("echo")
def echo(msg: dict) -> dict:
    state["echoes"] += 1
    while state["echoes"] >= 2:
        pass
    return {"type": "echo_ok", "echo": msg["body"]["echo"]}


node.run()
