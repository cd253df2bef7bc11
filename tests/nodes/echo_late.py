#!/usr/bin/env python3
"""An echo node that answers its third echo DELAY seconds late (argument; default 5.5 s,
just past the client's 5 s timeout) and every other one at once."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

DELAY = float(sys.argv[1]) if len(sys.argv) > 1 else 5.5
node = Node()
count = 0


@node.handler("echo")
def echo(msg: dict) -> dict | None:
    global count
    count += 1
    reply = {"type": "echo_ok", "echo": msg["body"]["echo"]}
    if count == 3:
        node.after(DELAY, lambda: node.reply(msg, reply))
        return None
    return reply


node.run()
