#!/usr/bin/env python3
"""Challenge 4, Grow-Only Counter: a counter kept in `seq-kv`, exact at the final reads after
the heal, in one of two settings chosen after `--`.

- `--mode durable` (the default): no acknowledged add is ever lost, even when every node is
  killed: an add is acknowledged once it is in `seq-kv`. 0.92 servers msgs-per-op at the
  official flags; a read during the run shows a state about 0.3 s old (median; 1.2 s at
  p95), and an add waits up to WRITE_GAP for its write.
- `--mode lean`: an add is acknowledged at once, from memory, and nothing goes to `seq-kv`:
  0.015 msgs-per-op, but a read during the run shows a state about 2.6 s old (median; 6.6 s
  at p95), and a kill loses the adds the dead node acknowledged since it last gossiped, a
  kill of every node at once every add (the final reads then come out too low: invalid;
  with kills every ~2 s, 0 of 5 seeds valid, durable 5 of 5). Exact at the final reads
  under partitions and pauses. (Figures: bench/frontier_counter.py.)

State. Each node keeps a total of the adds it took, and publishes everything it knows as a
map `{entry: [version, total], ...}`: its own entry with a version that grows with every
publication, the others as last heard of. Entries merge by version, so nothing goes
backwards and what one peer learned of a third spreads too. A read answers from memory: own
total plus the freshest known totals of the other entries. In the durable setting an entry
is a node (`n1`) and its total spans the node's lives; in the lean one it is one life of a
node (`n1/<boot>`), so that what peers heard of a killed life still counts after a restart.

Budget (both settings). Each client op this node serves earns BUDGET server messages of
credit, spent on cycles. A cycle sends our map to each peer (one message each, no reply).
Lean: msgs-per-op is BUDGET plus the final pulls (below). Durable: the writes that
acknowledge adds are paid from the same credit, so msgs-per-op is BUDGET or about 0.7,
whichever is more; below that no cycle is ever affordable.

Durable setting. Each node also owns one seq-kv key, `counter/<node>`, and is its only
writer. seq-kv is the durable, partition-proof copy (services are never partitioned). A
plain seq-kv read may be stale (Maelstrom's doc/services.md: clients may interact with past
states), but a write that changes the state moves the writer to the newest state, and every
write of ours does (new version). So reading a peer's key right after writing our own sees
every write seq-kv applied before ours. A cycle also writes our key when it has unwritten
adds and the last write is KV_EVERY old. Peers we have not heard from for SILENT seconds are
probably cut off by a partition: while there are any, each cycle writes our key and then
reads one silent peer's key (four messages), and sends them our map only every PROBE_EVERY
cycles (to notice the heal). At the official flags (about 33 ops/s per node) that is a
cycle every ~75 ms.

Final reads. Durable: unwritten adds are written at least every FLUSH_EVERY seconds, ops or
not; a read that arrives after QUIET seconds without client ops first runs a full sync
(write our key, read every peer's), and reads arriving meanwhile wait for it. Lean: such a
read first pulls every peer's map (a request and a reply each, retried every PULL_TIMEOUT,
at most PULL_TRIES times). The final reads come after the heal and 10 s of recovery, so
either way every node's last adds are in: exact. The lean pull is the only thing that makes
its final reads exact, and it costs 4 messages per node per final read (12 at the official
flags); with BUDGET 0.01 the gossip costs about 20 more.

Crashes (kill, pause), durable setting. seq-kv outlives the nodes, so an add is
acknowledged only after the write of our key that carries it: a kill loses only
unacknowledged adds (:info, which the checker may count or not). Adds waiting for a write
share it: writes of our key happen at most every WRITE_GAP seconds, one in flight at a time.
A (re)started node first reads its own key: seq-kv remembers, per node id, the newest state
that node saw, and our last acknowledged write moved us there, so even a stale read has
every acknowledged add; a write still in flight from the dead incarnation may land later,
but our next write overwrites it. Until that read answers, adds and reads wait. It then
writes its key and reads every peer's (a full sync). Cost: about 2 / WRITE_GAP messages a
second per node that is taking adds (0.5-0.6 msgs-per-op at the official flags), paid out of
the same budget, and add latency of up to WRITE_GAP plus one round trip to seq-kv.

Why lean gives up crashes. At the official flags there is one client thread per node
(concurrency = node count, thread t talks to node t mod n), and a thread waits for each
reply. So an add that waits for a write is alone in its batch, and keeping an acknowledged
add through a kill of every node takes a seq-kv write and its reply (2 server messages:
Maelstrom's src/maelstrom/net/checker.clj counts every message with no client at either
end, services' included) per add that changes the total: 2 x 4/5 (deltas 0..4) x 1/3
(adds are a third of the ops) = 0.53 msgs-per-op at least. Batching adds over seconds
would not help: the threads would stand waiting and the op count would collapse. A pause
only delays, in either setting: nothing is lost in a pause that a resume does not finish.

Late answers and stalls (both settings). A client gives up on a request after 5 s, and in
g-counter every op that ends so is indefinite, after which the client leaves the network; a
node that then answers it is muted: nothing it writes is read again (Maelstrom's net.clj and
process.clj), not even its answers to the final reads. An add waiting for its seq-kv write,
or a read waiting for its sync, when the node is paused, or a request queued while it is
stopped, would be answered that late. So the node answers a client only within 4 s of when
the request may have been sent, by its own clock, counting any stall of its loop the request
may have waited through, and only the client's newest request (maelstrom_node.py's
answer_clients_within); otherwise it drops the answer, which is always safe: the client sees
a timeout (indefinite; the add may still count). Cost: one timer every 0.1 s, and after a
stall of 4 s or more every request that waited through it goes unanswered (what is read
after a stall counts as having waited through it until input pauses for 20 ms, at most
0.5 s); the sweep without pauses dropped none (bench/faults.py).

    ./counter.py [--mode durable|lean] [--budget MSGS_PER_OP]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from maelstrom_node import KV, Node, RPCError, log

# ---- settings ---------------------------------------------------------------------------------

parser = argparse.ArgumentParser(prog="counter.py", description=__doc__.splitlines()[0])
parser.add_argument("--mode", choices=("durable", "lean"), default="durable",
                    help="durable: adds acknowledged once in seq-kv (default); lean: at once")
parser.add_argument("--budget", type=float, default=None,
                    help="server messages to spend per client op on gossip and seq-kv cycles "
                         "(default 0.9 durable, 0.01 lean)")
args, _ = parser.parse_known_args()

LEAN = args.mode == "lean"
# Credit earned per client op, in server messages; the main knob between messages and fresh
# reads during the run (bench/frontier_counter.py sweeps it).
BUDGET = args.budget if args.budget is not None else (0.01 if LEAN else 0.9)
# Credit saved up while no cycle is affordable; caps the burst after a quiet spell.
MAX_CREDIT = 12.0

# Durable setting only (see the module doc):
WRITE_GAP = 0.1  # s between writes that acknowledge adds; sets add latency and ~0.55 msgs/op
KV_EVERY = 1.0  # s between cycle writes of unwritten adds when no add is waiting
FLUSH_EVERY = 0.5  # s; unwritten adds never wait longer for a write, ops or not
SILENT = 0.5  # s without a message from a peer before we treat it as cut off
PROBE_EVERY = 4  # cycles between maps sent to a silent peer, to notice the heal
KV_TIMEOUT = 2.0  # s before a seq-kv request counts as failed

# Both settings:
QUIET = 1.0  # s without client ops after which a read syncs (durable) or pulls (lean) first

# Lean setting only:
PULL_TIMEOUT = 0.5  # s to wait for a peer's answer to a pull before asking again
PULL_TRIES = 4  # asks per peer before a read answers without it (client timeout is 5 s)

node = Node()
node.answer_clients_within(4.0)  # a client gives up after 5 s (see the docstring)
seq_kv = KV(node, "seq-kv", timeout=KV_TIMEOUT)

own_total = 0
boot = time.time_ns()  # this incarnation; versions are [boot, n]
version = 0  # n of our published entry; every publication uses a new one
waiting: list[asyncio.Future] = []  # adds applied to own_total, acknowledged by the next write
write_timer: Any = None
restored: asyncio.Future | None = None  # done once our own key has been read back
known: dict[str, list] = {}  # entry -> [version, total], freshest heard (own included)
heard: dict[str, float] = {}  # peer -> when its last message arrived
unwritten = False  # own_total changed since the last write of our key
credit = 0.0
cycles = 0
next_silent = 0
last_op = time.monotonic()
last_write = 0.0
kv_lock: asyncio.Lock | None = None
full_sync: asyncio.Task | None = None  # the running final-read sync (durable) or pull (lean)


def key(node_id: str) -> str:
    return f"counter/{node_id}"


def me() -> str:
    """Our own entry in the published map: the node, or in the lean setting this life of it."""
    return f"{node.node_id}/{boot:x}" if LEAN else node.node_id


def peers() -> list[str]:
    return [n for n in node.node_ids if n != node.node_id]


def value() -> int:
    return own_total + sum(total for n, (_, total) in known.items() if n != me())


def merge(entries: Any) -> None:
    if not isinstance(entries, dict):
        return
    for n, entry in entries.items():
        if n == me() or not isinstance(entry, list) or len(entry) != 2:
            continue
        if not isinstance(entry[0], list):
            continue
        if n not in known or entry[0] > known[n][0]:
            known[n] = [entry[0], entry[1]]


def publish() -> dict[str, list]:
    """Our map with a fresh version on our own entry."""
    global version
    version += 1
    known[me()] = [[boot, version], own_total]
    return dict(known)


def kv_busy() -> bool:
    return kv_lock is not None and kv_lock.locked()


async def kv_cycle(read_from: list[str]) -> None:
    """Write our key (moving us to seq-kv's newest state), then read `read_from`'s keys."""
    global unwritten, last_write, kv_lock
    if kv_lock is None:
        kv_lock = asyncio.Lock()
    async with kv_lock:  # one write in flight at a time, so versions land in order
        unwritten = False
        last_write = time.monotonic()
        acks = list(waiting)
        waiting.clear()
        try:
            await seq_kv.write(key(node.node_id), publish())
        except RPCError as err:
            unwritten = True
            waiting[:0] = acks
            log(f"write of {key(node.node_id)} failed: {err}")
            schedule_write()
            return
        for fut in acks:
            if not fut.done():
                fut.set_result(None)
        if waiting:
            schedule_write()
        replies = await asyncio.gather(*(seq_kv.read(key(p), None) for p in read_from),
                                       return_exceptions=True)
        for reply in replies:
            if isinstance(reply, BaseException):
                log(f"read failed: {reply}")
            else:
                merge(reply)


def cycle() -> None:
    """Spend credit on one cycle if it pays for one (see the module doc)."""
    global credit, cycles, next_silent
    if LEAN:  # just our map to every peer; the pull at the final reads repairs what is lost
        if credit >= len(peers()) > 0:
            credit -= len(peers())
            entries = publish()
            for p in peers():
                node.send(p, {"type": "counters", "counters": entries})
        return
    now = time.monotonic()
    silent = [p for p in peers() if now - heard.get(p, -1e9) > SILENT]
    probing = cycles % PROBE_EVERY == 0
    targets = [p for p in peers() if p not in silent or probing]
    use_kv = not kv_busy() and (bool(silent) or (unwritten and now - last_write >= KV_EVERY))
    cost = len(targets) + (2 + 2 * bool(silent) if use_kv else 0)
    if cost == 0 or credit < cost:
        return
    credit -= cost
    cycles += 1
    if targets:
        entries = publish()
        for p in targets:
            node.send(p, {"type": "counters", "counters": entries})
    if use_kv:
        read_from = []
        if silent:
            next_silent += 1
            read_from = [silent[next_silent % len(silent)]]
        node.spawn(kv_cycle(read_from))


def served_op() -> None:
    """Earn credit for one client op, and maybe run a cycle."""
    global credit, last_op
    last_op = time.monotonic()
    credit = min(credit + BUDGET, MAX_CREDIT)
    cycle()


async def sync() -> None:
    """A full sync (durable: write, then read every peer's key; lean: pull every peer's map);
    joins one already running."""
    global full_sync, credit
    if full_sync is None or full_sync.done():
        credit -= 2 * len(peers()) + (0 if LEAN else 2)
        full_sync = node.spawn(pull_all() if LEAN else kv_cycle(peers()))
    await asyncio.shield(full_sync)


async def pull_all() -> None:
    """Ask every peer for its map (sending ours along), until each answers or PULL_TRIES."""
    async def pull(peer: str) -> None:
        for _ in range(PULL_TRIES):
            try:
                reply = await node.call(peer, {"type": "pull", "counters": publish()},
                                        timeout=PULL_TIMEOUT)
            except RPCError as err:
                log(f"pull from {peer} failed: {err}")
                continue
            heard[peer] = time.monotonic()
            merge(reply.get("counters"))
            return
        log(f"{peer} did not answer a pull; this read may miss its latest adds")
    await asyncio.gather(*(pull(p) for p in peers()))


def schedule_write() -> None:
    """A write for the adds waiting to be acknowledged, WRITE_GAP after the last one."""
    global write_timer
    if write_timer is not None or not waiting:
        return
    delay = max(0.0, last_write + WRITE_GAP - time.monotonic())
    write_timer = node.after(delay, write_waiting)


def write_waiting() -> None:
    global write_timer, credit
    write_timer = None
    if not waiting:
        return
    if kv_busy():  # the write in flight reschedules when it ends
        return
    credit -= 2
    node.spawn(kv_cycle([]))


async def restore() -> None:
    """Read our own key back (our earlier lives' acknowledged adds), then a full sync."""
    global own_total
    while True:
        try:
            entries = await seq_kv.read(key(node.node_id), None)
            break
        except RPCError as err:
            log(f"reading back {key(node.node_id)} failed: {err}; again")
    if isinstance(entries, dict) and isinstance(entries.get(node.node_id), list):
        own_total += entries[node.node_id][1]
        merge(entries)
    restored.set_result(None)
    await kv_cycle(peers())


async def ready() -> None:
    if not restored.done():
        await restored


@node.on_init
def start() -> None:
    global restored
    restored = asyncio.get_running_loop().create_future()
    if LEAN:  # nothing to read back: this life starts a new entry at 0
        restored.set_result(None)
        return
    node.spawn(restore())
    node.every(FLUSH_EVERY / 2, flush)


def flush() -> None:
    """Write unwritten adds that no cycle picked up (e.g. after the last op)."""
    global credit
    if unwritten and time.monotonic() - last_write >= FLUSH_EVERY and not kv_busy():
        credit -= 2
        node.spawn(kv_cycle([]))


@node.handler("add")  # add
async def add(msg: dict) -> dict:
    global own_total, unwritten
    await ready()
    own_total += msg["body"]["delta"]
    if LEAN:
        served_op()
        return {"type": "add_ok"}
    unwritten = True
    done = asyncio.get_running_loop().create_future()
    waiting.append(done)
    schedule_write()
    served_op()
    await done
    return {"type": "add_ok"}


@node.handler("read")  # read
async def read(msg: dict) -> dict:
    await ready()
    quiet = time.monotonic() - last_op >= QUIET
    served_op()
    if quiet or (full_sync is not None and not full_sync.done()):
        await sync()
    return {"type": "read_ok", "value": value()}


@node.handler("counters")  # a peer's map; no reply
def counters(msg: dict) -> None:
    heard[msg["src"]] = time.monotonic()
    merge(msg["body"].get("counters"))


@node.handler("pull")  # a peer's map; we answer with ours
def pull(msg: dict) -> dict:
    heard[msg["src"]] = time.monotonic()
    merge(msg["body"].get("counters"))
    return {"type": "pull_ok", "counters": publish()}


if __name__ == "__main__":
    node.run()
