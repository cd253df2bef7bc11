#!/usr/bin/env python3
"""An echo node that is not deterministic: the first run with a given marker directory (its
argument) answers one echo wrong and leaves a file there; later runs answer right. So the
same seed fails once and passes the next time, which a sweep must report."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()
marker = Path(sys.argv[1]) / "ran-once"
state = {"wrong": False, "echoes": 0}


@node.on_init
def init() -> None:
    state["wrong"] = not marker.exists()
    marker.touch()


@node.handler("echo")
def echo(msg: dict) -> dict:
    state["echoes"] += 1
    if state["wrong"] and state["echoes"] == 1:
        return {"type": "echo_ok", "echo": "something else"}
    return {"type": "echo_ok", "echo": msg["body"]["echo"]}


node.run()
