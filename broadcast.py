#!/usr/bin/env python3
"""Broadcast 3a-3e: every value reaches every node, with anti-entropy that costs nothing
when nodes are in sync.

Each value is named by (origin, seq): the origin is one incarnation of the node a client
broadcast it to (`<node>:<boot>`, boot its start time in ns, in hex), seq that incarnation's
count of values so far, so a restarted node never reuses a name. A node's state is a version
vector, the number of values it holds contiguously from each origin. Every gossip message
carries the sender's vector, so each message is also an acknowledgement of everything the
sender holds.

Three settings, chosen after `--` (run.sh passes the last two for 3d and 3e):

- `--mode durable` (the default, 3a-3c): as `latency`, and a value is acknowledged only once
  it is in `lin-kv`, which outlives the nodes (see Crashes).
- `--mode latency` (3d): a value goes from its origin straight to every other node, one
  message per node (24 per value at 25 nodes: one hop, 100 ms). The origin first waits
  `--batch` seconds (20 ms) so that values arriving close together share messages; with
  one client per node, each waiting for its acknowledgement, none do at Maelstrom's
  default concurrency (bench/frontier_broadcast.py). Nothing else is sent while traffic
  flows.
- `--mode traffic` (3e): a star. Nodes upload their own values to the hub (n0) every
  `--up` seconds; the hub sends each node everything it lacks every `--interval` seconds.
  Two hops plus two batching waits; about 1 message per value.

When to acknowledge, in the latency and traffic settings (`--ack`):

- `sent` (the default): once the value is sent on (see Crashes for what that survives).
- `echo`: once the value's own copy comes back with everyone's, and only then do reads at
  the origin show it. Latency: the origin also sends it to itself, last (25 messages per
  value). Traffic: the hub passes it on to every node including its origin, and shows it
  itself only then. Maelstrom's stable latency runs from the acknowledgement, so it drops
  to 0 (nothing read after the acknowledgement lacks the value) while the client waits a hop
  (latency) or two hops plus the tick (traffic) longer; bench/frontier_broadcast.py explains
  why, and shows both sides. An own value shows after 2 s at the latest (partitions).

In the code the settings are two small strategies, `Direct` (durable, latency) and `Star`
(traffic), each saying what happens to a new value, to a value reaching the hub and to a
gossip's evidence; they share one core (values, version vectors, repair, heartbeats), and the
durable setting adds its lin-kv store in front of `Direct`.

Partition safety is repair on evidence. A vector received from peer p that lacks a value
this node has held (or last sent to p) for longer than `--grace` seconds proves p missed
it, and the value is sent again. A node that is not the value's origin waits a little
longer, by its distance from the origin, so that usually only one node repairs. When a node
has sent nothing to the hub for a while (e.g. during the final recovery wait) it sends its
vector to the hub as a heartbeat (after 2 s, backing off to 8 s while nothing changes). The
hub repairs it at once, and asks for (pulls) what the heartbeat shows the hub lacks; in the
latency setting the hub passes such late values on to every node whose vector lacks them (an
origin's own values too: a gossip says how many of its values are the origin's fresh send,
and the rest are repairs). Values cut off by a partition arrive within about 2.5 s of the
heal. None of this sends anything while nodes are in sync and traffic flows.

Crashes (kill, pause). In the durable setting each node keeps the values it originated, in
all its incarnations, in one `lin-kv` key, `broadcast/<node>`: a list of [origin, seq,
value], extended by a cas from the list it last wrote (one in flight; values arriving
meanwhile share the next, which is the only batching this setting does). Only once the cas
holding a value succeeds is the value readable here, sent to every other node and
acknowledged: so no read anywhere ever shows a value that a crash can take back (set-full
calls a value seen and later missing "lost", acknowledged or not), and a kill loses no
acknowledged value, even a kill of every node at once. A (re)started node reads its key back
and holds those values under their old names; a cas that fails (a dead incarnation's cas
landed late) reads the key again and retries. Every gossip message carries the sender's
origin name: a peer that sees a new one forgets what it knew of the sender's vector, and a
starting node sends its empty vector to the hub as a heartbeat, so the hub repairs it at once
(the hub itself asks n1). Reads at a restarted node lack what it has not been repaired yet:
that shows as stable latency, never as a loss. Cost: two messages per cas, about one per
broadcast at 3b's and 3d's rates (+1 msgs-per-op, bench/faults.py), and the broadcast's own
latency grows by a lin-kv round trip (stable latency is measured from the acknowledgement,
so it does not). A pause only delays.

The efficiency settings trade that for fewer messages: they acknowledge a value once it has
been sent to another node (latency: when the direct sends leave, after the batch wait;
traffic: when it goes to the hub, or at the hub when the hub passes it on), so it survives a
crash of its origin alone, but not a kill of its origin and every node it reached before
they passed it on.

Late answers and stalls (every setting). A client gives up on a request after 5 s; a
broadcast that ends so is indefinite and its client leaves the network (a read's timeout is
a plain failure, and its client stays). A node that answers a client that left is muted:
nothing it writes is read again (Maelstrom's net.clj and process.clj), its gossip included,
so values only it held are lost to the final reads. A broadcast waiting for its cas when the
node is paused, or a request queued while it is stopped, would be answered that late. So the
node answers a client only within 4 s of when the request may have been sent, by its own
clock, counting any stall of its loop the request may have waited through, and only the
client's newest request (maelstrom_node.py's answer_clients_within); otherwise it drops the
answer, which is always safe: the client sees a timeout (the value may still spread). Cost:
one timer every 0.1 s per node, and after a stall of 4 s or more every request that waited
through it goes unanswered (what is read after a stall counts as having waited through it
until input pauses for 20 ms, at most 0.5 s); the sweep without pauses dropped none
(bench/faults.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from maelstrom_node import KV, PRECONDITION_FAILED, Node, RPCError, log

node = Node()
node.answer_clients_within(4.0)  # a client gives up after 5 s (see the docstring)
lin_kv = KV(node, "lin-kv", timeout=1.0)

# ---- settings ---------------------------------------------------------------------------------

parser = argparse.ArgumentParser(prog="broadcast.py")
parser.add_argument("--mode", choices=("durable", "latency", "traffic"), default="durable")
parser.add_argument("--interval", type=float, default=0.6, help="hub batch interval (traffic)")
parser.add_argument("--up", type=float, default=0.1, help="node upload interval (traffic)")
parser.add_argument("--batch", type=float, default=0.02,
                    help="seconds a new value waits for others before direct sends (latency)")
parser.add_argument("--grace", type=float, default=0.3, help="seconds before a repair")
parser.add_argument("--heartbeat", type=float, default=2.0, help="idle seconds before a heartbeat")
parser.add_argument("--ack", choices=("sent", "echo"), default="sent",
                    help="acknowledge (and show) an own value once sent on, or once its copy "
                         "comes back with everyone's (latency, traffic)")
settings = parser.parse_args(sys.argv[1:])
DURABLE = settings.mode == "durable"
ECHO = settings.ack == "echo"
if DURABLE and ECHO:
    parser.error("--ack echo is for --mode latency or traffic")
ECHO_WAIT = 2.0  # echo: seconds after which an own value shows (and is acknowledged) anyway
MAX_HEARTBEAT = 8.0
MAX_RANK = 6

# ---- the core: version vectors and repair, shared by every setting ----------------------------

Key = tuple[str, int]        # (origin, seq)
ids: list[str] = []          # node ids, in init order
me = 0                       # this node's index
mine = ""                    # this incarnation's origin name
hub = ""                     # the star's centre (traffic) and heartbeat target (all)
values: list[Any] = []       # every value held, in arrival order (what read returns)
held: dict[str, dict[int, Any]] = {}   # per origin: seq -> value
vector: dict[str, int] = {}  # per origin: count of contiguous seqs held from 0
top: dict[str, int] = {}     # per origin: highest seq held + 1
rank_of: dict[str, int] = {}           # per origin: its node's index
acquired: dict[Key, float] = {}        # (origin, seq) -> when this node got it
their: dict[str, dict[str, int]] = {}  # peer -> its latest vector
their_time: dict[str, float] = {}      # peer -> when its latest vector arrived
their_name: dict[str, str] = {}        # peer -> its incarnation's origin name
sent: dict[str, dict[Key, float]] = {}  # peer -> (origin, seq) -> last sent
last_sent_to: dict[str, float] = {}    # peer -> time of our last message to it
pull_from: set[str] = set()            # peers to send our vector to (they have more)
hidden: dict[Key, Any] = {}            # echo: values held but not shown to reads yet
unacked: dict[Key, dict] = {}          # own value -> the broadcast request to answer
heartbeat_every = settings.heartbeat
vector_at_heartbeat: dict[str, int] = {}


def now() -> float:
    return time.monotonic()


def forget(peer: str) -> None:
    """What we know of `peer`, from scratch (at start, and when it restarted)."""
    their[peer] = {}
    their_time[peer] = 0.0
    sent[peer] = {}
    last_sent_to[peer] = now()
    pull_from.discard(peer)


def hold(origin: str, seq: int, value: Any, shown: bool = True) -> bool:
    """Keep a value (readable at once if `shown`, else once `show` says so); False if it was
    already held."""
    got = held.get(origin)
    if got is None:
        got = held[origin] = {}
        vector[origin] = top[origin] = 0
        name = origin.rsplit(":", 1)[0]
        rank_of[origin] = ids.index(name) if name in ids else 0
    if seq in got:
        return False
    got[seq] = value
    acquired[(origin, seq)] = now()
    if shown:
        values.append(value)
    else:
        hidden[(origin, seq)] = value
    if seq >= top[origin]:
        top[origin] = seq + 1
    while vector[origin] in got:
        vector[origin] += 1
    return True


def show(key: Key) -> None:
    """Echo: a hidden value becomes readable here, and is acknowledged if it is ours."""
    if key in hidden:
        values.append(hidden.pop(key))
        acknowledge(key)


def lacks(peer: str, key: Key) -> bool:
    origin, seq = key
    return their[peer].get(origin, 0) <= seq


def repairs(peer: str, asked: bool = False) -> list[Key]:
    """Values `peer` provably lacks: its latest vector, received well after we got (or last
    sent) the value, does not have it. A node that is not a value's origin waits longer, by
    its distance from the origin, unless `asked` (the hub answering a heartbeat: nobody else
    hears it)."""
    vv, seen_at, sent_p = their[peer], their_time[peer], sent[peer]
    n = len(ids)
    out = []
    for origin, end in top.items():
        start = vv.get(origin, 0)
        if start >= end:
            continue
        rank = 0 if asked else min((me - rank_of[origin]) % n, MAX_RANK)
        got = held[origin]
        for seq in range(start, end):
            if seq not in got:
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


def with_repairs(peer: str, keys: list[Key]) -> list[Key]:
    """`keys`, then whatever else `peer` provably lacks."""
    chosen = set(keys)
    return keys + [k for k in repairs(peer) if k not in chosen]


def send_gossip(peer: str, keys: list[Key], heartbeat: bool = False, fresh: int = 0) -> None:
    """The one message nodes exchange: some values, and always our vector. `fresh`: how many
    of the first keys are an origin's own new values, sent to every node at once (the rest
    are repairs, which the hub passes on)."""
    t = now()
    sent_p = sent[peer]
    for key in keys:
        sent_p[key] = t
    body: dict[str, Any] = {"type": "gossip", "vv": vector, "from": mine,
                            "vals": [[o, s, held[o][s]] for o, s in keys]}
    if heartbeat:
        body["hb"] = True
    if fresh:
        body["fresh"] = fresh
    node.send(peer, body)
    last_sent_to[peer] = t
    pull_from.discard(peer)
    if unacked and not DURABLE and not ECHO:  # efficiency settings: sent on is acknowledged
        for key in keys:
            acknowledge(key)


def acknowledge(key: Key) -> None:
    request = unacked.pop(key, None)
    if request is not None:
        node.reply(request, {"type": "broadcast_ok"})


def answer_with_repairs(peer: str, has_more: bool, asked: bool = False) -> None:
    """Reply to a gossip with what `peer` provably lacks (or with our vector, if it has more
    than we do)."""
    keys = repairs(peer, asked)
    if keys or has_more:
        send_gossip(peer, keys)


# ---- strategy: direct sends, one hop (--mode latency for 3d; durable, 3a-3c) -----------------


class Direct:
    """An origin sends its new values straight to every other node, after `batch` seconds (so
    that values arriving close together share messages), and with `--ack echo` to itself
    last. A gossip is answered with repairs; the hub passes a late repair on to every node
    whose vector lacks it."""

    def __init__(self, batch: float) -> None:
        self.batch = batch
        self.outgoing: list[Key] = []  # own values waiting for the next send
        self.hub_hides = False

    def start(self) -> None:
        pass  # nothing periodic: only the core's heartbeats

    def new_value(self, key: Key) -> None:
        self.outgoing.append(key)
        if self.batch <= 0:
            self.send()
        elif len(self.outgoing) == 1:
            node.after(self.batch, self.send)

    def send_now(self, keys: list[Key]) -> None:
        self.outgoing.extend(keys)
        self.send()

    def send(self) -> None:
        keys = list(self.outgoing)
        self.outgoing.clear()
        if not keys:
            return
        for peer in their:
            send_gossip(peer, with_repairs(peer, keys), fresh=len(keys))
        if ECHO:  # last, so that it arrives no earlier than any other copy
            node.send(node.node_id, {"type": "gossip", "echo": keys})

    def hub_got(self, peer: str, key: Key, relay: list[Key], fresh: bool) -> None:
        if not fresh:  # a repair (perhaps by the origin, which lost sends to a partition)
            relay.append(key)

    def answer(self, peer: str, has_more: bool, relay: list[Key], asked: bool) -> None:
        answer_with_repairs(peer, has_more, asked)
        for other in their:  # the hub: a repair reached us late; others likely lack it too
            keys = [k for k in relay if other != peer and lacks(other, k)]
            if keys:
                send_gossip(other, keys)


# ---- strategy: a star (--mode traffic, 3e) ----------------------------------------------------


class Star:
    """Nodes upload their new values to the hub every `up` seconds (at once if `up` is 0);
    the hub sends each node what it lacks every `interval` seconds (with `--ack echo` also
    each origin its own values back). The hub answers a heartbeat showing it lacks something
    by pulling at its next tick."""

    def __init__(self, interval: float, up: float) -> None:
        self.interval = interval
        self.up = up
        self.fresh: list[Key] = []  # values to pass on at the next tick
        self.hub_hides = ECHO  # echo: the hub shows a value only once it has passed it on

    def start(self) -> None:
        if node.node_id == hub:
            node.every(self.interval, self.hub_tick)
        elif self.up > 0:
            node.every(self.up, self.upload_tick)

    def new_value(self, key: Key) -> None:
        if node.node_id == hub or self.up > 0:
            self.fresh.append(key)
        else:
            send_gossip(hub, with_repairs(hub, [key]))

    def hub_got(self, peer: str, key: Key, relay: list[Key], fresh: bool) -> None:
        self.fresh.append(key)

    def answer(self, peer: str, has_more: bool, relay: list[Key], asked: bool) -> None:
        if node.node_id != hub and self.up <= 0:
            answer_with_repairs(peer, has_more, asked)
        elif has_more:
            pull_from.add(peer)

    def hub_tick(self) -> None:
        """The hub: pass on what arrived since the last tick, plus repairs."""
        batch = list(self.fresh)
        self.fresh.clear()
        for peer in their:
            keys = with_repairs(peer, [k for k in batch if lacks(peer, k)
                                       or (ECHO and k[0].rsplit(":", 1)[0] == peer)])
            if keys or peer in pull_from:
                send_gossip(peer, keys)
        for key in batch:  # echo: now on its way to every node at once
            show(key)

    def upload_tick(self) -> None:
        """Other nodes: upload own new values to the hub, plus repairs."""
        keys = with_repairs(hub, list(self.fresh))
        self.fresh.clear()
        if keys or hub in pull_from:
            send_gossip(hub, keys)


strategy = (Star(settings.interval, settings.up) if settings.mode == "traffic"
            else Direct(settings.batch))

# ---- durability (--mode durable) --------------------------------------------------------------

# our lin-kv key's content as we last wrote or read it, and what waits for the next cas
stored: list | None = None
unstored: list[list] = []    # own new values, [origin, seq, value], waiting for the next cas
next_seq = 0                 # the next seq of this incarnation
storing = False


async def read_back() -> None:
    """Hold the values our earlier incarnations stored; then store what waits."""
    global stored
    while True:
        try:
            got = await lin_kv.read(f"broadcast/{node.node_id}", [])
            break
        except RPCError as err:
            log(f"reading back our values failed: {err}; again")
    take(got)
    stored = got
    store_waiting()


def take(entries: list) -> None:
    for origin, seq, value in entries:
        hold(origin, seq, value)


def store_waiting() -> None:
    if not storing and stored is not None and unstored:
        node.spawn(store())


async def store() -> None:
    """One cas: our stored list plus every value waiting; then acknowledge them."""
    global storing, stored
    storing = True
    entries = list(unstored)
    unstored.clear()
    new = stored + entries
    try:
        while True:
            try:
                await lin_kv.cas(f"broadcast/{node.node_id}", stored, new,
                                 create_if_not_exists=True)
                break
            except RPCError as err:
                if err.code != PRECONDITION_FAILED:
                    log(f"storing values failed: {err}; again")
                    continue
                while True:  # the key moved on (a dead incarnation's cas landed): read it
                    try:
                        current = await lin_kv.read(f"broadcast/{node.node_id}", [])
                        break
                    except RPCError as err2:
                        log(f"reading our values failed: {err2}; again")
                take(current)
                stored = current
                there = {(o, s) for o, s, _ in current}  # a timed-out cas may have landed
                new = stored + [e for e in entries if (e[0], e[1]) not in there]
        stored = new
        take(entries)  # only now readable, and sent on: nothing a crash can take back
        keys = [(o, s) for o, s, _ in entries]
        if len(ids) > 1:
            strategy.send_now(keys)
        for key in keys:
            acknowledge(key)
    finally:
        storing = False
    store_waiting()


# ---- handlers ---------------------------------------------------------------------------------


@node.on_init
def start() -> None:
    global me, mine, hub
    ids.extend(node.node_ids)
    me = ids.index(node.node_id)
    mine = f"{node.node_id}:{time.time_ns():x}"
    hub = ids[0]
    for peer in ids:
        if peer != node.node_id:
            forget(peer)
    if DURABLE:
        node.spawn(read_back())
    if len(ids) == 1:
        return
    strategy.start()
    node.every(0.25, heartbeat_tick)
    # a (re)started node has lost everything: show the hub (the hub: n1) our empty vector
    send_gossip(hub if node.node_id != hub else ids[1], [], heartbeat=True)


@node.handler("topology")
def topology(msg: dict) -> dict:
    return {"type": "topology_ok"}  # we pick our own: direct sends or a star


@node.handler("broadcast")
def broadcast(msg: dict) -> dict | None:
    global next_seq
    if DURABLE:  # held, read and sent on only once stored (see store)
        key = (mine, next_seq)
        next_seq += 1
        unacked[key] = msg
        unstored.append([mine, key[1], msg["body"]["message"]])
        store_waiting()
        return None
    seq = top.get(mine, 0)
    alone = len(ids) == 1
    hold(mine, seq, msg["body"]["message"], shown=alone or not ECHO)
    if alone:
        return {"type": "broadcast_ok"}
    if ECHO:
        node.after(ECHO_WAIT, lambda: show((mine, seq)))
    unacked[(mine, seq)] = msg  # answered once sent on
    strategy.new_value((mine, seq))
    return None


@node.handler("read")
def read(msg: dict) -> dict:
    return {"type": "read_ok", "messages": values}


@node.handler("gossip")
def gossip(msg: dict) -> None:
    peer, body = msg["src"], msg["body"]
    if "echo" in body:  # our own direct send came back: it has reached every node
        for origin, seq in body["echo"]:
            show((origin, seq))
        return
    if peer not in their:
        return
    if body.get("from") != their_name.setdefault(peer, body.get("from")):
        their_name[peer] = body.get("from")  # it restarted and lost everything
        forget(peer)
    relay: list[Key] = []
    at_hub = node.node_id == hub
    hides = at_hub and strategy.hub_hides
    fresh = body.get("fresh", 0)
    for i, (origin, seq, value) in enumerate(body["vals"]):
        if hold(origin, seq, value, shown=not hides) and at_hub:
            strategy.hub_got(peer, (origin, seq), relay, i < fresh)
        elif peer == hub and (origin, seq) in hidden:  # echo: ours, back from the hub
            show((origin, seq))
    vv = their[peer]
    theirs = body["vv"]
    for origin, count in theirs.items():
        if count > vv.get(origin, 0):
            vv[origin] = count
    their_time[peer] = now()
    has_more = bool(body.get("hb")) and any(c > vector.get(o, 0) for o, c in theirs.items())
    strategy.answer(peer, has_more, relay, asked=at_hub and bool(body.get("hb")))


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
    vector_at_heartbeat = dict(vector)
    send_gossip(hub, repairs(hub), heartbeat=True)


if __name__ == "__main__":
    log(f"broadcast.py starting: {vars(settings)}")
    node.run()
