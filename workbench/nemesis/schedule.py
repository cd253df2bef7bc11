"""Faults as data: a run's fault schedule, written to nemesis-schedule.jsonl in its store
dir and read back by `--nemesis-schedule FILE`, which performs exactly those ops instead of
drawing them.

The file is JSON Lines: one fault op per line, in time order (blank lines are skipped), so a
schedule is cut down by deleting lines. Each entry:

    {"time": 4.06, "f": "start-partition", "value": "one", "grudge": {"n0": ["n1"], "n1": ["n0"]}}
    {"time": 6.515293, "f": "kill", "value": "one", "nodes": ["n2"]}
    {"time": 9.104466, "f": "stop-partition", "value": null}

    time    seconds since the test began (the clock of history.edn's :time, which is in ns)
            at which the op is due; it is performed then, or as soon as the nemesis is free
    f       the op (any :f a fault package carries out: start-partition, stop-partition,
            kill, start, pause, resume)
    value   optional: the invocation's :value in the history (a string is a keyword, as
            "majority" is :majority); without it, the target as the completion shows it
    nodes   kill, start, pause, resume: the nodes it acts on, as resolved
    grudge  start-partition: each node and the nodes it no longer hears, as resolved

What each op hits is given, not drawn, so the same seed and schedule replay the same faults.
A run writes the ops its nemesis performed during the test (not the heal before a final
phase, which a replay performs again as the --nemesis faults ask), with the resolved targets
from their completions.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable

from .. import generator as gen
from ..edn import Keyword
from ..errors import UsageError
from ..history import NEMESIS
from . import registry

FILE = "nemesis-schedule.jsonl"
Scheduled = tuple[float, dict[str, Any]]  # (due time s, the op with its "_target")


def entries(history: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The schedule entries of a history's nemesis ops (each invocation with the completion
    that follows it); ops marked "_final" (the heal before a final phase) are left out, and so
    is an op that never completed."""
    nemesis = [op for op in history if op.get("process") == NEMESIS]
    out: list[dict[str, Any]] = []
    for inv, done in zip(nemesis[0::2], nemesis[1::2], strict=False):
        f = str(inv.get("f"))
        how = registry.op(f)
        if inv.get("_final") or how is None:
            continue
        at = inv.get("_at")
        entry: dict[str, Any] = {"time": at if at is not None else inv["time"] / 1e9, "f": f}
        value = inv.get("value")
        if value is None or isinstance(value, str):
            entry["value"] = None if value is None else str(value)
        if how.target is not None:
            entry[how.target.key] = how.target.to_json(how.target.of_completion(
                done.get("value")))
        out.append(entry)
    return out


def write(path: Path, history: Iterable[dict[str, Any]]) -> None:
    """The schedule file of a history (empty when the nemesis did nothing)."""
    with path.open("w") as f:
        for entry in entries(history):
            f.write(json.dumps(entry) + "\n")


def load(path: str, nodes: list[str]) -> list[Scheduled]:
    """The ops of schedule file `path` for a test of `nodes`; UsageError (one line, naming
    the line of the file) when anything is off."""
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as err:
        why = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise UsageError(f"--nemesis-schedule {path}: {why}") from None
    out: list[Scheduled] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(_entry(line, nodes, out[-1][0] if out else 0.0))
        except ValueError as err:
            raise UsageError(f"--nemesis-schedule {path} line {number}: {err}") from None
    return out


def _entry(line: str, nodes: list[str], previous: float) -> Scheduled:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"not JSON: {err.msg} at column {err.colno}") from None
    if not isinstance(raw, dict):
        raise ValueError('an entry is a JSON object, e.g. {"time": 1.5, "f": "kill", '
                         '"nodes": ["n1"]}')
    t = raw.get("time")
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or t < 0:
        raise ValueError(f'"time" must be a number of seconds >= 0, not {json.dumps(t)}')
    if t < previous:
        raise ValueError(f"time {t:g} is before the previous entry's {previous:g}; entries "
                         "go in time order")
    f = raw.get("f")
    how = registry.op(f) if isinstance(f, str) else None
    if how is None:
        raise ValueError(f'unknown nemesis op "f": {json.dumps(f)}; the ops are '
                         + ", ".join(sorted(registry.op_names())))
    allowed = {"time", "f", "value"} | ({how.target.key} if how.target is not None else set())
    extra = sorted(set(raw) - allowed)
    if extra:
        raise ValueError(f"{f} takes no {json.dumps(extra[0])} (its fields: "
                         + ", ".join(sorted(allowed)) + ")")
    value = raw.get("value")
    if value is not None and not isinstance(value, str):
        raise ValueError(f'"value" must be a string or null, not {json.dumps(value)}')
    op: dict[str, Any] = {"f": f, "value": None if value is None else Keyword(value)}
    if how.target is not None:
        if how.target.key not in raw:
            raise ValueError(f'{f} needs "{how.target.key}": what it acts on')
        target = how.target.from_json(raw[how.target.key], nodes)
        op["_target"] = target
        if "value" not in raw:
            op["value"] = how.target.as_value(target)
    return float(t), op


def pauses(path: Path) -> dict[str, list[tuple[float, bool]]]:
    """node -> its (time, paused?) changes in a run's schedule file (a kill or start ends a
    pause; nothing, if there is no file). For the sweep's test of requests held through a
    pause (journal.requests_in_time)."""
    out: dict[str, list[tuple[float, bool]]] = {}
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        if line.strip():
            entry = json.loads(line)
            if entry.get("f") in ("pause", "resume", "kill", "start"):
                for n in entry.get("nodes") or []:
                    out.setdefault(n, []).append((float(entry["time"]), entry["f"] == "pause"))
    return out


def stops(path: Path) -> dict[str, list[float]]:
    """node -> the times (sorted) it was killed or paused in a run's schedule file (nothing,
    if there is no file). For the sweep's test of requests a node had time to answer
    (journal.requests_in_time)."""
    out: dict[str, list[float]] = {}
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        if line.strip():
            entry = json.loads(line)
            if entry.get("f") in ("pause", "kill"):
                for n in entry.get("nodes") or []:
                    out.setdefault(n, []).append(float(entry["time"]))
    return {n: sorted(ts) for n, ts in out.items()}


def faults(scheduled: Iterable[Scheduled]) -> frozenset[str]:
    """The --nemesis faults a schedule's ops belong to (what a replay must heal)."""
    return frozenset(registry.fault_of(op["f"]) for _, op in scheduled)


class Replay(gen.Base):
    """The scheduled ops, each due at its time, on the nemesis thread, one at a time."""

    def __init__(self, scheduled: Iterable[Scheduled]) -> None:
        self.scheduled = list(scheduled)
        self.next = 0

    def op(self, ctx: gen.Context) -> gen.Answer:
        if self.next >= len(self.scheduled):
            return None
        if not ctx.free:
            return gen.PENDING
        t, op = self.scheduled[self.next]
        return gen.Emit(t, ctx.free[0], dict(op))

    def emitted(self, ctx: gen.Context, emit: gen.Emit) -> None:
        self.next += 1
