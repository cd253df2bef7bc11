"""The kafka checker (Maelstrom's src/maelstrom/workload/kafka.clj, jepsen/tests/kafka.clj),
one package whose parts take plain data:

    ops       each completion's sends and polls as plain tuples; CheckerCrash
    realtime  :unseen, the real-time lag, write-read cycles, the offset-scale flag
    log       the per-key logs and version orders, and every other error type

`check` is the workload's checker: Jepsen's analysis, or :unknown with an :error where
Maelstrom's checker throws.
"""

from __future__ import annotations

from typing import Any

from ...validity import UNKNOWN
from .log import Analysis
from .ops import CheckerCrash, op_reads, op_writes

__all__ = ["Analysis", "CheckerCrash", "check", "op_reads", "op_writes"]


def check(opts: Any, history: list[dict[str, Any]]) -> dict[str, Any]:
    """The kafka workload's result for `history` (`opts` is unused, as in Maelstrom)."""
    try:
        return Analysis(history).result()
    except CheckerCrash as err:
        return {"valid?": UNKNOWN, "error": err.data}
