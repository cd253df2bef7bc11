"""How the workbench's own process is tuned while a test runs: the garbage collector's
thresholds. Nothing a test observes depends on it."""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

GC_THRESHOLDS = (50_000, 20, 100)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run with GC_THRESHOLDS instead of Python's (700, 10, 10).

    A run allocates and drops small containers by the million (messages, ops, tasks) and
    keeps a growing history; at the default thresholds the collector walks the young objects
    every 700 allocations and, as the history grows, the whole heap: simulated kafka-5c spent
    about a fifth of its CPU there. Cycles are still collected."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
