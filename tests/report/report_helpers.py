"""Small histories and journals for the report tests."""

from __future__ import annotations

import random
from typing import Any

from workbench.edn import Keyword
from workbench.message import Message

NS = 1_000_000_000


def history(n: int = 200, span: float = 4.0, partitions: tuple = ((1.0, 2.0),),
            seed: int = 3, values: Any = None) -> list[dict]:
    """`n` sequential ops spread over `span` s on 3 processes, every outcome, values of many
    shapes, and the nemesis ops of each (start, stop) partition period."""
    rng = random.Random(seed)
    timed: list[tuple[int, dict]] = []
    shapes = values or [7, "text", [1, [2, 3]], {"k": [1, None]}, None, {"x", "y"},
                        [["r", 1, None], ["w", 2, 3]]]
    for p in range(3):
        t = 0
        for i in range(n // 3):
            t += int(rng.uniform(0.5, 1.5) * span / (n // 3) * NS)
            f = ("read", "write", "cas")[i % 3]
            kind = ("ok", "ok", "ok", "fail", "info")[i % 5]
            value = shapes[i % len(shapes)]
            lat = int(rng.uniform(0.1, 30) * 1e6)
            timed.append((t, {"type": "invoke", "process": p, "f": f, "value": value}))
            done = {"type": kind, "process": p, "f": f, "value": value}
            if kind != "ok":
                done["error"] = [Keyword("timeout"), "took too long"]
            timed.append((t + lat, done))
            t += lat
    for a, b in partitions:
        for t, f, v in ((a, "start-partition", Keyword("majority")),
                        (a + 0.001, "start-partition", [Keyword("isolated"), {"n1": ["n2"]}]),
                        (b, "stop-partition", None),
                        (b + 0.001, "stop-partition", Keyword("network-healed"))):
            timed.append((int(t * NS), {"type": "info", "process": "nemesis", "f": f,
                                        "value": v}))
    timed.sort(key=lambda x: x[0])
    return [dict(op, index=i, time=t) for i, (t, op) in enumerate(timed)]


class FakeJournal:
    """Journal-shaped: events of (id, time ns, "send"|"recv", Message)."""

    def __init__(self) -> None:
        self.events: list[tuple[int, int, str, Message]] = []
        self._ids = 0

    def message(self, src: str, dest: str, body: dict, deliver: bool = True) -> Message:
        msg = Message(self._ids, src, dest, body)
        self._ids += 1
        self.add("send", msg)
        if deliver:
            self.add("recv", msg)
        return msg

    def add(self, kind: str, msg: Message) -> None:
        self.events.append((len(self.events), len(self.events) * 1000, kind, msg))
