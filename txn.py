#!/usr/bin/env python3
"""Totally-available transactions 6a-6c: read committed under partitions.

Strategy: every node answers a txn at once from its own store, never waiting on another node.
A txn runs in one handler call (nothing interleaves): reads see the store plus the txn's own
earlier writes; at the end its final write per key is stamped with one version
(Lamport counter, node index) and applied atomically, last-writer-wins per key. Txns never
abort, so nothing uncommitted is ever visible (no G1a); only final writes leave the txn (no
G1b); whole txns are applied atomically, and every version a txn reads or overwrites is
smaller than its own, so ww and wr dependencies follow version order and cannot close a
cycle (no G0, no G1c).

Replication: each node logs its own txns (seq 0, 1, ...) and every 100 ms sends each peer one
`replicate` message with the txns it has not sent yet (capped), and its own acknowledgement
of the peer's log (piggybacked, so there are no reply messages). A peer applies a txn only
once, in seq order, ignoring anything past a gap. When acknowledgements stop advancing for
0.5 s (a partition, a loss), the sender goes back to the first unacknowledged txn and sends
one small probe, backing off up to 2 s, until the peer acknowledges again; then it streams the
backlog. So a long partition costs neither bandwidth nor CPU (resending the whole backlog
every tick stalled both nodes for up to a second). Cost: at most one message per peer per
tick (before crash safety: about 0.04 servers msgs-per-op at the 6b/6c flags, 19k txns in
20 s).

Crashes (kill, pause). A txn with writes is acknowledged only once it is in this node's
write-ahead log in `lin-kv` (which outlives the nodes): records `txn/<node>/<i>`, i = 0, 1,
..., each a batch of txns, written at most every WAL_GAP seconds, one write in flight. Only
logged txns are replicated, so a peer never holds a version a crash can take back. Read-only
txns answer at once. A (re)started node reads its log back (in windows of parallel reads, up
to the first missing record), installs it, and puts an empty "fence" record at the first free
index with a create-only cas, so that a write of the dead incarnation still in flight cannot
land after the read-back unnoticed (if the cas finds a record, it is read and installed, and
the next index tried). Its Lamport counter resumes above every logged version, and no
unlogged version ever left the dead incarnation, so versions never repeat. Every `replicate`
carries the sender's boot id; a peer that sees a new one sends the restarted node its whole
log again. Txns wait until the read-back is done. Cost: two messages per log write, and
write txns wait for it (median latency about 7 ms instead of 0.2). The 6b/6c clients (two
per node) each wait for their answer, so a log write carries one or two txns, throughput
drops to about 10k txns in 20 s, and servers msgs-per-op rises to about 0.8
(bench/faults.py). A kill costs one read per log record. A pause only delays.

Late answers and stalls. Nothing to do: txn-rw-register's clients are reusable (Maelstrom
keeps the same client id after a timeout), so an answer that comes after the client gave up
(a txn queued while the node was paused, or waiting for its log write) is dropped by the
client's in_reply_to filter and never reaches a closed client, which is what mutes a node in
the other workloads (see maelstrom_node.py's answer_clients_within). So every answer goes
out, however late, and stalls cost nothing beyond their own delay.

Stronger models the same histories pass (checked with our Elle, bench/txn.py): read-atomic
and causal-cerone (no internal anomalies: a txn reads its own writes, and remote txns arrive
whole), strong-session-read-committed (a process always talks to one node, whose versions
only grow) and strong-read-committed (a ww/wr edge always points forward in time, so real-time
order cannot close a G1c cycle). Not snapshot isolation: both nodes accept conflicting writes
concurrently (lost-update, G-nonadjacent-item), nor serializable (G2-item). Causal delivery holds
for 2 nodes only: txns are not relayed, so with 3+ nodes a txn may arrive before one it saw.
"""

from __future__ import annotations

import time
from typing import Any

from maelstrom_node import KV, Node, WriteAheadLog

node = Node()
lin_kv = KV(node, "lin-kv", timeout=1.0)
TICK = 0.1
BATCH_LIMIT = 2000
WAL_GAP = 0.01  # seconds between write-ahead log writes
READ_WINDOW = 64  # log records read back in parallel
boot = time.time_ns()
wal: Any = None  # our WriteAheadLog in lin-kv (made at init, when our id is known)

store: dict = {}  # key -> (version, value); version = (counter, node index)
clock = 0  # Lamport counter
my_log: list[dict] = []  # own txns: {"v": [counter, index], "w": [[k, v], ...]}
acked: dict[str, int] = {}  # peer -> how many of my txns it has applied
applied: dict[str, int] = {}  # peer -> how many of its txns I have applied
owe_ack: set[str] = set()  # peers that sent txns since my last message to them
RESEND_AFTER = 0.5  # s without ack progress before going back to the first unacked txn
MAX_BACKOFF = 2.0
PROBE = 100  # txns in a probe while the peer is silent
sent_upto: dict[str, int] = {}  # peer -> next seq to send
probing: set[str] = set()  # peers we only probe until they acknowledge again
progress_at: dict[str, float] = {}  # peer -> when its ack last advanced (or we went back)
backoff: dict[str, float] = {}
peer_boot: dict[str, int] = {}  # peer -> the boot id its messages carry


def me() -> int:
    return node.node_ids.index(node.node_id)


def peers() -> list[str]:
    return [n for n in node.node_ids if n != node.node_id]


def install(version: tuple, writes: list) -> None:
    """Apply one txn's writes atomically, last-writer-wins per key."""
    global clock
    clock = max(clock, version[0])
    for k, v in writes:
        old = store.get(k)
        if old is None or old[0] < version:
            store[k] = (version, v)


@node.handler("txn")
async def txn(msg: dict) -> dict:
    global clock
    if not wal.ready.done():
        await wal.ready
    ops = msg["body"]["txn"]
    mine: dict = {}
    out = []
    for f, k, v in ops:
        if f == "r":
            if k in mine:
                v = mine[k]
            else:
                got = store.get(k)
                v = None if got is None else got[1]
            out.append(["r", k, v])
        else:
            mine[k] = v
            out.append(["w", k, v])
    if mine:
        clock += 1
        version = (clock, me())
        writes = [[k, v] for k, v in mine.items()]
        install(version, writes)
        await wal.append({"v": list(version), "w": writes})
    return {"type": "txn_ok", "txn": out}


def take(record: list) -> None:
    for entry in record:
        install(tuple(entry["v"]), entry["w"])
        my_log.append(entry)


@node.handler("replicate")
def replicate(msg: dict) -> None:
    """A peer's txns from seq `from` on, and how many of mine it has applied."""
    body = msg["body"]
    peer = msg["src"]
    if body.get("boot") != peer_boot.setdefault(peer, body.get("boot")):
        peer_boot[peer] = body.get("boot")  # it restarted: it needs our whole log again
        acked[peer] = 0
        sent_upto[peer] = 0
        probing.discard(peer)
        progress_at[peer] = now()
    if body["ack"] > acked.get(peer, 0):
        acked[peer] = body["ack"]
        progress_at[peer] = now()
        backoff[peer] = RESEND_AFTER
        probing.discard(peer)
    start = body["from"]
    done = applied.get(peer, 0)
    for i, t in enumerate(body["txns"]):
        seq = start + i
        if seq == done:
            install(tuple(t["v"]), t["w"])
            done += 1
    applied[peer] = done
    if body["txns"]:
        owe_ack.add(peer)
    return None


def now() -> float:
    return node.now()


def ship() -> None:
    t = now()
    for peer in peers():
        done = acked.get(peer, 0)
        start = max(sent_upto.get(peer, 0), done)
        if start == done:  # all sent is acknowledged: stream what is new
            progress_at[peer] = t
            batch = my_log[start:start + BATCH_LIMIT]
        elif t - progress_at.get(peer, t) > backoff.get(peer, RESEND_AFTER):
            start = done  # go back to the first unacknowledged txn, with a small probe
            probing.add(peer)
            progress_at[peer] = t
            backoff[peer] = min(2 * backoff.get(peer, RESEND_AFTER), MAX_BACKOFF)
            batch = my_log[start:start + PROBE]
        elif peer in probing:
            batch = []  # wait for the probe's acknowledgement
        else:
            batch = my_log[start:start + BATCH_LIMIT]
        if not batch and peer not in owe_ack:
            continue
        owe_ack.discard(peer)
        node.send(peer, {"type": "replicate", "from": start, "ack": applied.get(peer, 0),
                         "txns": batch, "boot": boot})
        sent_upto[peer] = start + len(batch)


@node.on_init
def start() -> None:
    global wal
    wal = WriteAheadLog(lin_kv, f"txn/{node.node_id}", my_log.extend, WAL_GAP, READ_WINDOW)
    wal.start(take)
    if peers():
        node.every(TICK, ship)


if __name__ == "__main__":
    node.run()
