#!/usr/bin/env python3
"""A broken node built on maelstrom_node: prints a log line to stdout instead of stderr."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()


@node.handler("echo")
def echo(msg: dict) -> dict:
    print(f"DEBUG got {msg['body']['type']}", flush=True)
    return {"type": "echo_ok", "echo": msg["body"]["echo"]}


node.run()
