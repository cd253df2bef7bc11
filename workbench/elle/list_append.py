"""Elle's list-append checker (jepsen-io/elle src/elle/list_append.clj `check`, Elle 0.2.2,
the version Maelstrom's Jepsen 0.3.7 uses), for txn-list-append histories.

    from workbench.elle import list_append
    result = list_append.check(history, ["serializable"])
    text = append_text.case_text(kind, case)   # one case in words

Layering: `append_graph` (txns, version orders from reads, ww/wr/rw edges) and
`append_cases` (anomalies without cycles) feed `check` here; `cycles` searches and names the
cycles; `models` decides which anomalies the consistency models forbid; `append_text` renders
cases as text (the results writer, workbench.report.results, calls it).

The result is Elle's result map, built by `txn.result_map` as for rw-register: {"valid?": True}
when no reportable anomaly is found; otherwise "valid?" False when a prohibited anomaly is
present, :unknown when only the undecidable kinds are (:empty-transaction-graph,
:cycle-search-timeout), "anomaly-types", "anomalies" (each case a dict holding its ops; no
text), and "not" / "also-not" (the weakest models everything found rules out, and the
rest). A history Elle refuses to analyse
(micro-ops other than r/append, duplicate appends, a read of an element nobody appended)
gives {"valid?": :unknown, "error": {...}}, as Jepsen reports a checker that threw.

Cycle search runs only when the graph has a strongly connected component at all, so a clean
history costs one pass of Tarjan's algorithm. Each component also gets Elle's exact
cycle-exists cases (`exists`, as txn.clj `cycle-cases-in-scc`), so a named search that runs
out of time still cannot pass a cycle a model forbids.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..validity import UNKNOWN
from . import append_cases as cases_
from . import cycles, exists
from .append_graph import (
    PROCESS,
    REALTIME,
    HistoryError,
    append_index,
    dependencies,
    parse,
    sorted_values,
)
from .graph import sccs
from .models import cycle_families, needs_order, prohibited, validate_models
from .txn import result_map

__all__ = ["check", "find_anomalies"]


def find_anomalies(history: list[dict[str, Any]], models: list[str],
                   budget: float = cycles.DEFAULT_BUDGET) -> dict[str, Any]:
    """Every anomaly found, by type (cycles only of the families `models` prohibit).
    Raises HistoryError when Elle would refuse the history."""
    txns = parse(history)
    oks = [t for t in txns if t.type == "ok"]
    possible = [t for t in txns if t.type in ("ok", "info")]
    failed = [t for t in txns if t.type == "fail"]
    found: dict[str, Any] = {}

    def add(kind: str, cases: list[dict[str, Any]]) -> None:
        if cases:
            found.setdefault(kind, []).extend(cases)

    add("G1a", cases_.g1a_cases(oks, failed))
    add("G1b", cases_.g1b_cases(oks, txns))
    add("internal", cases_.internal_cases(oks))
    add("future-read", cases_.future_read_cases(oks))
    add("dirty-update", cases_.dirty_update_cases(txns))
    add("duplicate-elements", cases_.duplicate_cases(possible))
    values = sorted_values(possible, single_appends=True)
    add("incompatible-order", cases_.incompatible_order_cases(values))
    add("lost-update", cases_.lost_update_cases(oks))
    order = needs_order(models)
    deps = dependencies(possible, append_index(values), order, history)
    if deps.graph.edge_count() == 0:
        found["empty-transaction-graph"] = True
    elif sccs(deps.graph):
        order_bit = {"realtime": REALTIME, "process": PROCESS}.get(order or "", 0)
        result = cycles.search(deps, cycle_families(prohibited(models)), order_bit, budget)
        for kind, cases in result.anomalies.items():
            add(kind, cases)
        for kind, cases in exists.cycle_exists_cases(deps).items():
            add(kind, cases)
        add("cycle-search-timeout", result.timeouts)
    return found


def check(history: list[dict[str, Any]], models: Iterable[str] = ("strict-serializable",),
          budget: float = cycles.DEFAULT_BUDGET) -> dict[str, Any]:
    """Elle's list-append result for `history` (all ops; nemesis ops are skipped) under
    `models` (default strict-serializable). Raises models.UnknownModel for a bad name."""
    models = validate_models(models)
    try:
        found = find_anomalies(history, models, budget)
    except HistoryError as err:
        return {"valid?": UNKNOWN, "error": err.data}
    return result_map(found, models)
