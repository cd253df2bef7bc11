#!/usr/bin/env python3
"""An echo node whose replies carry in_reply_to as a float (3.0 for msg_id 3): Clojure's =
tells them apart, so Maelstrom matches no reply and every request times out."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()


@node.handler("echo")
def echo(msg: dict) -> None:
    body = {"type": "echo_ok", "echo": msg["body"]["echo"],
            "in_reply_to": float(msg["body"]["msg_id"])}
    print(json.dumps({"src": node.node_id, "dest": msg["src"], "body": body}), flush=True)


node.run()
