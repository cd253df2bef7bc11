"""The simulated network (Maelstrom's src/maelstrom/net.clj): one deadline-ordered queue per
receiver, latency between
servers only, partitions as one-way drop rules checked when the receiver dequeues.

Delivery to one receiver is serial, as in Maelstrom: its deliverer takes the message with
the earliest deadline, drops it if the receiver is cut off from the sender at that moment,
else sleeps until the deadline and hands it over. Nothing is duplicated or reordered beyond
what the deadlines say.
"""

from __future__ import annotations

import asyncio
import contextvars
import heapq
import itertools
import logging
import random
from dataclasses import dataclass
from typing import Any, Callable

from .clock import Clock
from .journal import RECV, SEND, Journal
from .message import Message, with_id

DISTRIBUTIONS = ("constant", "uniform", "exponential")
log = logging.getLogger("maelstrom.net")


@dataclass(frozen=True)
class Latency:
    mean_ms: int = 0
    dist: str = "constant"

    def draw(self, rng: random.Random) -> float:
        """One latency in seconds. Mean 0 is 0 for every distribution (Maelstrom hangs or
        crashes there: net.clj)."""
        if self.mean_ms <= 0:
            return 0.0
        if self.dist == "constant":
            ms = self.mean_ms
        elif self.dist == "uniform":
            ms = rng.randrange(0, 2 * self.mean_ms)
        else:
            ms = int(rng.expovariate(1.0 / self.mean_ms))
        return ms / 1000.0


class UnknownParticipant(Exception):
    """Raised by `send` when src or dest is not registered."""

    def __init__(self, who: str, role: str, was_registered: bool) -> None:
        super().__init__(f"{role} {who!r} is not on the network"
                         + (" (it was, but has closed)" if was_registered else ""))
        self.who, self.role, self.was_registered = who, role, was_registered


class _Inbox:
    """One receiver's queue and its reader. The reader is either idle, or holding the
    message it dequeued (`holding`) until that message's deadline (`timer`)."""

    __slots__ = ("id", "deliver", "heap", "holding", "timer", "cost", "busy_until", "open",
                 "paused", "down", "delivering")

    def __init__(self, participant: str, deliver: Callable[[Message], None],
                 cost: float) -> None:
        self.id = participant
        self.deliver = deliver
        self.heap: list[tuple[float, int, Message]] = []
        self.holding: Message | None = None
        self.timer: asyncio.Handle | None = None
        self.cost = cost
        self.busy_until = 0.0
        self.open = True
        self.paused = False  # deliveries wait (a paused process reads nothing)
        self.down = False  # deliveries are lost (a killed process)
        self.delivering = False  # inside `deliver` (an inline hand-over waits for the loop)


class Network:
    """Participants, their inboxes, the partition table, and the journal of all traffic.

    A participant registered with a `cost` handles one message at a time and spends `cost`
    seconds on each before the next (a serial CPU): a message is delivered at its deadline
    plus that cost, later if the receiver is still busy with earlier ones. Real processes
    have cost 0 (their CPU is real); simulated nodes get a small one (see sim/node.py)."""

    def __init__(self, latency: Latency, rng: random.Random, journal: Journal,
                 clock: Clock) -> None:
        self.latency = latency
        self.rng = rng
        self.journal = journal
        self.clock = clock
        self.partitions: dict[str, set[str]] = {}
        self.log_send = False  # --log-net-send
        self.log_recv = False  # --log-net-recv
        self._inboxes: dict[str, _Inbox] = {}
        self._departed: set[str] = set()
        self._ids = itertools.count()
        self._seq = itertools.count()
        self._loop = clock.loop
        self._context = contextvars.copy_context()  # deliveries run as the network's, not
        # as whichever node's send happened to dequeue them
        # Real mode hands a message that is due at once (latency 0: clients, services) to its
        # receiver inside the send, instead of one loop turn later: the same order, without a
        # callback per message. A simulation keeps to the loop (its replay is byte for byte).
        self._inline = not clock.virtual

    # ---- membership ----------------------------------------------------------------------

    def register(self, participant: str, deliver: Callable[[Message], None],
                 cost: float = 0.0) -> None:
        self._inboxes[participant] = _Inbox(participant, deliver, cost)

    def unregister(self, participant: str) -> None:
        inbox = self._inboxes.pop(participant, None)
        if inbox is not None:
            self._departed.add(participant)
            inbox.open = False
            if inbox.timer is not None:
                inbox.timer.cancel()

    # ---- nodes that are paused or down (the kill and pause nemeses) ---------------------------

    def pause(self, participant: str) -> None:
        """Hold deliveries to `participant` until `resume` (a stopped process reads nothing;
        what is sent to it waits)."""
        self._inboxes[participant].paused = True

    def resume(self, participant: str) -> None:
        inbox = self._inboxes[participant]
        inbox.paused = False
        if inbox.holding is not None and inbox.timer is None:
            inbox.timer = self._loop.call_soon(self._release, inbox, context=self._context)

    def down(self, participant: str) -> None:
        """`participant`'s process is gone: what reaches it is lost (no recv event)."""
        self._inboxes[participant].down = True

    def up(self, participant: str) -> None:
        """A new process for `participant`: it starts with an empty queue, so nothing sent to
        an earlier incarnation reaches it."""
        inbox = self._inboxes[participant]
        if inbox.timer is not None:
            inbox.timer.cancel()
        inbox.heap.clear()
        inbox.holding = inbox.timer = None
        inbox.down = inbox.paused = False

    def is_registered(self, participant: str) -> bool:
        return participant in self._inboxes

    def close(self) -> None:
        for participant in list(self._inboxes):
            self.unregister(participant)

    # ---- partitions ----------------------------------------------------------------------

    def drop(self, src: str, dest: str) -> None:
        """From now on `dest` does not hear `src`."""
        self.partitions.setdefault(dest, set()).add(src)

    def heal(self) -> None:
        self.partitions.clear()

    # ---- traffic -------------------------------------------------------------------------

    def now_ns(self) -> int:
        return self.clock.now_ns()

    def send(self, src: str, dest: str, body: Any, line: str | None = None) -> Message:
        """Journal and enqueue one message; UnknownParticipant if either end is unknown.
        `line`: the JSON text the sender wrote for it, if it has no "id" (then that text,
        not a new encoding of the body, is what the receiver gets)."""
        if src not in self._inboxes:
            raise UnknownParticipant(src, "sender", src in self._departed)
        inbox = self._inboxes.get(dest)
        if inbox is None:
            raise UnknownParticipant(dest, "destination", dest in self._departed)
        msg_id = next(self._ids)
        msg = Message(msg_id, src, dest, body, None if line is None else with_id(msg_id, line))
        now = self._loop.time()
        client = src[:1] == "c" or dest[:1] == "c"  # is_client, inlined: this is hot
        delay = 0.0 if client else self.latency.draw(self.rng)
        self.journal.record(self.clock.now_ns(), SEND, msg, client)
        if self.log_send:
            log.info(":send %s", msg.to_json())
        heapq.heappush(inbox.heap, (now + delay, next(self._seq), msg))
        if inbox.holding is None:
            self._dequeue(inbox)
        return msg

    # ---- each receiver's reader ----------------------------------------------------------
    # As Maelstrom's net.clj: an idle reader takes the earliest-deadline message at once
    # (it does not wait for the deadline first), drops it if the receiver is cut off from
    # its sender at that moment, else holds it until its deadline and delivers it; then it
    # takes the next. So delivery to one receiver is serial, partitions are judged when a
    # message is dequeued, and a message cannot overtake one already being held.

    def _dequeue(self, inbox: _Inbox) -> None:
        heap = inbox.heap
        while heap:
            deadline, _, msg = heapq.heappop(heap)
            blocked = self.partitions.get(inbox.id)
            if blocked and msg.src in blocked:
                continue
            if inbox.cost:
                deadline = max(deadline, inbox.busy_until) + inbox.cost
                inbox.busy_until = deadline
            inbox.holding = msg
            if deadline <= self._loop.time():
                if self._inline and not inbox.delivering and not inbox.paused:
                    self._hand_over_inline(inbox)
                    if inbox.open and inbox.holding is None:
                        continue  # the next one, as _release would take it
                    return
                inbox.timer = self._loop.call_soon(self._release, inbox, context=self._context)
            else:
                inbox.timer = self._loop.call_at(deadline, self._release, inbox,
                                                 context=self._context)
            return

    def _release(self, inbox: _Inbox) -> None:
        msg = inbox.holding
        inbox.timer = None
        if not inbox.open or msg is None:
            return
        if inbox.paused:
            return  # held; resume() releases it
        try:
            self._hand_over(inbox)
        finally:
            if inbox.open and inbox.holding is None:
                self._dequeue(inbox)

    def _hand_over(self, inbox: _Inbox) -> None:
        """Deliver the held message (or lose it, if the receiver is down)."""
        msg = inbox.holding
        assert msg is not None
        inbox.holding = None
        if inbox.down:
            return
        self.journal.record(self.clock.now_ns(), RECV, msg)
        if self.log_recv:
            log.info(":recv %s", msg.to_json())
        inbox.delivering = True
        try:
            inbox.deliver(msg)
        finally:
            inbox.delivering = False

    def _hand_over_inline(self, inbox: _Inbox) -> None:
        """`_hand_over` inside the sender's call: what the receiver raises goes to the loop's
        exception handler, as it would from a callback, not to the sender."""
        try:
            self._hand_over(inbox)
        except Exception as err:  # noqa: BLE001 - reported as the loop reports a callback's
            self._loop.call_exception_handler({
                "message": f"Exception in delivery to {inbox.id}", "exception": err})
