"""What the report files need from a history: completed client ops with their latency, the
fault periods the nemesis ops mark (partitions; kills and pauses, overall and per node), and
a short printable form of any value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from .. import edn
from ..history import NEMESIS, pairs

# Jepsen's perf colours, used by every file the report writes (jepsen/checker/perf.clj).
TYPE_COLOURS = {"ok": "#81BFFC", "info": "#FFA400", "fail": "#FF1E90"}
PARTITION_COLOUR = "#E9DCA0"
# kill and pause as Jepsen's combined nemesis package colours them
FAULT_COLOURS = {"partition": PARTITION_COLOUR, "kill": "#E9A4A0", "pause": "#A0B1E9"}
Period = tuple[Any, ...]  # (start s, stop s) of a partition, or (start s, stop s, fault)


@dataclass(frozen=True, slots=True)
class Done:
    """One completed client op: invoked at `start` s, took `latency` ms, ended as `type`."""

    start: float
    end: float
    latency: float
    type: str
    f: str


def completed(history: Iterable[dict[str, Any]]) -> list[Done]:
    """Every client op that completed, in invocation order (times in seconds)."""
    out = []
    for inv, done in pairs(history):
        if done is None:
            continue
        out.append(Done(inv["time"] / 1e9, done["time"] / 1e9,
                        (done["time"] - inv["time"]) / 1e6, done["type"], str(inv["f"])))
    return out


def partition_periods(history: Iterable[dict[str, Any]],
                      end: float | None = None) -> list[tuple[float, float]]:
    """(start s, stop s) of each partition: from the first start-partition op to the
    completion of the stop-partition that follows it (each nemesis op is recorded twice,
    invoked and completed; a later stop, such as the heal before the final phase, heals
    nothing more). A partition never stopped lasts until `end` (or the history's last op)."""
    periods: list[tuple[float, float]] = []
    opened: float | None = None
    closing: float | None = None
    stops = 0  # stop-partition ops seen since the partition opened
    last = 0.0
    for op in history:
        t = op["time"] / 1e9
        last = max(last, t)
        if op.get("process") != NEMESIS:
            continue
        f = op.get("f")
        if f == "start-partition" and opened is None:
            opened, closing, stops = t, None, 0
        elif f == "stop-partition" and opened is not None:
            closing, stops = t, stops + 1
            if stops == 2:
                periods.append((opened, closing))
                opened = closing = None
    if opened is not None:
        periods.append((opened, closing if closing is not None else max(end or 0.0, last)))
    return periods


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text(value: Any, limit: int = 200) -> str:
    """`value` printed as EDN (any shape; unknown types fall back to repr), at most `limit`
    characters, with characters XML cannot hold replaced."""
    if isinstance(value, list) and len(value) > limit:
        value = value[:limit]  # the rest would be cut anyway
    try:
        s = edn.dumps(value)
    except (TypeError, ValueError, RecursionError):
        s = repr(value)
    if len(s) > limit:
        s = s[:max(0, limit - 1)] + "…"
    return clean(s)


def clean(s: str) -> str:
    """`s` with the characters XML 1.0 cannot hold replaced by U+FFFD."""
    return _XML_BAD.sub("\ufffd", s)


def _acted(op: dict[str, Any], word: str) -> bool:
    """Whether a kill/start/pause/resume completion did `word` to some node."""
    value = op.get("value")
    return isinstance(value, dict) and any(str(v) == word for v in value.values())


def fault_periods(history: Iterable[dict[str, Any]], end: float | None = None) -> list[Period]:
    """Every fault's periods, (start s, stop s, fault): partitions, and for kill and pause
    from a completion that killed (paused) a node to the next that started (resumed) one."""
    ops = list(history)
    periods: list[Period] = [(a, b, "partition") for a, b in partition_periods(ops, end)]
    last = max((op["time"] for op in ops), default=0) / 1e9
    for fault, strike, struck, heal, healed in (("kill", "kill", "killed", "start", "started"),
                                                ("pause", "pause", "paused", "resume",
                                                 "resumed")):
        opened: float | None = None
        nemesis = [op for op in ops if op.get("process") == NEMESIS and op.get("f") in
                   (strike, heal)]
        for op in nemesis[1::2]:  # completions
            t = op["time"] / 1e9
            if op["f"] == strike and opened is None and _acted(op, struck):
                opened = t
            elif op["f"] == heal and opened is not None and _acted(op, healed):
                periods.append((opened, t, fault))
                opened = None
        if opened is not None:
            periods.append((opened, max(end or 0.0, last), fault))
    return periods


def node_periods(history: Iterable[dict[str, Any]], end: float) -> dict[str, list[Period]]:
    """Per node, when it was down (killed) or paused: (start s, stop s, fault)."""
    out: dict[str, list[Period]] = {}
    opened: dict[tuple[str, str], float] = {}
    strikes = {"kill": ("kill", "killed"), "start": ("kill", None),
               "pause": ("pause", "paused"), "resume": ("pause", None)}
    nemesis = [op for op in history if op.get("process") == NEMESIS and op.get("f") in strikes]
    for op in nemesis[1::2]:  # completions
        fault, struck = strikes[op["f"]]
        value = op.get("value")
        if not isinstance(value, dict):
            continue
        t = op["time"] / 1e9
        for node, result in value.items():
            node, result = str(node), str(result)
            if struck is not None and result == struck:
                opened.setdefault((node, fault), t)
            elif struck is None and result in ("started", "resumed") \
                    and (node, fault) in opened:
                out.setdefault(node, []).append((opened.pop((node, fault)), t, fault))
    for (node, fault), t in opened.items():
        out.setdefault(node, []).append((t, end, fault))
    return out
