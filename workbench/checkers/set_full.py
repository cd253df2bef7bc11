"""Jepsen's set-full checker, non-linearizable mode (Jepsen's jepsen/checker.clj set-full), shared
by broadcast and g-set.

Every added element is tracked from its :add invocation on. Each :ok read (taken at its
invocation) either shows the element or lacks it. An element is

- stable: the latest-invoked read that shows it was invoked after every read that lacks it;
- lost: once known (acknowledged, or seen by a read), the latest-invoked read lacking it
  comes after every read showing it;
- never read: otherwise (no read saw it, and it was not lost).

Stable latency is how long after the element became known the last read lacking it was
invoked; "stale" elements are stable ones with a latency above zero. Validity: false on any
lost element, unknown when nothing is stable, else true.

Jepsen's duplicate detector never fires (it keeps multiplicities below 1; a bug in
jepsen/checker.clj), so `duplicated-count` is always 0 and `duplicated` always {}, here too.
"""

from __future__ import annotations

import json
from typing import Any

from ..history import is_client_op
from ..message import value_key
from ..validity import UNKNOWN, Validity
from ..values import plain
from .perf import quantiles

WORST_STALE = 8


class _Element:
    __slots__ = ("value", "known", "last_present", "last_absent")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.known: dict[str, Any] | None = None
        self.last_present: dict[str, Any] | None = None
        self.last_absent: dict[str, Any] | None = None

    def outcome(self) -> str:
        present, absent = self.last_present, self.last_absent
        if present is not None and (absent is None or absent["index"] < present["index"]):
            return "stable"
        if (self.known is not None and absent is not None
                and (present is None or present["index"] < absent["index"])
                and self.known["index"] < absent["index"]):
            return "lost"
        return "never-read"

    def latency(self, until: dict[str, Any] | None) -> int | None:
        """ms from `known` to just after `until` (0 when `until` is missing), or None."""
        if self.known is None:
            return None
        end = until["time"] + 1 if until is not None else 0
        return int(max(0, end - self.known["time"]) // 1_000_000)


def _sorted(values: list[Any]) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=lambda v: json.dumps(v, sort_keys=True, default=plain))


def check_set_full(history: list[dict[str, Any]], add_f: str = "add",
                   read_f: str = "read") -> dict[str, Any]:
    """The set-full analysis of `history`; `add_f` is the f that adds one element (its value),
    `read_f` the f whose :ok value is the whole set (a list)."""
    elements: dict[Any, _Element] = {}
    order: list[_Element] = []
    open_invokes: dict[Any, dict[str, Any]] = {}
    for op in history:
        if not is_client_op(op):
            continue
        f, kind = op.get("f"), op["type"]
        if kind == "invoke":
            open_invokes[op["process"]] = op
            if f == add_f:
                k = value_key(op["value"])
                if k not in elements:
                    elements[k] = _Element(op["value"])
                    order.append(elements[k])
            continue
        inv = open_invokes.pop(op["process"], None)
        if kind != "ok":
            continue
        if f == add_f:
            el = elements.get(value_key(op["value"]))
            if el is not None and el.known is None:
                el.known = op
        elif f == read_f and inv is not None:
            seen = {value_key(v) for v in (op.get("value") or [])}
            for k, el in elements.items():
                if k in seen:
                    if el.known is None:
                        el.known = op
                    if el.last_present is None or el.last_present["index"] < inv["index"]:
                        el.last_present = inv
                elif el.last_absent is None or el.last_absent["index"] < inv["index"]:
                    el.last_absent = inv
    return _summarize(order)


def _summarize(order: list[_Element]) -> dict[str, Any]:
    stable, lost, never_read, stale = [], [], [], []
    stable_latencies, lost_latencies = [], []
    for el in order:
        outcome = el.outcome()
        if outcome == "stable":
            stable.append(el)
            latency = el.latency(el.last_absent)
            if latency is not None:
                stable_latencies.append(latency)
                if latency > 0:
                    stale.append((latency, el))
        elif outcome == "lost":
            lost.append(el)
            latency = el.latency(el.last_present)
            if latency is not None:
                lost_latencies.append(latency)
        else:
            never_read.append(el)
    stale.sort(key=lambda pair: pair[0], reverse=True)
    worst = [{"element": el.value, "outcome": "stable", "stable-latency": latency,
              "lost-latency": el.latency(el.last_present),
              "known": _op(el.known), "last-absent": _op(el.last_absent)}
             for latency, el in stale[:WORST_STALE]]
    valid: Validity = False if lost else (UNKNOWN if not stable else True)
    out: dict[str, Any] = {
        "valid?": valid,
        "attempt-count": len(order),
        "stable-count": len(stable),
        "lost-count": len(lost),
        "lost": _sorted([el.value for el in lost]),
        "never-read-count": len(never_read),
        "never-read": _sorted([el.value for el in never_read]),
        "stale-count": len(stale),
        "stale": _sorted([el.value for _, el in stale]),
        "worst-stale": worst,
    }
    if stable_latencies:
        out["stable-latencies"] = quantiles(sorted(stable_latencies))
    if lost_latencies:
        out["lost-latencies"] = quantiles(sorted(lost_latencies))
    out["duplicated-count"] = 0
    out["duplicated"] = {}
    return out


def _op(op: dict[str, Any] | None) -> dict[str, Any] | None:
    return op

