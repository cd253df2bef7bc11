#!/usr/bin/env python3
"""Truthy create_if_not_exists (issue 11): a grow-only counter kept in lin-kv under one key,
created by a cas whose create_if_not_exists is argv[1] parsed as JSON ("\\"yes\\"", "1", "0",
"true"). Maelstrom's kv tests the flag with Clojure truthiness (anything but null and false
creates the key). When the cas says the key does not exist, this node acknowledges the add
anyway, so a store that treats the flag as false loses every add."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from maelstrom_node import Node, RPCError  # noqa: E402

FLAG = json.loads(sys.argv[1]) if len(sys.argv) > 1 else "yes"
node = Node()


async def current() -> int:
    try:
        return (await node.call("lin-kv", {"type": "read", "key": "c"}))["value"]
    except RPCError as err:
        if err.code == 20:
            return 0
        raise


@node.handler("add")
async def add(msg: dict) -> dict:
    while True:
        cur = await current()
        try:
            await node.call("lin-kv", {"type": "cas", "key": "c", "from": cur,
                                       "to": cur + msg["body"]["delta"],
                                       "create_if_not_exists": FLAG})
            return {"type": "add_ok"}
        except RPCError as err:
            if err.code == 20:
                return {"type": "add_ok"}  # lies: the add was never stored
            if err.code != 22:
                raise


@node.handler("read")
async def read(msg: dict) -> dict:
    return {"type": "read_ok", "value": await current()}


node.run()
