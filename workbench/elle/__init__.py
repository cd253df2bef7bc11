"""Elle, the transactional checker, for rw-register histories (Elle's src/elle/rw_register.clj,
txn.clj).

Layering: `graph` (digraphs, SCCs, cycle search; nothing about transactions) <- `rw_register`
(txns, non-cycle anomalies, version orders, dependency edges with reasons) <- `cycles`
(searching and naming cycles) ; `models` (consistency models as data) ; `explain` (text).
`check` below ties them together and returns Elle's result map.
"""

from __future__ import annotations

from typing import Any, Iterable

from .. import history as hist
from ..checkers.compose import UNKNOWN
from ..edn import Keyword
from . import cycles, exists, explain
from .models import (
    UNKNOWN_TYPES,
    boundary,
    cycle_families,
    needs_order,
    prohibited,
    validate_models,
)
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

BLIND_SPOT = ("rw-register version orders are known only from the initial nil and from a "
              "transaction that read a key and then wrote it (as in Elle); blind writes stay "
              "unordered, so write-write cycles (G0) among them cannot be seen. "
              "fully-ordered-keys counts keys whose inferred order is total.")


def _edn_case(case: dict) -> dict:
    out: dict[str, Any] = {}
    for k, v in case.items():
        if isinstance(v, dict) and "index" in v and "type" in v:
            v = hist.edn_op(v)
        elif k in ("cycle", "txns"):
            v = [hist.edn_op(op) for op in v]
        elif k == "steps":
            v = [{sk: (hist.edn_op(sv) if isinstance(sv, dict) else sv)
                  for sk, sv in step.items()} for step in v]
        out[k] = v
    return out


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


def check(history: list[dict], models: Iterable[str] = ("strict-serializable",),
          budget: float = cycles.DEFAULT_BUDGET, explained: bool = True) -> dict:
    """Elle's rw-register result for `history` under `models`: {"valid?": True} or the
    anomalies (prohibited ones only) with :not/:also-not. Raises on broken assumptions."""
    models = validate_models(models)
    banned = prohibited(models)
    reportable = banned | UNKNOWN_TYPES
    txns = parse(history)
    oks = [t for t in txns if t.type == "ok"]
    failed = [t for t in txns if t.type == "fail"]
    infos = [t for t in txns if t.type == "info"]
    anomalies: dict[str, list[dict]] = {}

    def add(kind: str, cases: list[dict]) -> None:
        if cases and kind in reportable:
            anomalies.setdefault(kind, []).extend(cases)

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
    found = cycles.search(deps, cycle_families(banned), order_bit, budget)
    for kind, cases in found.anomalies.items():
        add(kind, cases)
    for kind, cases in exists.cycle_exists_cases(deps).items():
        add(kind, cases)
    add("cycle-search-timeout", found.timeouts)
    for kind in exists.redundant_types(set(anomalies)) & set(anomalies):
        del anomalies[kind]
    extra: dict[str, Any] = {"blind-spot": {"keys": len(versions.after),
                                            "fully-ordered-keys": fully_ordered_keys(versions),
                                            "note": BLIND_SPOT}}
    undecided = sorted({f"{fam}{cycles.suffix(o)}" for fam, o in found.timed_out
                        if not exists.decided(fam, o, banned)})
    if undecided:  # a named-cycle search gave up where no exact check covers it
        extra["undecided-cycle-search"] = [Keyword(t) for t in undecided]
    if not anomalies:
        return {"valid?": UNKNOWN if undecided else True, **extra}
    types = sorted(anomalies)
    if explained:
        for kind in types:
            anomalies[kind] = [dict(c, explanation=explain.case_text(kind, c))
                               for c in anomalies[kind]]
    not_, also_not = boundary(types)
    valid = UNKNOWN if set(types) <= UNKNOWN_TYPES else False
    return {
        "valid?": valid,
        "anomaly-types": [Keyword(t) for t in types],
        "anomalies": {t: [_edn_case(c) for c in anomalies[t]] for t in types},
        "not": {Keyword(m) for m in not_},
        "also-not": {Keyword(m) for m in also_not},
        **extra,
    }
