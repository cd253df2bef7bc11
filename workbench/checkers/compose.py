"""Composing checkers: each runs guarded, so that one checker's crash gives its own entry
:unknown and leaves the others' results alone (Jepsen's checker.clj compose). The validity
values themselves live in workbench.validity."""

from __future__ import annotations

import traceback
from typing import Any, Callable

from ..validity import UNKNOWN, Validity, merge_valid

__all__ = ["UNKNOWN", "Validity", "guarded", "merge_valid"]


def guarded(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run one checker; if it throws, its entry is {:valid? :unknown :error ...} and the
    others are unaffected (jepsen/checker.clj compose)."""
    try:
        result = check()
    except Exception as err:  # a checker bug must not hide the other results
        return {"valid?": UNKNOWN, "error": f"{type(err).__name__}: {err}",
                "trace": traceback.format_exc().splitlines()[-6:]}
    return result
