"""Cycle search in the dependency graph and cycle classification by edge tags (Elle's
src/elle/txn.clj).

A cycle is named by the edges it uses, as Elle 0.2.2's txn.clj `cycle-explainer` names it:
only ww is G0; ww and wr with at least one wr is G1c; exactly one rw is G-single-item; several
rw, no two adjacent (cyclically), is G-nonadjacent-item; several rw otherwise is G2-item. (The
-item names are for item rw edges; Elle says G-single, G-nonadjacent or G2 only when an rw edge
comes from a predicate read, which neither rw-register nor list-append has.) A cycle that needs
a real-time edge gets `-realtime`, else one that needs a process-order edge `-process`. The
search families keep the short names (G-single, G-nonadjacent): they say what is searched.

Every search works inside one strongly connected component of the subgraph it may use: it
takes an "anchor" edge of the kind the anomaly needs (a->b) and looks for the shortest way back
b->a that the anomaly's edge rules allow (a small automaton over the tags). So every reported
cycle is made of real edges, each with its reason. Each (component, anomaly) pair gets a time
budget; when it runs out the component is reported as :cycle-search-timeout, with the family
and order it was searching, so the caller can tell whether an exact cycle-exists check (see
`exists`) decides it instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from .graph import SearchTimeout, find_path, sccs
from .rw_register import DATA, PROCESS, REALTIME, RW, WR, WW, Dependencies

DEFAULT_BUDGET = 1.0  # seconds per component and search, as Elle's 1 s


@dataclass(frozen=True)
class Family:
    """One kind of cycle search: which tags it may walk, which edge anchors it."""

    name: str
    walk: int  # data tags the cycle may use (order edges are added for variants)
    anchor: int


FAMILIES = (
    Family("G0", WW, WW),
    Family("G1c", WW | WR, WR),
    Family("G-single", DATA, RW),
    Family("G-nonadjacent", DATA, RW),
    Family("G2-item", DATA, RW),
)

# State: (rw count capped at 2, last edge rw, first edge rw, has wr, has order edge)
State = tuple[int, bool, bool, bool, bool]


def _steps(family: str, order: int) -> Callable[[State, int], list[tuple[State, int]]]:
    def step(state: State, tags: int) -> list[tuple[State, int]]:
        nrw, last_rw, first_rw, has_wr, has_o = state
        out: list[tuple[State, int]] = []
        if tags & WW:
            out.append(((nrw, False, first_rw, has_wr, has_o), WW))
        if tags & WR and family != "G0":
            out.append(((nrw, False, first_rw, True, has_o), WR))
        if tags & order:
            out.append(((nrw, False, first_rw, has_wr, True), order))
        if tags & RW and family in ("G-nonadjacent", "G2-item"):
            if not (family == "G-nonadjacent" and last_rw):
                out.append(((min(nrw + 1, 2), True, first_rw, has_wr, has_o), RW))
        return out
    return step


def _accept(family: str, need_order: bool) -> Callable[[State], bool]:
    def accept(state: State) -> bool:
        nrw, last_rw, first_rw, has_wr, has_o = state
        if need_order and not has_o:
            return False
        if family == "G0":
            return nrw == 0 and not has_wr
        if family == "G1c":
            return nrw == 0 and has_wr
        if family == "G-single":
            return nrw == 1
        if family == "G-nonadjacent":
            return nrw >= 2 and not (last_rw and first_rw)
        return nrw >= 2
    return accept


def classify(tags: list[int]) -> str:
    """The anomaly name of a cycle whose edges use `tags` (in order)."""
    rw = [t == RW for t in tags]
    n = sum(rw)
    if n == 0:
        name = "G1c" if WR in tags else "G0"
    elif n == 1:
        name = "G-single-item"
    else:
        adjacent = any(rw[i] and rw[i - 1] for i in range(len(rw)))
        name = "G2-item" if adjacent else "G-nonadjacent-item"
    if REALTIME in tags:
        return name + "-realtime"
    if PROCESS in tags:
        return name + "-process"
    return name


@dataclass
class Found:
    anomalies: dict[str, list[dict[str, Any]]]
    timeouts: list[dict[str, Any]]
    timed_out: list[tuple[str, int]]  # (family, order tag or 0) of each timed-out search


def search(deps: Dependencies, families: set[str], order: int,
           budget: float = DEFAULT_BUDGET) -> Found:
    """Look for the named cycle families, without order edges and, when `order` is PROCESS or
    REALTIME, again with them (the -process/-realtime variants)."""
    found: dict[str, list[dict[str, Any]]] = {}
    timeouts: list[dict[str, Any]] = []
    gave_up: list[tuple[str, int]] = []
    seen_cycles: set[frozenset[Any]] = set()
    for variant in ([0, order] if order else [0]):
        for fam in FAMILIES:
            if fam.name not in families:
                continue
            mask = fam.walk | variant
            anchors = [fam.anchor] if not (variant and fam.name == "G0") else [WW, variant]
            for comp in sccs(deps.graph, mask):
                cycle, timed_out = _search_component(deps, comp, fam, variant, mask, anchors,
                                                     budget)
                if timed_out:
                    timeouts.append({"type": fam.name + suffix(variant),
                                     "scc-size": len(comp)})
                    gave_up.append((fam.name, variant))
                if cycle is None:
                    continue
                key = frozenset((a, b) for a, b, _ in cycle)
                if key in seen_cycles:
                    continue
                seen_cycles.add(key)
                name = classify([t for _, _, t in cycle])
                found.setdefault(name, []).append(_case(deps, cycle, name))
    return Found(found, timeouts, gave_up)


def suffix(variant: int) -> str:
    return "-realtime" if variant == REALTIME else "-process" if variant == PROCESS else ""


def _search_component(deps: Dependencies, comp: list[Any], fam: Family, variant: int, mask: int,
                      anchors: list[int], budget: float) -> tuple[list[Any] | None, bool]:
    within = set(comp)
    deadline = time.monotonic() + budget
    step = _steps(fam.name, variant)
    accept = _accept(fam.name, bool(variant))
    out = deps.graph.out
    try:
        for a in comp:
            for b, tags in out[a].items():
                if b not in within:
                    continue
                for anchor in anchors:
                    if not tags & anchor & mask:
                        continue
                    used = anchor
                    state = (1 if used == RW else 0, used == RW, used == RW, used == WR,
                             bool(used & (PROCESS | REALTIME)))
                    path = find_path(deps.graph, b, state, a, accept, step, within, deadline)
                    if path is not None:
                        return [(a, b, used)] + path, False
                if time.monotonic() > deadline:
                    raise SearchTimeout()
    except SearchTimeout:
        return None, True
    return None, False


def _case(deps: Dependencies, cycle: list[Any], name: str) -> dict[str, Any]:
    ops = [deps.txns[a].op for a, _, _ in cycle]
    ops.append(ops[0])
    steps = [deps.explain(a, b, tag) for a, b, tag in cycle]
    return {"type": name, "cycle": ops, "steps": steps}
