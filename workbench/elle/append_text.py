"""List-append anomalies in words.

Cases stay data (see `workbench.elle.append_cases` and `list_append.check`); this module only
renders them, as written to results.edn (see `explain`); the results writer
(workbench.report.results) puts the text beside the data and into the run's `elle/` folder.
Cycles reuse `explain.cycle_text` with list-append wording for the ww, wr and rw edges;
process and real-time edges read as in rw-register.
"""

from __future__ import annotations

from typing import Any

from .. import edn
from . import explain


def _d(x: Any) -> str:
    return edn.dumps(x)


def step_text(step: dict[str, Any], a: str, b: str) -> str:
    """One edge of a list-append cycle: "a < b, because ..."."""
    kind, key, later = step["type"], _d(step.get("key")), _d(step.get("value'"))
    if kind == "ww":
        return (f"{a} < {b}, because {a} appended {_d(step['value'])} to key {key} and "
                f"{b}'s append of {later} comes right after "
                "it in that key's order (the longest read of the key).")
    if kind == "wr":
        return (f"{a} < {b}, because {b} read key {key} as a list ending in "
                f"{_d(step['value'])}, which {a} appended.")
    if kind == "rw":
        if step["value"] is None:
            return (f"{a} < {b}, because {a} read key {key} empty, and {b} appended {later} "
                    "to it, the first element of its order.")
        return (f"{a} < {b}, because {a} read key {key} as a list ending in "
                f"{_d(step['value'])}, so it did not see {b}'s append of {later}, "
                "which comes next in the key's order.")
    return explain.step_text(step, a, b)


def case_text(kind: str, case: Any) -> str:
    """One list-append anomaly case in words."""
    if isinstance(case, dict) and "cycle" in case:
        return explain.cycle_text(case, step_text)
    if kind == "internal":
        return (f"internal: inside {explain.txn_text(case['op'])}, the read "
                f"{_d(case['mop'])} disagrees with what the txn itself read or appended "
                f"before; expected {_d(case['expected'])} (... stands for elements "
                "before the txn's own appends, which it never read).")
    if kind == "future-read":
        return (f"future-read: {explain.txn_text(case['op'])} read {_d(case['mop'])}, "
                f"which already holds {_d(case['element'])}, an element this txn appends "
                "only later.")
    if kind in ("G1a", "G1b"):
        what = ("G1a (aborted read): the element comes from a txn that failed"
                if kind == "G1a" else
                "G1b (intermediate read): the writer appended more to that key later in "
                "the same txn, so this state was never committed")
        return (f"{what}. Reader {explain.txn_text(case['op'])} read {_d(case['mop'])}, "
                f"element {_d(case['element'])}; writer {explain.txn_text(case['writer'])}.")
    if kind == "dirty-update":
        first, _, last = case["txns"]
        return (f"dirty-update: key {_d(case['key'])} went through elements "
                f"{_d(case['values'])}; the first came from the failed "
                f"{explain.txn_text(first)}, yet the committed {explain.txn_text(last)} "
                "appended on top of that aborted state.")
    if kind == "duplicate-elements":
        return (f"duplicate-elements: {explain.txn_text(case['op'])} read "
                f"{_d(case['mop'])}, where elements appear more than once (element -> "
                f"count: {_d(case['duplicates'])}); every element is appended only once.")
    if kind == "incompatible-order":
        a, b = case["values"]
        return (f"incompatible-order: key {_d(case['key'])} was read as {_d(a)} and as "
                f"{_d(b)}; the shorter is not a prefix of the longer, so no single order "
                "of appends explains both.")
    if kind == "empty-transaction-graph":
        return ("empty-transaction-graph: no dependency or order edge between any two "
                "transactions, so nothing could be checked.")
    return explain.case_text(kind, case)
