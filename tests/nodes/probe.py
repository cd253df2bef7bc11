#!/usr/bin/env python3
"""A test node for maelstrom_node itself: RPCs, timeouts, timers, async and crashing handlers."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import KV, Node, RPCError  # noqa: E402

node = Node()
ticks = 0


@node.on_init
def start() -> None:
    def tick() -> None:
        global ticks
        ticks += 1
    node.every(0.05, tick)


@node.handler("probe")
async def probe(msg: dict) -> dict:
    try:
        reply = await node.call("n1", {"type": "ping"}, timeout=msg["body"]["timeout"])
    except RPCError as err:
        return {"type": "probe_ok", "code": err.code}
    return {"type": "probe_ok", "got": reply["type"]}


@node.handler("kv_read")
async def kv_read(msg: dict) -> dict:
    value = await KV(node, "seq-kv", timeout=0.5).read("k", default=-1)
    return {"type": "kv_read_ok", "value": value}


@node.handler("ticks")
def get_ticks(msg: dict) -> dict:
    return {"type": "ticks_ok", "ticks": ticks}


@node.handler("refuse")
def refuse(msg: dict) -> dict:
    raise RPCError(22, "no")


@node.handler("boom")
def boom(msg: dict) -> dict:
    return {"type": "boom_ok", "x": 1 / 0}


node.run()
