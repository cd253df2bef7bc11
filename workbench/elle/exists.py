"""Cycle existence, decided exactly (Elle's elle.txn/cycle-exists-cases): for each model's
subgraph, does it hold a strongly connected component? No time limit: Tarjan's algorithm is
linear, so a cycle the named-cycle search could not finish in time is still never passed.

Each spec is a model and the edges of its subgraph: a union of tags, or an "extension"
A U (A;B), where A;B links x -> z whenever x -> y in A and y -> z in B (so one B edge may be
taken after any A edge: the nonadjacent rw edges of snapshot isolation). Within one top-level
component, a spec is skipped once a weaker model's spec already found a cycle (Elle's
redundancy), and the smallest component found is reported, as
{:type :PL-2-cycle-exists, :not :read-committed, :scc-size n, :scc [indices]}.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .graph import Digraph, sccs
from .models import MODELS, canonical, weaker
from .rw_register import PROCESS, REALTIME, RW, WR, WW, Dependencies


@dataclass(frozen=True)
class Spec:
    model: str  # Elle's name for the model, as in the anomaly's name
    union: int  # tags of A
    then: int = 0  # tags of B for an extension A U (A;B); 0 for a plain union

    @property
    def type(self) -> str:
        return f"{self.model}-cycle-exists"

    @property
    def friendly(self) -> str:
        return canonical(self.model)


SPECS = (  # in Elle's order, which decides which one a component reports first
    Spec("PL-1", WW),
    Spec("PL-2", WW | WR),
    Spec("PL-SI", WW | WR, RW),
    Spec("PL-2.99", WW | WR | RW),
    Spec("PL-3", WW | WR | RW),
    Spec("strong-session-PL-1", WW | PROCESS),
    Spec("strong-session-PL-2", WW | WR | PROCESS),
    Spec("strong-session-snapshot-isolation", WW | WR | PROCESS, RW),
    Spec("strong-session-serializable", WW | WR | RW | PROCESS),
    Spec("strong-PL-1", WW | REALTIME),
    Spec("strong-PL-2", WW | WR | REALTIME),
    Spec("strong-snapshot-isolation", WW | WR | REALTIME, RW),
    Spec("PL-SS", WW | WR | RW | REALTIME),
)


def stronger(model: str) -> set[str]:
    """Every model that implies `model` (itself included): Elle's all-impossible-models."""
    m = canonical(model)
    return {x for x in MODELS if m in weaker(x)}


def _smallest_scc(graph: Digraph, comp: list[Any], spec: Spec) -> list[Any] | None:
    within = set(comp)
    if not spec.then:
        found = sccs(_restrict(graph, within, spec.union))
    else:
        ext = _extension(graph, within, spec.union, spec.then)
        found = sccs(ext)
        found += [[v] for v, succ in ext.out.items() if v in succ]  # a -> b (A), b -> a (B)
    return min(found, key=len) if found else None


def _restrict(graph: Digraph, within: set[Any], mask: int) -> Digraph:
    g = Digraph()
    for a in within:
        for b, t in graph.out[a].items():
            if t & mask and b in within:
                g.add_edge(a, b, 1)
    return g


def _extension(graph: Digraph, within: set[Any], a_mask: int, b_mask: int) -> Digraph:
    g = _restrict(graph, within, a_mask)
    out = graph.out
    for x in within:
        for y, t in out[x].items():
            if not t & a_mask or y not in within:
                continue
            for z, t2 in out[y].items():
                if t2 & b_mask and z in within:
                    g.add_edge(x, z, 1)
    return g


def cycle_exists_cases(deps: Dependencies) -> dict[str, list[dict[str, Any]]]:
    """Every spec's cycle-exists case, per top-level component of the dependency graph."""
    out: dict[str, list[dict[str, Any]]] = {}
    for comp in sccs(deps.graph):
        redundant: set[str] = set()
        for spec in SPECS:
            if spec.friendly in redundant:
                continue
            scc = _smallest_scc(deps.graph, comp, spec)
            if scc is None:
                continue
            out.setdefault(spec.type, []).append({
                "type": spec.type, "not": spec.friendly,
                "scc-size": len(scc),
                "scc": sorted(deps.txns[v].op["index"] for v in scc)})
            redundant |= stronger(spec.model)
    return out


def redundant_types(found: set[str]) -> set[str]:
    """The cycle-exists types made redundant by the other anomaly types `found` (Elle's
    remove-redundant-cycle-exists): those whose model the others already rule out."""
    others = {t for t in found if not t.endswith("-cycle-exists")}
    ruled_out = {m for m in MODELS if any(a in others for a in _prohibited_by(m))}
    return {s.type for s in SPECS if s.friendly in ruled_out}


def _prohibited_by(model: str) -> set[str]:
    out: set[str] = set()
    for m in weaker(model):
        out |= MODELS[m][1]
    return out


def covers(spec: Spec, family: str, order: int) -> bool:
    """Does every cycle of `family` (using an `order` edge when order is not 0) lie in a
    component of `spec`'s subgraph?"""
    if order and not spec.union & order:
        return False
    data = WW | WR
    if family == "G0":
        return bool(spec.union & WW)
    if family == "G1c":
        return spec.union & data == data
    if family in ("G-single", "G-nonadjacent"):
        return spec.union & data == data and bool((spec.union | spec.then) & RW)
    return spec.union & (data | RW) == data | RW  # G2-item: adjacent rw edges


def decided(family: str, order: int, banned: frozenset[str]) -> bool:
    """A timed-out search for `family` is harmless when a prohibited cycle-exists spec covers
    it: that spec finds any such cycle exactly (and its finding makes the result invalid)."""
    return any(s.type in banned and covers(s, family, order) for s in SPECS)
