"""Histories from a tiny string language (after Elle's tests): "wx1rx2" is a txn that writes
x = 1 then reads x = 2; "rx_" reads x as nil. Keys are single letters.

List-append (`append_txn`): "ax1" appends 1 to x; "rx1.2" reads x as [1, 2]; "rx-" reads
x as the empty list, "rx_" as nil; "ax1rx1" is a txn of both."""

from __future__ import annotations

import re
from typing import Callable

from workbench.edn import Keyword

MOP = re.compile(r"([rw])([a-z])(\d+|_)?")
APPEND_MOP = re.compile(r"([ra])([a-z])(\d+(?:\.\d+)*|_|-)")


def txn(text: str) -> list[list]:
    """The micro-ops of one txn string."""
    mops = []
    pos = 0
    for m in MOP.finditer(text):
        assert m.start() == pos, f"bad txn string {text!r} at {pos}"
        pos = m.end()
        f, k, v = m.groups()
        value = None if v in (None, "_") else int(v)
        mops.append([Keyword(f), k, value])
    assert pos == len(text), f"bad txn string {text!r}"
    return mops


def append_txn(text: str) -> list[list]:
    """The micro-ops of one list-append txn string."""
    mops = []
    pos = 0
    for m in APPEND_MOP.finditer(text):
        assert m.start() == pos, f"bad txn string {text!r} at {pos}"
        pos = m.end()
        f, k, v = m.groups()
        if f == "a":
            mops.append([Keyword("append"), k, int(v)])
        else:
            value = None if v == "_" else [] if v == "-" else [int(e) for e in v.split(".")]
            mops.append([Keyword("r"), k, value])
    assert pos == len(text), f"bad txn string {text!r}"
    return mops


def history(*specs: str | tuple, sequential: bool = False,
            parse: Callable[[str], list[list]] = txn) -> list[dict]:
    """One op pair per spec: "wx1" (ok), ("wx1", "fail"), ("wx1", "info", process).
    Concurrent (all invoked, then all completed) unless `sequential`. `parse` reads a txn
    string (`txn` for rw-register, `append_txn` for list-append)."""
    parsed = []
    for i, spec in enumerate(specs):
        text, kind, process = (spec, "ok", i) if isinstance(spec, str) else (
            spec + ("ok", i)[len(spec) - 1:] if len(spec) < 3 else spec)
        parsed.append((parse(text), kind, process))
    ops: list[dict] = []

    def add(op: dict) -> None:
        op["index"] = len(ops)
        op["time"] = len(ops) * 1000
        ops.append(op)

    def invoke(mops: list, process: int) -> None:
        add({"type": "invoke", "process": process, "f": "txn",
             "value": [[f, k, None if f == "r" else v] for f, k, v in mops]})

    def complete(mops: list, kind: str, process: int) -> None:
        value = mops if kind == "ok" else [[f, k, None if f == "r" else v] for f, k, v in mops]
        add({"type": kind, "process": process, "f": "txn", "value": value})

    if sequential:
        for mops, kind, process in parsed:
            invoke(mops, process)
            complete(mops, kind, process)
    else:
        for mops, _kind, process in parsed:
            invoke(mops, process)
        for mops, kind, process in parsed:
            complete(mops, kind, process)
    return ops
