#!/usr/bin/env python3
"""Not linearizable: writes and cas go to the lin-kv service, but reads are served from a
local copy that is refreshed only by this node's own successful writes and cas."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import KV, Node, RPCError  # noqa: E402

node = Node()
kv = KV(node, "lin-kv", timeout=0.5)
copy: dict = {}


@node.handler("read")
def read(msg: dict) -> dict:
    key = msg["body"]["key"]
    if key not in copy:
        raise RPCError(20, f"key {key} does not exist (here)")
    return {"type": "read_ok", "value": copy[key]}


@node.handler("write")
async def write(msg: dict) -> dict:
    await kv.write(msg["body"]["key"], msg["body"]["value"])
    copy[msg["body"]["key"]] = msg["body"]["value"]
    return {"type": "write_ok"}


@node.handler("cas")
async def cas(msg: dict) -> dict:
    body = msg["body"]
    await kv.cas(body["key"], body["from"], body["to"])
    copy[body["key"]] = body["to"]
    return {"type": "cas_ok"}


if __name__ == "__main__":
    node.run()
