"""What people look at after a run (Jepsen's perf and timeline checkers, Maelstrom's net/viz.clj):
the perf plots, timeline.html and messages.svg, plus results.edn and its JSON twin with Elle's
elle/<type>.txt (results.py, the one writer of results), the live progress line
(progress.py) and results/SUMMARY.md (summary.py).

`write_artifacts` is the one entry point the runner calls after results.edn is written. The
files have no bearing on validity, so a failure to draw one is logged, noted in
report-errors.txt and returned, never raised. Matplotlib is imported only here, on demand,
so that the progress line and the summary stay light."""

from __future__ import annotations

import logging
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ..history import NEMESIS

log = logging.getLogger("workbench.report")


# what the plots and the lamport diagram read of every op; values only where they are drawn
_DRAWN_KEYS = ("index", "time", "type", "process", "f")


def drawn(history: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The history as the drawings read it, to hand to the drawing process cheaply: every
    op's index, time, type, process and f; whole ops (values, errors) for the nemesis and for
    the first timeline.MAX_OPS invocations and their completions (the ops the timeline
    shows). A kafka-5c history is several times smaller so."""
    from .timeline import MAX_OPS

    out: list[dict[str, Any]] = []
    whole: set[Any] = set()  # processes whose open invocation is drawn whole
    invocations = 0
    for op in history:
        process = op.get("process")
        if process == NEMESIS:
            out.append(op)
            continue
        if op.get("type") == "invoke":
            invocations += 1
            if invocations <= MAX_OPS:
                whole.add(process)
                out.append(op)
                continue
        elif process in whole:
            whole.discard(process)
            out.append(op)
            continue
        out.append({k: op[k] for k in _DRAWN_KEYS if k in op})
    return out


def warm_up() -> None:
    """Import what drawing needs (matplotlib above all), ahead of the drawing."""
    from . import lamport, plots, timeline  # noqa: F401


def write_artifacts(run_dir: Path, opts: Any, history_ops: Sequence[dict[str, Any]],
                    journal: Any) -> list[str]:
    """Write latency-raw.png, latency-quantiles.png, rate.png, timeline.html and
    messages.svg into `run_dir`. Returns one note per file that could not be written."""
    from . import lamport, timeline
    from .ops import completed, fault_periods, node_periods

    run_dir = Path(run_dir)
    notes: list[str] = []
    started = time.monotonic()
    end = max((op["time"] for op in history_ops), default=0) / 1e9
    periods = fault_periods(history_ops, end)
    events: Iterable[Any] = getattr(journal, "events", journal) if journal is not None else []
    node_count = int(getattr(opts, "node_count", 0) or 0)
    title = f"{getattr(opts, 'workload', 'test')} timeline"

    def plots() -> None:
        from . import plots as plotting
        plotting.write_all(run_dir, completed(history_ops), periods, end)

    steps: list[tuple[str, Callable[[], None]]] = [
        ("latency-raw.png, latency-quantiles.png, rate.png", plots),
        ("timeline.html",
         lambda: timeline.write(run_dir / "timeline.html", history_ops, periods, title)),
        ("messages.svg", lambda: lamport.write(run_dir / "messages.svg", events, node_count,
                                               node_periods(history_ops, end))),
    ]
    for name, step in steps:
        try:
            step()
        except Exception as err:  # a drawing bug must never hide the test's result
            note = f"could not write {name}: {type(err).__name__}: {err}"
            log.warning("%s\n%s", note, traceback.format_exc())
            notes.append(note)
    if notes:
        try:
            (run_dir / "report-errors.txt").write_text("\n".join(notes) + "\n")
        except OSError as err:
            log.warning("could not write report-errors.txt: %s", err)
    log.info("Report files written in %.2f s", time.monotonic() - started)
    return notes
