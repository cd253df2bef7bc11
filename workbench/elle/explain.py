"""Anomalies as text a student can follow. Cases stay data (dicts holding their ops); this
module only renders them: a cycle names its transactions T1..Tn, gives one line per edge and
ends on the edge that closes the loop. It renders a case as written to results.edn (ops in
history order, micro-ops with keyword fs: workbench.report.results.to_edn), and the results
writer calls it; check() never does.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import edn


def txn_text(op: dict[str, Any]) -> str:
    """`{:index 12, :process 3, :type :ok, :value [[:r 5 1] [:w 6 3]]}`."""
    return (f"{{:index {edn.dumps(op.get('index'))}, :process {edn.dumps(op.get('process'))}, "
            f":type :{op.get('type', '?')}, :value {edn.dumps(op.get('value'))}}}")


def _v(value: Any) -> str:
    return "nil (the initial state)" if value is None else edn.dumps(value)


def step_text(step: dict[str, Any], a: str, b: str) -> str:
    kind = step["type"]
    later = step.get("value'")
    if kind == "wr":
        return (f"{a} < {b}, because {a} wrote key {edn.dumps(step['key'])} = {_v(step['value'])}, "
                f"and {b} read that value.")
    if kind == "ww":
        return (f"{a} < {b}, because {a} wrote key {edn.dumps(step['key'])} = {_v(step['value'])}, "
                f"{b} wrote {_v(later)}, and the version order "
                f"puts {_v(step['value'])} first (a transaction read it and then wrote "
                f"{_v(later)}).")
    if kind == "rw":
        before = step["value"]
        seen = (f"read key {edn.dumps(step['key'])} as nil, before any write" if before is None else
                f"read key {edn.dumps(step['key'])} = {_v(before)}")
        return (f"{a} < {b}, because {a} {seen}, and {b} wrote the later version "
                f"{_v(later)}, which {a} did not see.")
    if kind == "process":
        return (f"{a} < {b}, because process {step['process']} performed {a} and then "
                f"{b}.")
    if kind == "realtime":
        done = step.get("a'", {}).get("index")
        return (f"{a} < {b}, because {a} completed (history index {done}) "
                f"before {b} was invoked (index {step['b']['index']}).")
    return f"{a} < {b} ({kind})."


def cycle_text(case: dict[str, Any],
               render_step: Callable[[dict[str, Any], str, str], str] | None = None) -> str:
    """A cycle in words; `render_step` renders one edge (default `step_text`, rw-register's)."""
    ops = case["cycle"][:-1]
    names = [f"T{i + 1}" for i in range(len(ops))]
    lines = [f"{case['type']}: a cycle of {len(ops)} transactions that no serial order can "
             "explain.", "Let:"]
    lines += [f"  {n} = {txn_text(op)}" for n, op in zip(names, ops, strict=True)]
    lines.append("Then:")
    steps = case["steps"]
    for i, step in enumerate(steps):
        a, b = names[i], names[(i + 1) % len(names)]
        text = (render_step or step_text)(step, a, b)
        if i == len(steps) - 1:
            text = "However, " + text[:-1] + ": a contradiction!"
        lines.append("  - " + text)
    return "\n".join(lines)


def case_text(kind: str, case: dict[str, Any]) -> str:
    """One anomaly case in words."""
    if "cycle" in case:
        return cycle_text(case)
    if kind == "internal":
        return (f"internal: inside {txn_text(case['op'])}, the read {edn.dumps(case['mop'])} "
                f"should have returned {_v(case['expected'])}, which this same transaction "
                "had just written or read for that key.")
    if kind == "G1a":
        return (f"G1a (aborted read): {txn_text(case['op'])} read {edn.dumps(case['mop'])}, "
                f"a value written only by {txn_text(case['writer'])}, which failed: "
                "a failed transaction's writes must never be visible.")
    if kind == "G1b":
        return (f"G1b (intermediate read): {txn_text(case['op'])} read "
                f"{edn.dumps(case['mop'])}, but {txn_text(case['writer'])} overwrote that "
                "value later in the same transaction: only a transaction's final write to a "
                "key may be visible.")
    if kind == "lost-update":
        txns = "; ".join(txn_text(op) for op in case["txns"])
        key = edn.dumps(case["key"])
        return (f"lost-update: {len(case['txns'])} transactions read key {key} = "
                f"{_v(case['value'])} and then each wrote that key, so all but one write "
                f"was based on a stale value: {txns}")
    if kind == "cyclic-versions":
        key = edn.dumps(case["key"])
        return (f"cyclic-versions: for key {key} the version order inferred from "
                f"writes that follow reads loops among values {edn.dumps(case['scc'])}; that "
                "inference was dropped for this key.")
    if kind.endswith("-cycle-exists"):
        return (f"{kind}: {case['scc-size']} transactions form a strongly connected "
                "component of the dependency graph (so some cycle exists), but the search "
                "ran out of time before naming one.")
    if kind == "empty-transaction-graph":
        return "empty-transaction-graph: no transaction completed ok, so nothing was checked."
    return f"{kind}: {edn.dumps(case)}"
