"""What the report files need from a history: completed client ops with their latency, the
periods of every fault (partition, kill, pause, and any registered fault package: each read
from its package's Perf, workbench/nemesis/package.py), and a short printable form of any
value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from .. import edn
from ..history import NEMESIS, pairs
from ..nemesis import partition, registry
from ..nemesis.package import Perf

# Jepsen's perf colours, used by every file the report writes (jepsen/checker/perf.clj).
TYPE_COLOURS = {"ok": "#81BFFC", "info": "#FFA400", "fail": "#FF1E90"}
PARTITION_COLOUR = partition.COLOUR
OTHER_COLOUR = "#CCCCCC"  # a period of a fault no package names
Period = tuple[Any, ...]  # (start s, stop s) of a partition, or (start s, stop s, fault)


def fault_perf(fault: str) -> Perf | None:
    """The registered Perf named `fault` (its colour, key, title)."""
    return next((p for p in registry.perfs() if p.name == fault), None)


def fault_colour(fault: str, default: str = OTHER_COLOUR) -> str:
    p = fault_perf(fault)
    return p.colour if p is not None else default


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
    """(start s, stop s) of each partition (op_periods of start- and stop-partition)."""
    return op_periods(history, frozenset({"start-partition"}), frozenset({"stop-partition"}),
                      end)


def op_periods(history: Iterable[dict[str, Any]], start: frozenset[str], stop: frozenset[str],
               end: float | None = None) -> list[tuple[float, float]]:
    """(start s, stop s) of each period of a fault whose ops are `start` and `stop`: from the
    first start op to the completion of the stop op that follows it (each nemesis op is
    recorded twice, invoked and completed; a later stop, such as the heal before the final
    phase, heals nothing more). A period never stopped lasts until `end` (or the history's
    last op)."""
    periods: list[tuple[float, float]] = []
    opened: float | None = None
    closing: float | None = None
    stops = 0  # stop ops seen since the period opened
    last = 0.0
    for op in history:
        t = op["time"] / 1e9
        last = max(last, t)
        if op.get("process") != NEMESIS:
            continue
        f = op.get("f")
        if f in start and opened is None:
            opened, closing, stops = t, None, 0
        elif f in stop and opened is not None:
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


def _acted(op: dict[str, Any], word: str | None) -> bool:
    """Whether a completion did `word` (e.g. killed) to some node."""
    value = op.get("value")
    return isinstance(value, dict) and any(str(v) == word for v in value.values())


def fault_periods(history: Iterable[dict[str, Any]], end: float | None = None) -> list[Period]:
    """Every fault's periods, (start s, stop s, fault), in the registry's order: for a Perf
    without `struck` (a partition), op_periods; otherwise from a completion that did
    `struck` to a node (killed, paused) to the next that did `healed` to one."""
    ops = list(history)
    periods: list[Period] = []
    last = max((op["time"] for op in ops), default=0) / 1e9
    for p in registry.perfs():
        if p.struck is None:
            periods += [(a, b, p.name) for a, b in op_periods(ops, p.start, p.stop, end)]
            continue
        opened: float | None = None
        nemesis = [op for op in ops if op.get("process") == NEMESIS and op.get("f") in
                   p.start | p.stop]
        for op in nemesis[1::2]:  # completions
            t = op["time"] / 1e9
            if op["f"] in p.start and opened is None and _acted(op, p.struck):
                opened = t
            elif op["f"] in p.stop and opened is not None and _acted(op, p.healed):
                periods.append((opened, t, p.name))
                opened = None
        if opened is not None:
            periods.append((opened, max(end or 0.0, last), p.name))
    return periods


def node_periods(history: Iterable[dict[str, Any]], end: float) -> dict[str, list[Period]]:
    """Per node, when a per-node fault (a Perf with `struck`: kill, pause) held it: (start
    s, stop s, fault)."""
    out: dict[str, list[Period]] = {}
    opened: dict[tuple[str, str], float] = {}
    strikes: dict[str, tuple[str, str | None, str | None]] = {}  # f -> (fault, struck, healed)
    for p in registry.perfs():
        if p.struck is not None:
            strikes.update({f: (p.name, p.struck, None) for f in p.start})
            strikes.update({f: (p.name, None, p.healed) for f in p.stop})
    nemesis = [op for op in history if op.get("process") == NEMESIS and op.get("f") in strikes]
    for op in nemesis[1::2]:  # completions
        fault, struck, healed = strikes[op["f"]]
        value = op.get("value")
        if not isinstance(value, dict):
            continue
        t = op["time"] / 1e9
        for node, result in value.items():
            node, result = str(node), str(result)
            if struck is not None and result == struck:
                opened.setdefault((node, fault), t)
            elif healed is not None and result == healed and (node, fault) in opened:
                out.setdefault(node, []).append((opened.pop((node, fault)), t, fault))
    for (node, fault), t in opened.items():
        out.setdefault(node, []).append((t, end, fault))
    return out
