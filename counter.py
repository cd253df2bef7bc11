#!/usr/bin/env python3
"""Challenge 4, Grow-Only Counter: a counter on top of `seq-kv`, exact after the heal.

Strategy. Each node owns one seq-kv key, `counter/<node>`, and is its only writer. Adds are
applied to the node's own total at once and acknowledged; the total reaches seq-kv later, in
batches. The value a node writes is everything it knows: `{node: [version, total], ...}`,
its own entry carrying a version that grows with every write, the others as last heard of.
A read answers from memory: own total plus the freshest known totals of the others.

Freshness on seq-kv (spec 6.3). seq-kv serves each requester a random state no older than
the last one it interacted with, so a plain read may be arbitrarily stale. A write that
changes the state moves the writer to the newest state; since our version grows, every write
changes the state. So a sync cycle is: write our key, then read a peer's key; the read sees
every write seq-kv applied before ours. Entries merge by version, so what a peer learned of
a third node also spreads, and nothing goes backwards.

Budget. Each client op this node serves earns BUDGET server messages of credit; a cycle
(write + read one peer, round robin) costs 4 messages and runs once credit allows. At the
official rate (about 33 ops/s per node) that is a cycle every ~0.15 s, so servers
msgs-per-op is about BUDGET. Unwritten adds are flushed at least every FLUSH_EVERY seconds
even without ops.

Final reads. A read that arrives after QUIET seconds without any client op first runs a
full sync (write, then read every peer), and reads that arrive meanwhile wait for it. After
the heal and 10 s of recovery every node has flushed its last adds, so the final reads are
exact. Partitions do not matter: services are never partitioned, and nodes never talk to
each other directly.

    ./counter.py [--budget MSGS_PER_OP]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from maelstrom_node import KV, Node, RPCError, log

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--budget", type=float, default=0.9,
                    help="server messages to spend per client op (default 0.9)")
args, _ = parser.parse_known_args()

BUDGET = args.budget
CYCLE_COST = 4.0  # write own key + read one peer's key: two RPCs, four messages
MAX_CREDIT = 3 * CYCLE_COST
FLUSH_EVERY = 0.5  # seconds; unwritten adds never wait longer for a cycle
QUIET = 1.0  # seconds without client ops after which a read syncs first
KV_TIMEOUT = 2.0

node = Node()
seq_kv = KV(node, "seq-kv", timeout=KV_TIMEOUT)

own_total = 0
version = 0  # of our key's value; every write uses a new one
known: dict[str, list[int]] = {}  # node -> [version, total], freshest heard (own included)
dirty = False  # own_total changed since the last write we sent
credit = 0.0
next_peer = 0
last_op = time.monotonic()
last_write = 0.0
write_lock: asyncio.Lock | None = None
full_sync: asyncio.Task | None = None


def key(node_id: str) -> str:
    return f"counter/{node_id}"


def peers() -> list[str]:
    return [n for n in node.node_ids if n != node.node_id]


def value() -> int:
    return own_total + sum(total for n, (_, total) in known.items() if n != node.node_id)


def merge(entries: Any) -> None:
    if not isinstance(entries, dict):
        return
    for n, entry in entries.items():
        if n == node.node_id or not isinstance(entry, list) or len(entry) != 2:
            continue
        if n not in known or entry[0] > known[n][0]:
            known[n] = [entry[0], entry[1]]


async def cycle(read_from: list[str]) -> None:
    """Write our key (moving us to seq-kv's newest state), then read `read_from`'s keys."""
    global version, dirty, last_write, write_lock
    if write_lock is None:
        write_lock = asyncio.Lock()
    async with write_lock:  # one write in flight at a time, so versions land in order
        version += 1
        known[node.node_id] = [version, own_total]
        dirty = False
        last_write = time.monotonic()
        try:
            await seq_kv.write(key(node.node_id), dict(known))
        except RPCError as err:
            dirty = True
            log(f"write of {key(node.node_id)} failed: {err}")
            return
        replies = await asyncio.gather(*(seq_kv.read(key(p), None) for p in read_from),
                                       return_exceptions=True)
        for reply in replies:
            if isinstance(reply, RPCError):
                log(f"read failed: {reply}")
            elif not isinstance(reply, BaseException):
                merge(reply)


def next_peers() -> list[str]:
    """The one peer whose key the next cycle reads (round robin)."""
    global next_peer
    others = peers()
    next_peer += 1
    return [others[next_peer % len(others)]] if others else []


def served_op() -> None:
    """Earn credit for one client op; start a cycle once it pays for one."""
    global credit, last_op
    last_op = time.monotonic()
    credit = min(credit + BUDGET, MAX_CREDIT)
    if credit >= CYCLE_COST and not (write_lock is not None and write_lock.locked()):
        credit -= CYCLE_COST
        node.spawn(cycle(next_peers()))


async def sync() -> None:
    """A full sync (write, then read every peer); joins one already running."""
    global full_sync, credit
    if full_sync is None or full_sync.done():
        credit -= CYCLE_COST + 2 * (len(peers()) - 1)
        full_sync = node.spawn(cycle(peers()))
    await asyncio.shield(full_sync)


@node.on_init
def start() -> None:
    node.every(FLUSH_EVERY / 2, flush)


def flush() -> None:
    """Write unwritten adds that no op-paid cycle picked up (e.g. after the last op)."""
    global credit
    if dirty and time.monotonic() - last_write >= FLUSH_EVERY and not (
            write_lock is not None and write_lock.locked()):
        credit -= CYCLE_COST
        node.spawn(cycle(next_peers()))


@node.handler("add")  # add
def add(msg: dict) -> dict:
    global own_total, dirty
    own_total += msg["body"]["delta"]
    dirty = True
    served_op()
    return {"type": "add_ok"}


@node.handler("read")  # read
async def read(msg: dict) -> dict:
    quiet = time.monotonic() - last_op >= QUIET
    served_op()
    if quiet or (full_sync is not None and not full_sync.done()):
        await sync()
    return {"type": "read_ok", "value": value()}


if __name__ == "__main__":
    node.run()
