"""Elle, the transactional checker (jepsen-io/elle), for rw-register and list-append histories;
this module holds the rw-register checker, `check` (Elle's src/elle/rw_register.clj `check`).

The package, bottom up:

    graph         digraphs with tagged edges, SCCs, budgeted path search (nothing about txns)
    models        consistency models as data: what each prohibits, which implies which
    rw_register   rw-register txns, their non-cycle anomalies, version orders, dependency edges
    append_graph  list-append txns, version orders read from the lists, dependency edges
    append_cases  list-append's non-cycle anomalies
    cycles        searching and naming cycles (G0, G1c, G-single-item, G2-item, ...)
    exists        deciding exactly whether each model's subgraph has a cycle (cycle-exists)
    txn           Elle's result map, shared by both checkers (txn.clj `result-map`)
    list_append   the list-append checker
    explain, append_text   cases in words (rw-register's and list-append's)

`check` below ties rw-register's parts together and returns Elle's result map as plain data
(cases hold their ops; no text), plus the :blind-spot note on what rw-register cannot see:
`explain.case_text` renders a case, and the results writer (workbench.report.results) puts
the text beside the data.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..validity import UNKNOWN
from . import cycles, exists
from .models import cycle_families, needs_order, prohibited, validate_models
from .rw_register import (
    PROCESS,
    REALTIME,
    Versions,
    dependencies,
    g1a_cases,
    g1b_cases,
    internal_cases,
    lost_update_cases,
    parse,
    realtime_edge_to_unfinished,
    version_orders,
)
from .txn import result_map

BLIND_SPOT = ("rw-register version orders are known only from the initial nil and from a "
              "transaction that read a key and then wrote it (as in Elle); blind writes stay "
              "unordered, so write-write cycles (G0) among them cannot be seen. "
              "fully-ordered-keys counts keys whose inferred order is total.")


def fully_ordered_keys(versions: Versions) -> int:
    """Keys whose inferred version order is total (a single chain after nil)."""
    count = 0
    for after in versions.after.values():
        values = set(after.get(None, ()))
        succ = {v: after.get(v, set()) for v in values}
        heads = values - set().union(*succ.values()) if succ else set()
        chain, v = 0, (next(iter(heads)) if len(heads) == 1 else None)
        while v is not None and chain <= len(values):
            chain += 1
            nxt = [w for w in succ.get(v, ()) if w in values]
            v = nxt[0] if len(nxt) == 1 else None
        if len(values) <= 1 or chain == len(values):
            count += 1
    return count


def check(history: list[dict[str, Any]], models: Iterable[str] = ("strict-serializable",),
          budget: float = cycles.DEFAULT_BUDGET) -> dict[str, Any]:
    """Elle's rw-register result for `history` under `models` (txn.result_map of every
    anomaly found) with the blind-spot note. Raises on broken assumptions."""
    models = validate_models(models)
    banned = prohibited(models)
    txns = parse(history)
    oks = [t for t in txns if t.type == "ok"]
    failed = [t for t in txns if t.type == "fail"]
    infos = [t for t in txns if t.type == "info"]
    found: dict[str, list[dict[str, Any]]] = {}

    def add(kind: str, cases: list[dict[str, Any]]) -> None:
        if cases:
            found.setdefault(kind, []).extend(cases)

    add("internal", internal_cases(oks))
    add("G1a", g1a_cases(oks, failed))
    add("G1b", g1b_cases(oks, oks + infos))
    add("lost-update", lost_update_cases(oks))
    versions = version_orders(oks, infos)
    add("cyclic-versions", versions.cyclic)
    order = needs_order(models)
    deps = dependencies(oks, versions, order, history)
    edges = deps.graph.edge_count()
    if edges == 0 and not (order == "realtime" and realtime_edge_to_unfinished(txns)):
        add("empty-transaction-graph", [{"ok-count": len(oks), "edge-count": 0}])
    order_bit = {"realtime": REALTIME, "process": PROCESS}.get(order or "", 0)
    searched = cycles.search(deps, cycle_families(banned), order_bit, budget)
    for kind, cases in searched.anomalies.items():
        add(kind, cases)
    for kind, cases in exists.cycle_exists_cases(deps).items():
        add(kind, cases)
    add("cycle-search-timeout", searched.timeouts)
    extra: dict[str, Any] = {"blind-spot": {"keys": len(versions.after),
                                            "fully-ordered-keys": fully_ordered_keys(versions),
                                            "note": BLIND_SPOT}}
    undecided = sorted({f"{fam}{cycles.suffix(o)}" for fam, o in searched.timed_out
                        if not exists.decided(fam, o, banned)})
    if undecided:  # a named-cycle search gave up where no exact check covers it
        extra["undecided-cycle-search"] = undecided
    result = result_map(found, models)
    if result["valid?"] is True and undecided:
        result["valid?"] = UNKNOWN
    return {**result, **extra}
