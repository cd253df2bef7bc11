#!/usr/bin/env python3
"""A correct lin-kv node at any node count: every request is forwarded to Maelstrom's lin-kv
service and its answer (or error code) passed back."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import KV, Node  # noqa: E402

node = Node()
kv = KV(node, "lin-kv", timeout=0.5)


@node.handler("read")
async def read(msg: dict) -> dict:
    return {"type": "read_ok", "value": await kv.read(msg["body"]["key"])}


@node.handler("write")
async def write(msg: dict) -> dict:
    await kv.write(msg["body"]["key"], msg["body"]["value"])
    return {"type": "write_ok"}


@node.handler("cas")
async def cas(msg: dict) -> dict:
    body = msg["body"]
    await kv.cas(body["key"], body["from"], body["to"])
    return {"type": "cas_ok"}


if __name__ == "__main__":
    node.run()
