"""Maelstrom's services (Maelstrom's src/maelstrom/service.clj): `lin-kv`, `seq-kv`, `lww-kv` and
`lin-tso`.

Each service is a network participant that every node can reach. It handles one request at a
time in arrival order, answers the request's `src` with `in_reply_to` = the request's
`msg_id` and no `msg_id` of its own, and is never partitioned. Its traffic is node<->service,
so it gets server latency both ways and counts as server messages.

    {"type": "read",  "key": k}                      -> {"type": "read_ok", "value": v}
    {"type": "write", "key": k, "value": v}          -> {"type": "write_ok"}
    {"type": "cas",   "key": k, "from": a, "to": b}  -> {"type": "cas_ok"}
        (+ "create_if_not_exists": any value but null/false: a missing key is created with b)
    errors: 20 key-does-not-exist, 22 precondition-failed (both definite)
    lin-tso: {"type": "ts"} -> {"type": "ts_ok", "ts": 0, 1, 2, ...}

As in Maelstrom's service.clj, the key-value semantics live in one pure state machine,
`kv_step(state, body) -> (state', reply)`, and the consistency models are wrappers that choose
which state a request sees:

* `Linearizable`: one state; every request is applied to it in arrival order.
* `Sequential` (seq-kv): the last 32 states in a ring, and per requester the index of the
  last state it saw. A request runs against a random state no older than that index; if it
  changes nothing (reads, failed cas, a write of the value already there) that answer
  stands and the requester stays at the stale state; otherwise it is re-run against the
  newest state and appended. So reads lag arbitrarily behind other requesters' writes, but
  never go backwards for one requester, and a requester that changes state moves to the
  newest state.
* `TwoReplicas` (lww-kv): two maps that never exchange anything; each request goes to one of
  them at random.

Bug-compatibility (service.clj's sequential and eventual wrappers, as they run), chosen because a
node must never pass here
and fail under Maelstrom:
* seq-kv keeps Maelstrom's modular ring addressing: a requester more than 32 states behind
  is shown some retained state by wrap-around while its stale index is remembered, so its
  next request may see an older state than the last one.
* lww-kv has Maelstrom's two replicas that never merge (its docs say five replicas that
  merge by timestamp): a read after a write sees it about half of the time, concurrent
  writes to the two replicas both survive and stay divergent forever, and cas ignores
  `create_if_not_exists` (error 20 on a missing key).
"""

from __future__ import annotations

import json
import logging
import random
from collections import deque
from typing import Any, Callable, Protocol

from .message import Body, Message
from .network import Network, UnknownParticipant

log = logging.getLogger("maelstrom.service")

KEY_DOES_NOT_EXIST = 20
PRECONDITION_FAILED = 22
RING_SIZE = 32  # seq-kv's ring buffer of states

KV = dict[str, Any]  # canonical key -> value; treated as immutable: a change makes a new dict


class BadRequest(Exception):
    """Raised for a request a service cannot handle; it is logged and gets no reply."""


def truthy(value: Any) -> bool:
    """Clojure's truthiness, which Maelstrom's service.clj applies to create_if_not_exists:
    everything but null and false, so "yes", 0, "" and [] all create the key."""
    return value is not None and value is not False


def canonical(value: Any) -> str:
    """Type-sensitive structural identity of a JSON value (1, 1.0, true and "1" differ, map
    key order does not matter), as Clojure's `=` on parsed JSON."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _error(code: int, text: str) -> Body:
    return {"type": "error", "code": code, "text": text}


# ---- the pure key-value machine ------------------------------------------------------------


def kv_step(state: KV, body: Body, in_place: bool = False) -> tuple[KV, Body]:
    """Apply one request to `state`: (the new state, the reply body). The same object is
    returned when nothing changed; a change makes a new map, or with `in_place` (for a
    service that keeps no older states) changes `state` itself. BadRequest for anything but
    read/write/cas."""
    kind = body.get("type")
    key = canonical(body.get("key"))
    if kind == "read":
        if key not in state:
            return state, _error(KEY_DOES_NOT_EXIST, "key does not exist")
        return state, {"type": "read_ok", "value": state[key]}
    if kind == "write":
        value = body.get("value")
        if key in state and canonical(state[key]) == canonical(value):
            return state, {"type": "write_ok"}
        return _set(state, key, value, in_place), {"type": "write_ok"}
    if kind == "cas":
        to = body.get("to")
        if key not in state:
            if truthy(body.get("create_if_not_exists")):
                return _set(state, key, to, in_place), {"type": "cas_ok"}
            return state, _error(KEY_DOES_NOT_EXIST, "key does not exist")
        current = state[key]
        if canonical(current) != canonical(body.get("from")):
            return state, _error(PRECONDITION_FAILED, f"current value {canonical(current)} is "
                                                      f"not {canonical(body.get('from'))}")
        if canonical(current) == canonical(to):
            return state, {"type": "cas_ok"}
        return _set(state, key, to, in_place), {"type": "cas_ok"}
    raise BadRequest(f"unknown request type {kind!r}")


def _set(state: KV, key: str, value: Any, in_place: bool) -> KV:
    if in_place:
        state[key] = value
        return state
    return {**state, key: value}


# ---- consistency wrappers -------------------------------------------------------------------


class Service(Protocol):
    def handle(self, src: str, body: Body) -> Body:
        """The reply body for one request from `src` (BadRequest: no reply)."""


class Linearizable:
    """lin-kv: one state, requests applied atomically in arrival order."""

    def __init__(self) -> None:
        self.state: KV = {}

    def handle(self, src: str, body: Body) -> Body:
        self.state, reply = kv_step(self.state, body, in_place=True)
        return reply


class Sequential:
    """seq-kv: a ring of the last 32 states and a per-requester floor (see module doc)."""

    def __init__(self, rng: random.Random, size: int = RING_SIZE) -> None:
        self.rng = rng
        self.states: deque[KV] = deque([{}], maxlen=size)
        self.last = 0  # index of the newest state; the empty map is index 0
        self.seen: dict[str, int] = {}  # requester -> index of the last state it interacted with

    def state_at(self, idx: int) -> KV:
        """Maelstrom's addressing: offset idx - last - 1 from the newest, modulo the states
        held (so an index that fell out of the ring wraps onto a retained state)."""
        return self.states[(idx - self.last - 1) % len(self.states)]

    def handle(self, src: str, body: Body) -> Body:
        idx = self.rng.randint(self.seen.get(src, 0), self.last)
        chosen = self.state_at(idx)
        after, reply = kv_step(chosen, body)
        if after is chosen:
            self.seen[src] = idx
            return reply
        # As Maelstrom: the newest state's result is appended even if it changed nothing
        # there (e.g. a cas that held on the stale state but not on the newest).
        after, reply = kv_step(self.states[-1], body)
        self.states.append(after)
        self.last += 1
        self.seen[src] = self.last
        return reply


class TwoReplicas:
    """lww-kv as Maelstrom runs it: two never-merging maps, one picked at random per request;
    cas ignores create_if_not_exists."""

    def __init__(self, rng: random.Random, replicas: int = 2) -> None:
        self.rng = rng
        self.replicas: list[KV] = [{} for _ in range(replicas)]

    def handle(self, src: str, body: Body) -> Body:
        i = self.rng.randrange(len(self.replicas))
        if body.get("type") == "cas":
            body = {k: v for k, v in body.items() if k != "create_if_not_exists"}
        self.replicas[i], reply = kv_step(self.replicas[i], body, in_place=True)
        return reply


class TimestampOracle:
    """lin-tso: 0, 1, 2, ... across all requesters."""

    def __init__(self) -> None:
        self.next_ts = 0

    def handle(self, src: str, body: Body) -> Body:
        if body.get("type") != "ts":
            raise BadRequest(f"unknown request type {body.get('type')!r}")
        ts, self.next_ts = self.next_ts, self.next_ts + 1
        return {"type": "ts_ok", "ts": ts}


# ---- on the network ---------------------------------------------------------------------------


def make_services(rng: random.Random) -> dict[str, Service]:
    """The four services by id, each with its own RNG drawn from `rng`."""
    return {
        "lin-kv": Linearizable(),
        "seq-kv": Sequential(random.Random(rng.getrandbits(64))),
        "lww-kv": TwoReplicas(random.Random(rng.getrandbits(64))),
        "lin-tso": TimestampOracle(),
    }


def _deliverer(network: Network, service_id: str, service: Service) -> Callable[[Message], None]:
    def deliver(msg: Message) -> None:
        body = msg.body if isinstance(msg.body, dict) else {}
        try:
            if not isinstance(msg.body, dict):
                raise BadRequest(f"body is not a JSON object: {msg.body!r}")
            reply = service.handle(msg.src, body)
        except BadRequest as err:
            log.warning("Error in service worker! %s: %s; request %s from %s gets no reply",
                        service_id, err, json.dumps(msg.body), msg.src)
            return
        # As Maelstrom: in_reply_to is the request's msg_id, null when it had none.
        reply = dict(reply, in_reply_to=body.get("msg_id"))
        try:
            network.send(service_id, msg.src, reply)
        except UnknownParticipant as err:
            log.warning("%s could not answer %s: %s", service_id, msg.src, err)
    return deliver


def register_all(network: Network, rng: random.Random,
                 services: dict[str, Service] | None = None) -> dict[str, Service]:
    """Put the services on `network` (before any node starts); returns them by id."""
    services = make_services(rng) if services is None else services
    for service_id, service in services.items():
        network.register(service_id, _deliverer(network, service_id, service))
    return services
