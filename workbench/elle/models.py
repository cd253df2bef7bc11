"""Consistency models as data (Elle's src/elle/consistency_model.clj): the names Elle accepts,
their aliases, which weaker models each implies, and the anomalies each proscribes directly.
`prohibited(models)` closes that over implication (the result map, txn.py, reports only
prohibited anomalies plus the two "unknown" kinds), `boundary(found)` names the weakest models
the anomalies found rule out, `needs_order` which order graph an analysis needs and
`cycle_families` which cycle searches it runs.

The table reproduces the spec's (computed from Elle 0.2.2). Where the spec is silent (PL-2L,
PL-FCV, PL-MSR, parallel-SI, prefix, update-atomic, view- and session-serializable), the entry
only implies its nearest documented weaker model, so it can never be stricter than Elle.
"""

from __future__ import annotations

from typing import Iterable

UNKNOWN_TYPES = frozenset({"empty-transaction-graph", "cycle-search-timeout"})

_P = "-process"
_R = "-realtime"
_SI_CYCLES = ("G-single", "G-single-item", "G-nonadjacent", "G-nonadjacent-item")

# canonical name -> (weaker models it implies, anomalies it proscribes itself)
MODELS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "read-uncommitted": ((), frozenset({
        "G0", "cyclic-versions", "duplicate-elements", "PL-1-cycle-exists"})),
    "read-committed": (("read-uncommitted",), frozenset({
        "G1", "G1a", "G1b", "G1c", "dirty-update", "future-read", "incompatible-order",
        "PL-2-cycle-exists"})),
    "monotonic-atomic-view": (("read-committed",), frozenset()),
    "read-atomic": (("read-committed",), frozenset({"internal"})),
    "causal-cerone": (("read-atomic",), frozenset()),
    "cursor-stability": (("read-committed",), frozenset({"G-cursor", "lost-update"})),
    "consistent-view": (("cursor-stability",), frozenset({
        "G-monotonic", "G-single", "G-single-item"})),
    "update-serializable": (("consistent-view",), frozenset({"G-SIb", "G-update"})),
    "repeatable-read": (("cursor-stability",), frozenset({
        "G2-item", "G-single-item", "G-nonadjacent-item", "PL-2.99-cycle-exists"})),
    "snapshot-isolation": (("read-committed",), frozenset({
        "internal", "lost-update", "G-cursor", "G-monotonic", "G-MSR", "G-SI", "G-SIb",
        *_SI_CYCLES, "PL-SI-cycle-exists"})),
    "serializable": (("snapshot-isolation", "repeatable-read", "update-serializable"),
                     frozenset({"G2", "G2-item", "G-update", "write-skew",
                                "predicate-read-miss", "PL-2.99-cycle-exists",
                                "PL-3-cycle-exists"})),
    "strong-session-read-uncommitted": (("read-uncommitted",), frozenset({
        "G0" + _P, "strong-session-PL-1-cycle-exists"})),
    "strong-read-uncommitted": (("strong-session-read-uncommitted",), frozenset({
        "G0" + _R, "strong-PL-1-cycle-exists"})),
    "strong-session-read-committed": (("read-committed", "strong-session-read-uncommitted"),
                                      frozenset({"G1c" + _P,
                                                 "strong-session-PL-2-cycle-exists"})),
    "strong-read-committed": (("strong-session-read-committed", "strong-read-uncommitted"),
                              frozenset({"G1c" + _R, "strong-PL-2-cycle-exists"})),
    "strong-session-snapshot-isolation": (
        ("snapshot-isolation", "strong-session-read-committed"),
        frozenset({"G1" + _P, *(a + _P for a in _SI_CYCLES),
                   "strong-session-snapshot-isolation-cycle-exists"})),
    "strong-snapshot-isolation": (
        ("strong-session-snapshot-isolation", "strong-read-committed"),
        frozenset({"G1" + _R, *(a + _R for a in _SI_CYCLES),
                   "strong-snapshot-isolation-cycle-exists"})),
    "strong-session-serializable": (
        ("serializable", "strong-session-snapshot-isolation"),
        frozenset({"G2" + _P, "G2-item" + _P, "strong-session-serializable-cycle-exists"})),
    "strict-serializable": (
        ("strong-session-serializable", "strong-snapshot-isolation", "linearizable"),
        frozenset({"G2" + _R, "G2-item" + _R, "PL-SS-cycle-exists"})),
    # Not in the spec's table: each only implies its nearest documented weaker model.
    "monotonic-view": (("read-committed",), frozenset()),
    "forward-consistent-view": (("consistent-view",), frozenset()),
    "monotonic-snapshot-read": (("monotonic-view",), frozenset()),
    "parallel-snapshot-isolation": (("causal-cerone",), frozenset()),
    "prefix": (("causal-cerone",), frozenset()),
    "update-atomic": (("read-committed",), frozenset()),
    "view-serializable": (("read-committed",), frozenset()),
    "session-serializable": (("serializable",), frozenset()),
    # Non-transactional models: nothing to check in a transactional history.
    "linearizable": (("sequential",), frozenset()),
    "sequential": (("causal",), frozenset()),
    "causal": (("PRAM", "writes-follow-reads"), frozenset()),
    "PRAM": (("monotonic-reads", "monotonic-writes", "read-your-writes"), frozenset()),
    "monotonic-reads": ((), frozenset()),
    "monotonic-writes": ((), frozenset()),
    "read-your-writes": ((), frozenset()),
    "writes-follow-reads": ((), frozenset()),
}

ALIASES: dict[str, str] = {
    "PL-1": "read-uncommitted", "PL-2": "read-committed", "PL-2+": "consistent-view",
    "PL-2L": "monotonic-view", "PL-2.99": "repeatable-read", "PL-3": "serializable",
    "conflict-serializable": "serializable", "1SR": "serializable",
    "PL-3U": "update-serializable", "PL-CS": "cursor-stability",
    "PL-FCV": "forward-consistent-view", "PL-MSR": "monotonic-snapshot-read",
    "PL-SI": "snapshot-isolation", "PL-SS": "strict-serializable",
    "strong-serializable": "strict-serializable",
    "strong-PL-1": "strong-read-uncommitted", "strong-PL-2": "strong-read-committed",
    "strong-session-PL-1": "strong-session-read-uncommitted",
    "strong-session-PL-2": "strong-session-read-committed",
}

KNOWN = frozenset(MODELS) | frozenset(ALIASES)


class UnknownModel(ValueError):
    """Raised by `validate_models` for a name Elle does not accept."""


def canonical(name: str) -> str:
    return ALIASES.get(name, name)


def validate_models(names: Iterable[str]) -> list[str]:
    """The canonical names of `names`; UnknownModel naming the first unknown one."""
    out = []
    for name in names:
        if name not in KNOWN:
            raise UnknownModel(
                f"unknown consistency model {name!r} in --consistency-models; Elle knows: "
                + ", ".join(sorted(KNOWN, key=str.lower)))
        out.append(canonical(name))
    return out


def weaker(model: str) -> set[str]:
    """Every model `model` implies, itself included."""
    seen: set[str] = set()
    todo = [canonical(model)]
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(MODELS[m][0])
    return seen


def prohibited(models: Iterable[str]) -> frozenset[str]:
    """All anomalies the models (and every model they imply) proscribe."""
    out: set[str] = set()
    for model in models:
        for m in weaker(model):
            out |= MODELS[m][1]
    return frozenset(out)


def needs_order(models: Iterable[str]) -> str | None:
    """Which order graph the analysis needs: "realtime", "process" or None (Elle's txn.clj)."""
    banned = prohibited(models)
    if any(a.endswith(_R) for a in banned):
        return "realtime"
    if any(a.endswith(_P) for a in banned):
        return "process"
    return None


def boundary(found: Iterable[str]) -> tuple[list[str], list[str]]:
    """(:not, :also-not): the weakest models the found anomalies rule out, and the rest."""
    found = set(found)
    violated = {m for m in MODELS if prohibited([m]) & found}
    weakest = {m for m in violated if not (weaker(m) - {m}) & violated}
    return sorted(weakest), sorted(violated - weakest)


def cycle_families(banned: frozenset[str]) -> set[str]:
    """Which cycle searches (`workbench.elle.cycles.FAMILIES` names) the prohibited anomalies
    `banned` call for; the -process/-realtime variants follow from `needs_order`."""
    fams = set()
    if banned & {"G0", "G0" + _P, "G0" + _R, "PL-1-cycle-exists"}:
        fams.add("G0")
    if any(a == "G1" or a.startswith(("G1c", "G1-")) or a == "PL-2-cycle-exists"
           for a in banned):
        fams.add("G1c")
    for fam in ("G-single", "G-nonadjacent"):
        if any(a.startswith(fam) for a in banned):
            fams.add(fam)
    if any(a.startswith("G2") or a in ("PL-3-cycle-exists", "PL-SS-cycle-exists")
           for a in banned):
        fams.add("G2-item")
    return fams
