#!/usr/bin/env python3
"""A correct lin-kv node when run alone (--node-count 1): one dict, every request applied in
arrival order. With several nodes each would keep its own dict (see lin_kv_split.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node, RPCError  # noqa: E402

node = Node()
store: dict = {}


@node.handler("read")
def read(msg: dict) -> dict:
    key = msg["body"]["key"]
    if key not in store:
        raise RPCError(20, f"key {key} does not exist")
    return {"type": "read_ok", "value": store[key]}


@node.handler("write")
def write(msg: dict) -> dict:
    store[msg["body"]["key"]] = msg["body"]["value"]
    return {"type": "write_ok"}


@node.handler("cas")
def cas(msg: dict) -> dict:
    body = msg["body"]
    key = body["key"]
    if key not in store:
        raise RPCError(20, f"key {key} does not exist")
    if store[key] != body["from"]:
        raise RPCError(22, f"expected {body['from']}, had {store[key]}")
    store[key] = body["to"]
    return {"type": "cas_ok"}


if __name__ == "__main__":
    node.run()
