"""The network journal: every send and every delivery, and the :net statistics (Maelstrom's
src/maelstrom/net/journal.clj, net/checker.clj)."""

from __future__ import annotations

import bisect
import collections
import json
from pathlib import Path
from typing import Any, Iterator

from .message import Message

SEND = "send"
RECV = "recv"
# Requests a client sends for the test's setup, not for an op: the db's init and the
# broadcast client's topology (Maelstrom's db.clj, workload/broadcast.clj setup!).
SETUP_TYPES = frozenset({"init", "topology"})


class Journal:
    """Append-only list of (event id, time ns, type, message); counts kept as it grows."""

    def __init__(self) -> None:
        self.events: list[tuple[int, int, str, Message]] = []
        # [all, clients, servers] x [send, recv]
        self._counts = {"all": [0, 0], "clients": [0, 0], "servers": [0, 0]}
        self._all, self._clients, self._servers = (self._counts[k] for k in
                                                    ("all", "clients", "servers"))

    def record(self, time_ns: int, kind: str, msg: Message, with_client: bool | None = None
               ) -> None:
        """One event; `with_client`: whether a client is at either end, if already known."""
        self.events.append((len(self.events), time_ns, kind, msg))
        slot = 0 if kind == SEND else 1
        self._all[slot] += 1
        if msg.with_client if with_client is None else with_client:
            self._clients[slot] += 1
        else:
            self._servers[slot] += 1

    def counts(self) -> dict[str, tuple[int, int]]:
        """{'all'|'clients'|'servers': (sends, recvs)} so far (cheap; for progress lines)."""
        return {k: (v[0], v[1]) for k, v in self._counts.items()}

    def net_stats(self, op_count: int) -> dict[str, Any]:
        """The results' :net map. msg-count is the number of distinct message ids."""
        ids: dict[str, set[int]] = {"all": set(), "clients": set(), "servers": set()}
        for _, _, _, msg in self.events:
            ids["all"].add(msg.id)
            side = "clients" if msg.with_client else "servers"
            ids[side].add(msg.id)
        out: dict[str, Any] = {}
        for side in ("all", "clients", "servers"):
            sends, recvs = self._counts[side]
            entry: dict[str, Any] = {"send-count": sends, "recv-count": recvs,
                                     "msg-count": len(ids[side])}
            if side != "clients" and op_count:
                entry["msgs-per-op"] = _single(len(ids[side]) / op_count)
            out[side] = entry
        out["valid?"] = True
        return out

    def write(self, path: Path) -> None:
        """JSON lines: {"event":…, "time":…, "type":"send"|"recv", "message":{…}}."""
        with path.open("w") as f:
            for event_id, time_ns, kind, msg in self.events:
                f.write(f'{{"event":{event_id},"time":{time_ns},"type":"{kind}",'
                        f'"message":{msg.to_json()}}}\n')

    def __iter__(self) -> Iterator[tuple[int, int, str, Message]]:
        return iter(self.events)


def requests_in_time(path: Path, timeout: float,
                     pauses: dict[str, list[tuple[float, bool]]] | None = None,
                     stops: dict[str, list[float]] | None = None, margin: float = 0.0
                     ) -> tuple[collections.Counter[str], collections.Counter[str]]:
    """The ops' client requests of each message type in the journal file `path` that reached
    a node (were handed to a running process: the network holds what is sent to a paused
    node and loses what is sent to a dead one) less than `timeout` seconds after they were
    sent, while their client still waited, and that the node then had `margin` seconds to
    answer, before its next stop by `stops` (node -> times it was killed or paused) and
    within the client's patience; and of those, the ones that had not waited through a pause
    of `timeout` seconds or more, by `pauses` (node -> time-ordered (seconds, paused?)
    changes). A type missing from the first is one no node program could have answered in
    time (taking `margin` to answer), whatever it did; one missing from the second only a
    node that answers requests it cannot tell from ones whose clients left (after such a
    stall a request may be of any age up to the stall's length, and answering a client that
    left mutes the node)."""
    pauses = pauses or {}
    stops = stops or {}
    sent: dict[int, int] = {}
    reached: collections.Counter[str] = collections.Counter()
    unheld: collections.Counter[str] = collections.Counter()
    limit = timeout * 1e9
    with path.open() as f:
        for line in f:
            if '"src":"c' not in line:  # a cheap filter: node-to-node and node-to-client
                continue
            event = json.loads(line)
            msg = event["message"]
            body = msg["body"]
            if msg["src"][:1] != "c" or msg["dest"][:1] == "c" or not isinstance(body, dict) \
                    or body.get("type") in SETUP_TYPES:
                continue
            if event["type"] == SEND:
                sent[msg["id"]] = event["time"]
                continue
            at = sent.get(msg["id"], event["time"])
            if event["time"] - at >= limit:
                continue
            got = event["time"] / 1e9
            if margin > 0 and (got + margin > (at + limit) / 1e9
                               or _stops_within(stops.get(msg["dest"], []), got, margin)):
                continue
            kind = str(body.get("type"))
            reached[kind] += 1
            paused_at = _paused_since(pauses.get(msg["dest"], []), at / 1e9)
            if paused_at is None or got - paused_at < timeout:
                unheld[kind] += 1
    return reached, unheld


def _stops_within(times: list[float], t: float, margin: float) -> bool:
    """Whether one of the (sorted) stop `times` falls in [t - margin, t + margin): a stop
    just before a delivery counts too, since the nemesis logs a kill or pause as it begins
    and the process stops a moment later."""
    i = bisect.bisect_left(times, t - margin)
    return i < len(times) and times[i] < t + margin


def _paused_since(changes: list[tuple[float, bool]], t: float) -> float | None:
    """When the pause that holds a node at time `t` began, or None if it was not paused."""
    since = None
    for at, paused in changes:
        if at > t:
            break
        since = at if paused else None
    return since


def _single(x: float) -> float:
    """Round as a Java float prints: about 7 significant digits."""
    return float(f"{x:.7g}")
