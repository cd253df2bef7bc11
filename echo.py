#!/usr/bin/env python3
"""Challenge 1, Echo: answer every `echo` with the same `echo` value.

One handler, no state, no inter-node messages.
"""

from maelstrom_node import Node

node = Node()


@node.handler("echo")
def echo(msg: dict) -> dict:
    return {"type": "echo_ok", "echo": msg["body"]["echo"]}


if __name__ == "__main__":
    node.run()
