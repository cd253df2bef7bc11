"""Validity values and how they combine: false beats unknown beats true (Jepsen)."""

from __future__ import annotations

import traceback
from typing import Any, Callable, Iterable

from ..edn import Keyword

UNKNOWN = Keyword("unknown")
_RANK = {True: 0, UNKNOWN: 1, False: 2}


def merge_valid(values: Iterable[Any]) -> Any:
    """The worst of several :valid? values."""
    worst: Any = True
    for v in values:
        if v == "unknown":
            v = UNKNOWN
        if v not in _RANK:
            raise ValueError(f"not a validity value: {v!r}")
        if _RANK[v] > _RANK[worst]:
            worst = v
    return worst


def guarded(check: Callable[[], dict]) -> dict:
    """Run one checker; if it throws, its entry is {:valid? :unknown :error ...} and the
    others are unaffected (jepsen/checker.clj compose)."""
    try:
        result = check()
    except Exception as err:  # a checker bug must not hide the other results
        return {"valid?": UNKNOWN, "error": f"{type(err).__name__}: {err}",
                "trace": traceback.format_exc().splitlines()[-6:]}
    if result.get("valid?") == "unknown":
        result["valid?"] = UNKNOWN
    return result
