"""kafka (Maelstrom's src/maelstrom/workload/kafka.clj): append-only logs identified by string
keys, read by polling consumers.

    {"type": "send", "key": "3", "msg": 7}                -> {"type": "send_ok", "offset": 12}
    {"type": "poll", "offsets": {"3": 10}}                -> {"type": "poll_ok",
                                                              "msgs": {"3": [[10, 5], [12, 7]]}}
    {"type": "commit_offsets", "offsets": {"3": 12}}      -> {"type": "commit_offsets_ok"}
    {"type": "list_committed_offsets", "keys": ["3"]}     -> {"type": "list_committed_offsets_ok",
                                                              "offsets": {"3": 12}}

Each key is a log; offsets are unique per key and increase in send order (gaps allowed). A poll
for {"k": o} returns a contiguous run of k's messages starting at offset o (keys with nothing
may be omitted). The committed offset is the highest offset a client has processed.

Ops: `send [[:send k v]]`, `poll [[:poll]]`, `assign [k ...]` (with `:seek-to-beginning?` in the
final phase) and `crash` (the client is thrown away). The client keeps the next offset to poll
per assigned key and commits the highest polled offsets after a poll; a failed commit fails the
whole op. The checker (workbench/checkers/kafka/) reports Maelstrom's error types:
:inconsistent-offsets :duplicate :lost-write :G1a :poll-skip :nonmonotonic-poll :int-poll-skip
:int-nonmonotonic-poll :nonmonotonic-send :unseen and write-read cycles (:G1c-realtime).
"""

from __future__ import annotations

import math
import random
from typing import Any

from .. import generator as gen
from ..checkers.kafka import check
from ..client import Client, Reply, is_int, is_str, list_or_nil, map_of, with_errors
from ..edn import Keyword
from ..history import Op
from . import Workload

SEND, POLL = Keyword("send"), Keyword("poll")
IDEMPOTENT = frozenset({"assign"})
# the op each client request serves, where the names differ (workloads.request_fs)
REQUEST_FS = {"list_committed_offsets": "assign", "commit_offsets": "poll"}
SUB_P = 1 / 64  # probability of an assign instead of the next op
UNSEEN_P = 1 / 3  # probability that an assign also takes the keys with unseen sends
CRASH_INTERVAL = 30.0  # each client crashes about this often (s)
FINAL_LIMIT = 10.0  # the final phase ends this long after its first op (s)
FINAL_POLL_DT = 0.2


def _pair(x: Any) -> bool:
    return isinstance(x, list) and len(x) == 2 and is_int(x[0])


SEND_OK = Reply("send_ok", {"offset": is_int}, "the offset assigned to the message")
# Maelstrom's kafka.clj: `:msgs {Key [OffsetMessage]}`. The map itself must be a map, but each
# key's vector schema accepts nil: a null list is an ok poll that returned nothing for that key
# (recorded as null, as Maelstrom's history does). A null pair is still malformed.
POLL_OK = Reply("poll_ok", {"msgs": map_of(is_str, list_or_nil(_pair))},
                "a map of keys to [[offset, msg], ...] runs starting at the requested offsets")
COMMIT_OK = Reply("commit_offsets_ok", {}, "an acknowledgement")
LIST_OK = Reply("list_committed_offsets_ok", {"offsets": map_of(is_str, is_int)},
                "a map of keys to committed offsets (unknown keys may be omitted)")
RPCS = {"send": SEND_OK, "poll": POLL_OK, "commit_offsets": COMMIT_OK,
        "list_committed_offsets": LIST_OK}


class KafkaClient:
    """One Maelstrom client: `offsets` maps each assigned key to the next offset to poll."""

    def __init__(self) -> None:
        self.offsets: dict[str, int] = {}

    async def invoke(self, rpc: Client, op: Op) -> Op:
        if op["f"] == "crash":
            return dict(op, type="info")
        return await with_errors(op, IDEMPOTENT, self._invoke(rpc, op))

    async def _invoke(self, rpc: Client, op: Op) -> Op:
        f, value = op["f"], op["value"]
        if f == "assign":
            if op.get("seek-to-beginning?"):
                self.offsets = {k: 0 for k in value}
            else:
                body = await rpc.call({"type": "list_committed_offsets", "keys": list(value)},
                                      reply=LIST_OK)
                committed = body["offsets"]
                self.offsets = {k: self.offsets[k] if k in self.offsets
                                else committed.get(k, 0) for k in value}
            return dict(op, type="ok")
        mop = value[0]
        if mop[0] == "poll":
            body = await rpc.call({"type": "poll", "offsets": dict(self.offsets)}, reply=POLL_OK)
            msgs = body["msgs"]
            commit: dict[str, int] = {}
            for k, pairs in msgs.items():
                top = max((p[0] for p in pairs or ()), default=-1)
                self.offsets[k] = max(self.offsets.get(k, top + 1), top + 1)
                if pairs:
                    commit[k] = max(0, top)
            done = [[POLL, msgs]]
        else:
            k, msg = mop[1], mop[2]
            body = await rpc.call({"type": "send", "key": k, "msg": msg}, reply=SEND_OK)
            done, commit = [[SEND, k, [body["offset"], msg]]], {}
        if commit:  # Maelstrom's client commits what it polled before the op completes
            await rpc.call({"type": "commit_offsets", "offsets": commit}, reply=COMMIT_OK)
        return dict(op, type="ok", value=done)


# ---- generators -----------------------------------------------------------------------------


def _int_key(k: Any) -> int | None:
    try:
        return int(k)
    except (TypeError, ValueError):
        return None


def max_offsets(op: Op) -> dict[int, int]:
    """Jepsen's op->max-offsets for an :ok/:info op: highest offset per (integer) key sent or
    polled; a key polled with an empty list counts as -1."""
    out: dict[int, int] = {}
    if op["type"] not in ("ok", "info") or not isinstance(op.get("value"), list):
        return out
    for mop in op["value"]:
        if not isinstance(mop, list) or not mop:
            continue
        if mop[0] == "poll" and op["f"] in ("poll", "txn") and len(mop) > 1 \
                and isinstance(mop[1], dict):
            for k, pairs in mop[1].items():
                top = max((p[0] for p in pairs or () if p[0] is not None), default=-1)
                ik = _int_key(k)
                if ik is not None:
                    out[ik] = max(out.get(ik, top), top)
        elif mop[0] == "send" and op["f"] in ("send", "txn") and len(mop) > 2 \
                and isinstance(mop[2], list) and mop[2] and mop[2][0] is not None:
            ik = _int_key(mop[1])
            if ik is not None:
                out[ik] = max(out.get(ik, 0), mop[2][0])
    return out


class WrTxns:
    """Elle's wr-txns with one micro-op per txn: reads and writes on a sliding key window,
    keys chosen exponentially (newest hottest), each key retired after max-writes writes."""

    def __init__(self, rng: random.Random, key_count: int, max_writes: int) -> None:
        self.rng = rng
        self.active = list(range(key_count))
        self.next_write: dict[int, int] = {}
        self.max_writes = max_writes
        self.scale = (2 ** key_count - 1) * 2

    def next(self) -> tuple[str, int, int | None]:
        rng = self.rng
        while True:
            write = rng.random() < 0.5
            i = min(len(self.active) - 1,
                    int(math.floor(math.log2(rng.random() * self.scale + 2) - 1)))
            k = self.active[i]
            if not write:
                return "r", k, None
            c = self.next_write.get(k, 1)
            if c > self.max_writes:
                self.active[i] = max(self.active) + 1
                continue
            self.next_write[k] = c + 1
            return "w", k, c


class KafkaGenerator(gen.Stream):
    """The main phase: sends and polls, occasional assigns (some widened to keys with unseen
    sends), and a crash stream staggered at 30 s / concurrency. Every op draws the same
    number of values from the workload stream, and crash times come from a stream of their
    own, so the sends and polls are the same for a seed whatever the timing."""

    def __init__(self, opts: Any, rng: random.Random) -> None:
        super().__init__(lambda r: {}, rng)
        self.txns = WrTxns(rng, opts.key_count or 10, opts.max_writes_per_key)
        self.crash_rng = random.Random(rng.getrandbits(64))
        self.crash_dt = CRASH_INTERVAL / opts.concurrency
        self.next_crash: float | None = None
        self.pending: tuple[Op, int] | None = None
        self.sent: dict[int, int] = {}
        self.polled: dict[int, int] = {}
        self.max_offsets: dict[int, int] = {}  # read by the final phase

    def next_op(self, ctx: gen.Context) -> Op:
        return self.at(ctx.time)

    def at(self, now: float) -> Op:
        """The next op when asked at run time `now`."""
        if self.next_crash is None:
            self.next_crash = now
        if now >= self.next_crash:
            self.next_crash += self.crash_rng.uniform(0, 2 * self.crash_dt)
            return {"f": "crash", "value": None}
        if self.pending is None:
            f, k, v = self.txns.next()
            op = ({"f": "poll", "value": [[POLL]]} if f == "r"
                  else {"f": "send", "value": [[SEND, str(k), v]]})
            self.pending = (op, k)
        op, k = self.pending
        if self.rng.random() >= SUB_P:  # else an assign comes first and the op stays pending
            self.pending = None
            return op
        assign: Op = {"f": "assign", "value": [str(k)]}
        widen = self.rng.random() < UNSEEN_P
        if self.sent and widen:
            keys = list(dict.fromkeys([*self.sent, k]))
            assign["value"] = [str(x) for x in keys]
            assign["unseen"] = {x: {"polled": self.polled.get(x, -1), "sent": self.sent[x]}
                                for x in sorted(self.sent)}
        return assign

    def update(self, ctx: gen.Context | None, thread: gen.Thread | None,
               completion: Op) -> None:
        if completion["type"] != "ok":
            return
        offsets = max_offsets(completion)
        for k, o in offsets.items():
            self.max_offsets[k] = max(self.max_offsets.get(k, o), o)
        if completion["f"] in ("send", "txn"):
            for k, o in offsets.items():
                self.sent[k] = max(self.sent.get(k, o), o)
        if completion["f"] in ("poll", "txn"):
            for k, o in offsets.items():
                self.polled[k] = max(self.polled.get(k, o), o)
        for k in set(self.sent) | set(self.polled):  # drop keys we have caught up on
            if self.polled.get(k, -1) >= self.sent.get(k, -1):
                self.sent.pop(k, None)
                self.polled.pop(k, None)


class FinalPolls(gen.EachThread):
    """Per thread: crash, assign every known key from the beginning, then poll (each poll a
    uniform [0, 0.4) s after the previous one was due) until this thread's polls reached
    every key's highest offset known when the phase began; nothing after 10 s."""

    def __init__(self, main: KafkaGenerator, rng: random.Random) -> None:
        super().__init__(lambda thread: _FinalThread(self))
        self.main = main
        self.rng = rng
        self.start: float | None = None
        self.snapshot: dict[int, int] = {}

    def begin(self, now: float) -> None:
        if self.start is None:
            self.start = now
            self.snapshot = dict(sorted(self.main.max_offsets.items()))


class _FinalThread(gen.Base):
    def __init__(self, polls: FinalPolls) -> None:
        self.polls = polls
        self.targets: dict[int, int] | None = None
        self.step = 0
        self.next_due: float | None = None

    def op(self, ctx: gen.Context) -> gen.Answer:
        polls = self.polls
        polls.begin(ctx.time)
        assert polls.start is not None
        if self.targets is None:
            self.targets = dict(polls.snapshot)
        if not self.targets or ctx.time >= polls.start + FINAL_LIMIT:
            return None
        if not ctx.free:
            return gen.PENDING
        thread = ctx.free[0]
        if self.step == 0:
            return gen.Emit(ctx.time, thread, {"f": "crash", "value": None})
        if self.step == 1:
            return gen.Emit(ctx.time, thread, {"f": "assign",
                                               "value": [str(k) for k in polls.snapshot],
                                               "seek-to-beginning?": True})
        due = ctx.time if self.next_due is None else max(ctx.time, self.next_due)
        if due >= polls.start + FINAL_LIMIT:
            return None
        return gen.Emit(due, thread, {"f": "poll", "value": [[POLL]], "poll-ms": 1000})

    def emitted(self, ctx: gen.Context, emit: gen.Emit) -> None:
        if self.step >= 2:
            self.next_due = emit.time + self.polls.rng.uniform(0, 2 * FINAL_POLL_DT)
        self.step += 1

    def update(self, ctx: gen.Context, thread: gen.Thread, completion: Op) -> None:
        if completion["type"] != "ok" or completion["f"] != "poll" or not self.targets:
            return
        for k, o in max_offsets(completion).items():
            if self.targets.get(k, -1) <= o:
                self.targets.pop(k, None)


def workload(opts: Any, rng: random.Random) -> Workload:
    main = KafkaGenerator(opts, rng)
    return Workload(name="kafka", client=KafkaClient, generator=main, check=check,
                    final_generator=FinalPolls(main, rng))
