"""Elle's result map, shared by the rw-register and list-append checkers (Elle's src/elle/txn.clj
`result-map`, with `remove-redundant-cycle-exists`).

Given every anomaly an analysis found (type -> cases) and the consistency models asked for:

- reportable: the found types the models prohibit, plus the two undecidable kinds
  (:empty-transaction-graph, :cycle-search-timeout), less the `<model>-cycle-exists` types
  whose model another reportable anomaly already rules out;
- none reportable: {"valid?": True};
- otherwise "valid?" False when a prohibited type was found, :unknown when only the
  undecidable ones were, "anomaly-types" and "anomalies" of the reportable ones, and
  "not" / "also-not", the boundary of *every* type found, reportable or not (Elle passes the
  whole anomaly map to `friendly-boundary`).
"""

from __future__ import annotations

from typing import Any, Iterable

from ..validity import UNKNOWN
from .exists import redundant_types
from .models import UNKNOWN_TYPES, boundary, prohibited


def result_map(found: dict[str, Any], models: Iterable[str]) -> dict[str, Any]:
    """Elle's result for the anomalies `found` (type -> cases) under canonical `models`."""
    banned = prohibited(models)
    reportable = {k: v for k, v in found.items() if k in banned or k in UNKNOWN_TYPES}
    for kind in redundant_types(set(reportable)) & set(reportable):
        del reportable[kind]
    if not reportable:
        return {"valid?": True}
    types = sorted(reportable)
    not_, also_not = boundary(found)
    return {
        "valid?": False if banned & set(found) else UNKNOWN,
        "anomaly-types": types,
        "anomalies": {t: reportable[t] for t in types},
        "not": set(not_),
        "also-not": set(also_not),
    }
