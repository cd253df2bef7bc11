#!/usr/bin/env python3
"""Kafka-style log 5a-5c: one owner per key, dense offsets, replicas fed in batches.

Ownership: key k belongs to node node_ids[int(k) mod N] (a CRC of the key for keys that are not
numbers). Only the owner appends to k, so k's offsets are simply 0, 1, 2, ... in the order the
owner received the sends: unique, gap-free and increasing in real time (a send acknowledged
before another is invoked gets the lower offset).

send: at the owner, append and answer. Elsewhere, forward to the owner (fwd_send, 2 messages)
and answer with the owner's offset, keeping the entry in the local replica. If the owner was
not heard from for a second (a partition), or the forward gets no reply within 0.1 s, the send
is relayed instead (below). A send that gets no offset within 1 s of its relay is answered
0 timeout: indefinite, since the owner may yet append it. An owner that leaves a relayed send
unanswered for 0.3 s, or let one time out in the last second, is most likely down or stopped
rather than cut off: meanwhile a send to it that was never forwarded is refused at once with
11 temporarily-unavailable (it surely never happens), and one whose forward timed out is
answered 0 timeout, so that clients do not all wait for a node that cannot answer.

Partitions. Maelstrom cuts links between nodes, never a node's link to its services, so a send
for a key owned across a partition goes through `lin-kv`: the node writes the sends it relays
to an owner into one mailbox key, `kafka/mail/<owner>/<node>`, and reads the owner's answers
(request id -> offset) from `kafka/reply/<owner>/<node>` 30 ms after each write, then every
20 ms, twice as long each time none comes (up to 0.16 s: a dead or paused owner). An owner
reads a peer's mailbox while that peer has been silent for 0.15 s or says in its syncs that
it is relaying, every 20 ms (twice as long each time it finds the mailbox unchanged, up to
0.16 s), appends each send, and writes back the offsets once they are logged. Offsets are
still handed out by the owner alone, so they stay dense and in real-time order. Every
forwarded or relayed send carries a request id (node, boot, count), kept in its event of the
owner's stream and log, so it is appended once however it arrives, even across a restart of
the owner. Cost, only while nodes are cut off: up to a mailbox read every 20 ms
for each silent peer, and a relayed send waits about 60 ms (median; 5-10 ms when forwarded)
and takes about 7 messages; clients, which wait for each send, run fewer ops meanwhile.
While every peer is heard from (idle nodes sync every 0.1 s) none of this sends anything.

poll: always local. A replica holds, per key, the contiguous prefix of offsets it knows plus
entries that arrived early (out of order, from forward replies). Since offsets are dense, a
node serves exactly the contiguous run from the requested offset to the first offset it lacks:
never a gap, never a value out of order, whatever it has not received yet. Keys with nothing
to return are left out of poll_ok.

Replication: every node keeps an append-only stream of its own events, i.e. appends to keys it
owns and committed offsets its clients reported, numbered 1, 2, ... Every 50 ms it sends each
peer one `sync` with the events that peer has not acknowledged (at most 2000) and its own
acknowledgement of the peer's stream; the receiver applies them in order and acknowledges in
its next sync. Unacknowledged events are simply sent again, so partitions only delay them; a
peer silent for a second is retried every 0.5 s. Idle nodes still sync every 0.1 s as a
heartbeat. Committed offsets are kept per key as a maximum, gossiped the same way, and
list_committed_offsets answers from the local copy (a stale value only means re-reading).

Crashes (kill, pause). A node's event stream is also its write-ahead log in `lin-kv`, which
outlives the nodes: records `kafka/<node>/<i>`, i = 0, 1, ..., each a batch of events, written
at most every WAL_GAP seconds, one write in flight. A send (at the owner, or forwarded to it)
or a commit is answered only once its event is logged; until then the append is not in the
log that polls read and is not synced, so nothing a crash can take back was ever seen or
acknowledged. Offsets are handed out at once (the owner counts logged and waiting appends),
and a failed write is retried at the same index with the same events, so no offset is
handed out twice. A (re)started node reads its log back (windows of parallel reads, up to
the first missing record), replays it, and puts an empty "fence" record at the first free
index with a create-only cas, so that a dead incarnation's write still in flight cannot land
unnoticed (if the cas finds a record, it is replayed and the next index tried); sends, polls
and commits wait until then. Its stream is rebuilt identically, so peers' counts of it stay
valid; every sync carries the sender's boot id, and a peer that sees a new one sends the
restarted node its whole stream again. Cost: two messages per log write, and sends and
commits wait for it; at 5c (two clients per node, each waiting) that means about 15k ops in
20 s instead of 19k, median latency 1.7 ms, and about 1.05 servers msgs-per-op instead of
0.52 (bench/faults.py); a kill costs a read per log record. A pause only delays.

Late answers and stalls. A client gives up on a request after 5 s, and in kafka every op that
ends so (all but assign) is indefinite, after which the client leaves the network (a new one
takes its place); a node that then answers it is muted: nothing it writes is read again
(Maelstrom's net.clj and process.clj), so with both nodes muted the final polls see nothing
(:unseen). A pause makes that common: a forward or a log write in flight when the node stops
times out the instant it resumes, and requests queued meanwhile are old when read. So the
node answers a client only within 4 s of when the request may have been sent, by its own
clock, counting any stall of its loop the request may have waited through, and only the
client's newest request (maelstrom_node.py's answer_clients_within); otherwise it drops the
answer, which is always safe: the client sees a timeout, indefinite (the send may still be
appended; the checker allows an indefinite send to appear or not). A restarted node starts
with an empty queue, so it never sees its dead incarnation's requests. Cost: one timer every
0.1 s, and after a stall of 4 s or more every request that waited through it goes
unanswered, since the node cannot tell one sent just before the resume from one whose
client left (what is read after a stall counts as having waited through it until input
pauses for 20 ms, at most 0.5 s: the peer's syncs, every 50 ms, leave such pauses); the
sweep without pauses dropped none (bench/faults.py, "dropped").

Cost before crash safety: with 2 nodes, half the sends are forwarded (2 messages each, about
1 per send) plus about 40 syncs a second: roughly 0.5 servers msgs-per-op at --rate 1000. One
node needs no messages at all. Poll lag on a replica is about one sync interval.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from typing import Any

from maelstrom_node import (
    KV,
    TEMPORARILY_UNAVAILABLE,
    TIMEOUT,
    Node,
    RPCError,
    WriteAheadLog,
    log,
)

SYNC_EVERY = 0.05
HEARTBEAT = 0.1
DEAD_AFTER = 1.0
RETRY_DEAD = 0.5
FORWARD_TIMEOUT = 0.1  # then the relay, which finds out if the forward was appended
MAX_EVENTS = 2000
WAL_GAP = 0.01  # seconds between write-ahead log writes
READ_WINDOW = 64  # log records read back in parallel
RELAY_EVERY = 0.02  # seconds between mailbox writes and reads while a relay is under way
REPLY_FIRST = 0.03  # seconds from a mailbox write to the first read of the answers
REPLY_MAX = 0.16  # at most this long between reads of answers that are slow to come
MAIL_SILENT = 0.15  # a peer not heard from for this long may be relaying to us: read its mailbox
RELAY_TIMEOUT = 1.0  # a relayed send not appended by then is answered 0 timeout, and
RELAY_STALL = 0.3  # while one waits longer than this, or for RELAY_TIMEOUT after a timeout,
# new sends to that owner are refused at once: it is most likely down or stopped, not cut off

node = Node()
node.answer_clients_within(4.0)  # a client gives up after 5 s (see the docstring)
lin_kv = KV(node, "lin-kv", timeout=1.0)
boot = time.time_ns()
wal: Any = None  # our WriteAheadLog in lin-kv (made at init, when our id is known)
reserved: dict[str, int] = {}  # owned key -> next offset to hand out (logged + waiting appends)
peer_boot: dict[str, int] = {}
logs: dict[str, list] = {}  # key -> messages; the list index is the offset (a gap-free prefix)
early: dict[str, dict[int, Any]] = {}  # key -> offset -> message known ahead of the prefix
committed: dict[str, int] = {}
events: list[list] = []  # our stream: [key, offset, msg] appends, [key, offset] commits
acked: dict[str, int] = {}  # peer -> how many of our events it has acknowledged
received: dict[str, int] = {}  # peer -> how many of its events we have applied
ack_owed: set[str] = set()  # peers whose events we applied since our last sync to them
last_heard: dict[str, float] = {}
last_sent: dict[str, float] = {}
peers: list[str] = []
# The relay through lin-kv (see the docstring, "Partitions"):
relaying: dict[str, dict[str, list]] = {}  # owner -> rid -> [key, msg, future, since]
mailed: dict[str, list] = {}  # owner -> the mailbox we last wrote to it
relay_busy: set[tuple[str, str]] = set()  # ("to", owner) or ("from", peer): a round under way
handled: dict[str, int] = {}  # rid -> offset: forwarded or relayed sends appended here
handling: dict[str, asyncio.Future[int]] = {}  # rid -> its append, under way here
answered: dict[str, dict] = {}  # peer -> the offsets we last wrote to its reply box
peer_mail: dict[str, int] = {}  # peer -> how many sends it was relaying to us, by its last sync
relay_dead_until: dict[str, float] = {}  # owner -> refuse sends to it at once until then
next_mail_read: dict[str, float] = {}  # peer -> when to read its mailbox next
mail_wait: dict[str, float] = {}  # peer -> the current wait between those reads
last_box: dict[str, list] = {}  # peer -> its mailbox as we last read it
next_reply_read: dict[str, float] = {}  # owner -> when to read its answers to us next
reply_wait: dict[str, float] = {}  # owner -> the current wait between those reads
relay_count = 0  # sends we forwarded or relayed (rid = node.boot.count)


def owner_of(key: str) -> str:
    try:
        n = int(key)
    except ValueError:
        n = zlib.crc32(key.encode())
    return node.node_ids[n % len(node.node_ids)]


async def append(key: str, msg: Any, rid: str | None = None) -> int:
    """Append to a key this node owns; the new offset, once logged. A relayed send's event
    carries its request id, `rid`, so that it is appended once however often it is read."""
    if not wal.ready.done():
        await wal.ready
    offset = reserved.get(key, len(logs.get(key, ())))
    reserved[key] = offset + 1
    await wal.append([key, offset, msg] if rid is None else [key, offset, msg, rid])
    return offset


def apply_own(event: list) -> None:
    """An event of our own stream, logged: into the log polls read, and the stream."""
    if len(event) >= 3:
        learn(event[0], event[1], event[2])
        if len(event) == 4:
            handled[event[3]] = event[1]
    else:
        commit_from_peer(event[0], event[1])
    events.append(event)


def apply_record(record: list) -> None:
    """A record of our write-ahead log, written: its events, in order."""
    for event in record:
        apply_own(event)


def replay(record: list) -> None:
    for event in record:
        apply_own(event)
        if len(event) >= 3:
            reserved[event[0]] = max(reserved.get(event[0], 0), event[1] + 1)


def learn(key: str, offset: int, msg: Any) -> None:
    """Record an entry of a key another node owns, in whatever order entries arrive."""
    log = logs.setdefault(key, [])
    if offset < len(log):
        return
    if offset > len(log):
        early.setdefault(key, {})[offset] = msg
        return
    log.append(msg)
    ahead = early.get(key)
    while ahead and len(log) in ahead:
        log.append(ahead.pop(len(log)))


@node.on_init
def start() -> None:
    global wal
    wal = WriteAheadLog(lin_kv, f"kafka/{node.node_id}", apply_record, WAL_GAP, READ_WINDOW)
    wal.start(replay)
    now = node.now()
    peers.extend(n for n in node.node_ids if n != node.node_id)
    for p in peers:
        acked[p] = received[p] = 0
        last_heard[p] = last_sent[p] = now
    if peers:
        node.every(SYNC_EVERY, sync)
        node.every(RELAY_EVERY, relay_tick)


@node.handler("send")
async def send(msg: dict) -> dict:
    body = msg["body"]
    key, value = body["key"], body["msg"]
    owner = owner_of(key)
    if owner == node.node_id:
        return {"type": "send_ok", "offset": await append(key, value)}
    global relay_count
    relay_count += 1
    rid = f"{node.node_id}.{boot}.{relay_count}"  # the same for the forward and the relay
    offset = None
    if node.now() - last_heard[owner] <= DEAD_AFTER:
        try:
            reply = await node.call(owner, {"type": "fwd_send", "key": key, "msg": value,
                                            "rid": rid}, FORWARD_TIMEOUT)
            offset = reply["offset"]
        except RPCError:
            # The owner may have appended it: only the relay, with the same rid, can say.
            if relay_stalled(owner):
                raise RPCError(TIMEOUT, f"no answer from {owner}, the owner of key {key}") from None
    elif relay_stalled(owner):  # never sent anywhere: surely not appended
        raise RPCError(TEMPORARILY_UNAVAILABLE, f"owner {owner} of key {key} is unreachable, "
                       "and does not read its mailbox")
    if offset is None:
        offset = await relay(owner, key, value, rid)
    learn(key, offset, value)
    return {"type": "send_ok", "offset": offset}


@node.handler("fwd_send")
async def fwd_send(msg: dict) -> dict:
    body = msg["body"]
    return {"type": "fwd_send_ok", "offset": await append_once(body["key"], body["msg"],
                                                               body["rid"])}


async def append_once(key: str, msg: Any, rid: str) -> int:
    """Append a send another node forwards or relays, once whichever way and however often
    it comes: its offset. After a restart, only once our log is replayed do we know which
    rids it holds (a relayed send can still be in the mailbox we read first)."""
    if not wal.ready.done():
        await wal.ready
    if rid in handled:
        return handled[rid]
    task = handling.get(rid)
    if task is None:
        task = handling[rid] = asyncio.ensure_future(append(key, msg, rid))
        task.add_done_callback(lambda _: handling.pop(rid, None))
    return await asyncio.shield(task)


@node.handler("poll")
async def poll(msg: dict) -> dict:
    if not wal.ready.done():
        await wal.ready
    out = {}
    for key, offset in msg["body"]["offsets"].items():
        log = logs.get(key)
        start = max(offset, 0)
        if log and start < len(log):
            out[key] = [[i, log[i]] for i in range(start, len(log))]
    return {"type": "poll_ok", "msgs": out}


@node.handler("commit_offsets")
async def commit_offsets(msg: dict) -> dict:
    if not wal.ready.done():
        await wal.ready
    news = [[k, o] for k, o in msg["body"]["offsets"].items() if o > committed.get(k, -1)]
    if news:
        await asyncio.gather(*(wal.append(e) for e in news))
    return {"type": "commit_offsets_ok"}


@node.handler("list_committed_offsets")
async def list_committed_offsets(msg: dict) -> dict:
    if not wal.ready.done():
        await wal.ready
    return {"type": "list_committed_offsets_ok",
            "offsets": {k: committed[k] for k in msg["body"]["keys"] if k in committed}}


# ---- replication --------------------------------------------------------------------------


def sync() -> None:
    """Every SYNC_EVERY: send each peer what it lacks of our stream, and our acknowledgement."""
    now = node.now()
    for p in peers:
        silent = now - last_heard[p] > DEAD_AFTER
        if silent and now - last_sent[p] < RETRY_DEAD:
            continue
        if acked[p] >= len(events) and p not in ack_owed and now - last_sent[p] < HEARTBEAT:
            continue
        start = acked[p]
        node.send(p, {"type": "sync", "from": start, "events": events[start:start + MAX_EVENTS],
                      "ack": received[p], "boot": boot, "mail": len(relaying.get(p, ()))})
        ack_owed.discard(p)
        last_sent[p] = now


@node.handler("sync")
def on_sync(msg: dict) -> None:
    peer, body = msg["src"], msg["body"]
    last_heard[peer] = node.now()
    peer_mail[peer] = body.get("mail", 0)
    if body.get("boot") != peer_boot.setdefault(peer, body.get("boot")):
        peer_boot[peer] = body.get("boot")  # it restarted: it needs our whole stream again
        acked[peer] = 0
    if body["ack"] > acked[peer]:
        acked[peer] = body["ack"]
    seq = body["from"]
    for event in body["events"]:
        seq += 1
        if seq <= received[peer]:
            continue
        if seq > received[peer] + 1:
            break  # cannot happen: every sync starts at or below what we acknowledged
        if len(event) >= 3:
            learn(event[0], event[1], event[2])
        else:
            commit_from_peer(event[0], event[1])
        received[peer] = seq
        ack_owed.add(peer)


def commit_from_peer(key: str, offset: int) -> None:
    if offset > committed.get(key, -1):
        committed[key] = offset


# ---- the relay through lin-kv, for sends to an owner we cannot reach -----------------------


def mailbox(owner: str, sender: str) -> str:
    return f"kafka/mail/{owner}/{sender}"


def reply_box(owner: str, sender: str) -> str:
    return f"kafka/reply/{owner}/{sender}"


async def relay(owner: str, key: str, value: Any, rid: str) -> int:
    """The offset `owner` gave a send we put in its mailbox; RPCError 0 if none in time."""
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    relaying.setdefault(owner, {})[rid] = [key, value, done, node.now()]

    def give_up() -> None:
        relaying[owner].pop(rid, None)
        relay_dead_until[owner] = node.now() + RELAY_TIMEOUT
        if not done.done():
            done.set_exception(RPCError(TIMEOUT, f"owner {owner} of key {key} did not append "
                                        "the send we relayed"))

    timer = node.after(RELAY_TIMEOUT, give_up)
    kick(owner)
    try:
        return await done
    finally:
        timer.cancel()


def relay_stalled(owner: str) -> bool:
    """Whether a send we relay to `owner` has waited RELAY_STALL without an answer, or one
    timed out in the last RELAY_TIMEOUT: the owner is then most likely down or stopped, not
    cut off, and further sends would only wait."""
    now = node.now()
    return now < relay_dead_until.get(owner, 0.0) or any(
        now - s[3] > RELAY_STALL for s in relaying.get(owner, {}).values())


def relay_tick() -> None:
    """Every RELAY_EVERY: push our relayed sends, and serve the mailboxes of peers that are
    silent or say they are relaying to us; one lin-kv round at a time for each."""
    for owner, sends in relaying.items():
        if sends or mailed.get(owner):
            kick(owner)
    for p in peers:
        silent = node.now() - last_heard[p] > MAIL_SILENT
        if (silent or peer_mail.get(p, 0)) and ("from", p) not in relay_busy \
                and node.now() >= next_mail_read.get(p, 0.0):
            relay_busy.add(("from", p))
            node.spawn(serve_mailbox(p))


def kick(owner: str) -> None:
    if ("to", owner) not in relay_busy:
        relay_busy.add(("to", owner))
        node.spawn(push(owner))


async def push(owner: str) -> None:
    """Write our mailbox to `owner` if it changed, read its answers, complete those sends."""
    try:
        sends = relaying[owner]
        box = [[rid, s[0], s[1]] for rid, s in sends.items()]
        if box != mailed.get(owner):
            await lin_kv.write(mailbox(owner, node.node_id), box)
            mailed[owner] = box
            reply_wait[owner] = RELAY_EVERY
            next_reply_read[owner] = node.now() + REPLY_FIRST
        if not sends or node.now() < next_reply_read.get(owner, 0.0):
            return
        answers = await lin_kv.read(reply_box(owner, node.node_id), {})
        got = False
        for rid, offset in answers.items():
            s = sends.pop(rid, None)
            if s is not None and not s[2].done():
                s[2].set_result(offset)
                got = True
                relay_dead_until.pop(owner, None)
        # An owner that answers nothing is probably down or stopped: ask less and less often.
        wait = RELAY_EVERY if got else min(2 * reply_wait.get(owner, RELAY_EVERY), REPLY_MAX)
        reply_wait[owner] = wait
        next_reply_read[owner] = node.now() + wait
    except RPCError as err:
        log(f"relay to {owner}: {err}")
    finally:
        relay_busy.discard(("to", owner))


async def serve_mailbox(peer: str) -> None:
    """Append the sends `peer` relays to us (each once), and write back their offsets."""
    try:
        box = await lin_kv.read(mailbox(node.node_id, peer), [])
        # A mailbox that does not change (a dead peer's, or one with nothing new): read it
        # less and less often, down to every REPLY_MAX.
        same = box == last_box.get(peer)
        last_box[peer] = box
        mail_wait[peer] = min(2 * mail_wait.get(peer, RELAY_EVERY), REPLY_MAX) if same \
            else RELAY_EVERY
        next_mail_read[peer] = node.now() + mail_wait[peer]
        await asyncio.gather(*(append_once(key, value, rid) for rid, key, value in box))
        answers = {r[0]: handled[r[0]] for r in box if r[0] in handled}
        if answers != answered.get(peer, {}):
            await lin_kv.write(reply_box(node.node_id, peer), answers)
            answered[peer] = answers
    except RPCError as err:
        log(f"mailbox of {peer}: {err}")
    finally:
        relay_busy.discard(("from", peer))


if __name__ == "__main__":
    node.run()
