#!/usr/bin/env python3
"""Broadcast 3a-3e: every value reaches every node, with anti-entropy that costs nothing
when nodes are in sync.

Each value is named by (origin, seq): the node a client broadcast it to, and that node's
count of values so far. A node's state is a version vector, the number of values it holds
contiguously from each origin. Every gossip message carries the sender's vector, so each
message is also an acknowledgement of everything the sender holds.

Two settings, chosen after `--` (run.sh passes them):

- `--mode latency` (3b-3d): a value goes from its origin straight to every other node, one
  message per node (24 per value at 25 nodes: one hop, 100 ms). The origin first waits
  `--batch` seconds (20 ms) so that values arriving close together share messages: a few
  percent below the un-batched floor. Nothing else is sent while traffic flows.
- `--mode traffic` (3e): a star. Nodes upload their own values to the hub (n0) every
  `--up` seconds; the hub sends each node everything it lacks every `--interval` seconds.
  Two hops plus two batching waits; about 1 message per value.

Partition safety is repair on evidence. A vector received from peer p that lacks a value
this node has held (or last sent to p) for longer than `--grace` seconds proves p missed
it, and the value is sent again. A node that is not the value's origin waits a little
longer, by its distance from the origin, so that usually only one node repairs. When a node
has sent nothing to the hub for a while (e.g. during the final recovery wait) it sends its
vector to the hub as a heartbeat (after 2 s, backing off to 8 s while nothing changes). The
hub repairs it, and asks for (pulls) what the heartbeat shows the hub lacks; in the latency
setting the hub passes such late values on to every node whose vector lacks them. Values cut
off by a partition arrive within about 2.5 s of the heal. None of this sends anything while
nodes are in sync and traffic flows.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from maelstrom_node import Node, log

node = Node()

# ---- settings ---------------------------------------------------------------------------------

parser = argparse.ArgumentParser(prog="broadcast.py")
parser.add_argument("--mode", choices=("latency", "traffic"), default="latency")
parser.add_argument("--interval", type=float, default=0.6, help="hub batch interval (traffic)")
parser.add_argument("--up", type=float, default=0.1, help="node upload interval (traffic)")
parser.add_argument("--batch", type=float, default=0.02,
                    help="seconds a new value waits for others before direct sends (latency)")
parser.add_argument("--grace", type=float, default=0.3, help="seconds before a repair")
parser.add_argument("--heartbeat", type=float, default=2.0, help="idle seconds before a heartbeat")
settings = parser.parse_args(sys.argv[1:])
MAX_HEARTBEAT = 8.0
MAX_RANK = 6

# ---- state ------------------------------------------------------------------------------------

ids: list[str] = []          # node ids, in init order; origins are indexes into it
me = 0                       # this node's index
hub = ""                     # the star's centre (traffic) and heartbeat target (both)
values: list[Any] = []       # every value held, in arrival order (what read returns)
held: list[dict[int, Any]] = []      # per origin: seq -> value
vector: list[int] = []       # per origin: count of contiguous seqs held from 0
top: list[int] = []          # per origin: highest seq held + 1
acquired: dict[tuple[int, int], float] = {}  # (origin, seq) -> when this node got it
their: dict[str, list[int]] = {}              # peer -> its latest vector
their_time: dict[str, float] = {}             # peer -> when its latest vector arrived
sent: dict[str, dict[tuple[int, int], float]] = {}  # peer -> (origin, seq) -> last sent
last_sent_to: dict[str, float] = {}            # peer -> time of our last message to it
fresh: list[tuple[int, int]] = []              # values to pass on at the next tick (traffic)
pull_from: set[str] = set()                    # peers to send our vector to (they have more)
outgoing: list[tuple[int, int]] = []           # own values waiting for the next direct send
heartbeat_every = settings.heartbeat
vector_at_heartbeat: list[int] = []


def now() -> float:
    return time.monotonic()


@node.on_init
def start() -> None:
    global me, hub, heartbeat_every
    ids.extend(node.node_ids)
    me = ids.index(node.node_id)
    hub = ids[0]
    held.extend({} for _ in ids)
    vector.extend(0 for _ in ids)
    top.extend(0 for _ in ids)
    for peer in ids:
        if peer != node.node_id:
            their[peer] = [0] * len(ids)
            their_time[peer] = 0.0
            sent[peer] = {}
            last_sent_to[peer] = now()
    if len(ids) == 1:
        return
    if settings.mode == "traffic":
        if node.node_id == hub:
            node.every(settings.interval, hub_tick)
        elif settings.up > 0:
            node.every(settings.up, upload_tick)
    node.every(0.25, heartbeat_tick)


# ---- holding values ---------------------------------------------------------------------------


def hold(origin: int, seq: int, value: Any) -> bool:
    """Keep a value; False if it was already held."""
    if seq in held[origin]:
        return False
    held[origin][seq] = value
    acquired[(origin, seq)] = now()
    values.append(value)
    top[origin] = max(top[origin], seq + 1)
    while vector[origin] in held[origin]:
        vector[origin] += 1
    return True


def repairs(peer: str) -> list[tuple[int, int]]:
    """Values `peer` provably lacks: its latest vector, received well after we got (or last
    sent) the value, does not have it."""
    vv, seen_at, sent_p = their[peer], their_time[peer], sent[peer]
    n = len(ids)
    out = []
    for origin in range(n):
        if vv[origin] >= top[origin]:
            continue
        rank = min((me - origin) % n, MAX_RANK)
        for seq in range(vv[origin], top[origin]):
            if seq not in held[origin]:
                continue
            key = (origin, seq)
            last = sent_p.get(key)
            if last is not None:
                due = seen_at - last > settings.grace
            else:
                due = seen_at - acquired[key] > settings.grace * (1 + rank)
            if due:
                out.append(key)
    return out


def send_gossip(peer: str, keys: list[tuple[int, int]], heartbeat: bool = False) -> None:
    t = now()
    sent_p = sent[peer]
    for key in keys:
        sent_p[key] = t
    body: dict[str, Any] = {"type": "gossip", "vv": vector,
                            "vals": [[o, s, held[o][s]] for o, s in keys]}
    if heartbeat:
        body["hb"] = True
    node.send(peer, body)
    last_sent_to[peer] = t
    pull_from.discard(peer)


def lacks(peer: str, key: tuple[int, int]) -> bool:
    origin, seq = key
    return their[peer][origin] <= seq


# ---- handlers ---------------------------------------------------------------------------------


@node.handler("topology")
def topology(msg: dict) -> dict:
    return {"type": "topology_ok"}  # we pick our own: direct sends or a star


@node.handler("broadcast")
def broadcast(msg: dict) -> dict:
    seq = top[me]
    hold(me, seq, msg["body"]["message"])
    key = (me, seq)
    if len(ids) > 1:
        if settings.mode == "latency":
            outgoing.append(key)
            if settings.batch <= 0:
                send_direct()
            elif len(outgoing) == 1:
                node.after(settings.batch, send_direct)
        elif node.node_id == hub or settings.up > 0:
            fresh.append(key)
        else:
            send_gossip(hub, [key] + [k for k in repairs(hub) if k != key])
    return {"type": "broadcast_ok"}


def send_direct() -> None:
    """Latency mode: own new values straight to every other node (plus any repairs)."""
    keys = list(outgoing)
    outgoing.clear()
    if not keys:
        return
    chosen = set(keys)
    for peer in their:
        send_gossip(peer, keys + [k for k in repairs(peer) if k not in chosen])


@node.handler("read")
def read(msg: dict) -> dict:
    return {"type": "read_ok", "messages": values}


@node.handler("gossip")
def gossip(msg: dict) -> None:
    peer, body = msg["src"], msg["body"]
    if peer not in their:
        return
    relayed = []
    for origin, seq, value in body["vals"]:
        if hold(origin, seq, value) and node.node_id == hub:
            if settings.mode == "traffic":
                fresh.append((origin, seq))
            elif ids[origin] != peer:
                relayed.append((origin, seq))
    vv = their[peer]
    theirs = body["vv"]
    for i, count in enumerate(theirs):
        if count > vv[i]:
            vv[i] = count
    their_time[peer] = now()
    has_more = bool(body.get("hb")) and any(c > vector[i] for i, c in enumerate(theirs))
    if settings.mode == "latency" or (node.node_id != hub and settings.up <= 0):
        keys = repairs(peer)
        if keys or has_more:
            send_gossip(peer, keys)
    elif has_more:
        pull_from.add(peer)
    if relayed:  # latency mode, hub: a repair reached us late; others likely lack it too
        for other in their:
            keys = [k for k in relayed if other != peer and lacks(other, k)]
            if keys:
                send_gossip(other, keys)


# ---- timers -----------------------------------------------------------------------------------


def hub_tick() -> None:
    """Traffic mode, hub: pass on what arrived since the last tick, plus repairs."""
    batch = list(fresh)
    fresh.clear()
    for peer in their:
        keys = [k for k in batch if lacks(peer, k)]
        chosen = set(keys)
        keys += [k for k in repairs(peer) if k not in chosen]
        if keys or peer in pull_from:
            send_gossip(peer, keys)


def upload_tick() -> None:
    """Traffic mode, other nodes: upload own new values to the hub, plus repairs."""
    keys = list(fresh)
    fresh.clear()
    chosen = set(keys)
    keys += [k for k in repairs(hub) if k not in chosen]
    if keys or hub in pull_from:
        send_gossip(hub, keys)


def heartbeat_tick() -> None:
    """Send our vector to the hub when we have been quiet towards it; back off while our
    state does not change."""
    global heartbeat_every, vector_at_heartbeat
    if node.node_id == hub:
        return
    if now() - last_sent_to[hub] < heartbeat_every:
        return
    if vector == vector_at_heartbeat:
        heartbeat_every = min(heartbeat_every * 2, MAX_HEARTBEAT)
    else:
        heartbeat_every = settings.heartbeat
    vector_at_heartbeat = list(vector)
    send_gossip(hub, repairs(hub), heartbeat=True)


if __name__ == "__main__":
    log(f"broadcast.py starting: {vars(settings)}")
    node.run()
