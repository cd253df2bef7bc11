#!/usr/bin/env python3
"""An echo node with a rare, seed-dependent bug: at init it draws from `random` (under --sim
seeded by the run's seed), and in about one run in four it answers its third echo with the
value dropped. A sweep finds those seeds; each one's replay fails again."""
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()
state = {"buggy": False, "echoes": 0}


@node.on_init
def init() -> None:
    state["buggy"] = random.random() < 0.25


@node.handler("echo")
def echo(msg: dict) -> dict:
    state["echoes"] += 1
    if state["buggy"] and state["echoes"] == 3:
        return {"type": "echo_ok", "echo": ""}
    return {"type": "echo_ok", "echo": msg["body"]["echo"]}


node.run()
