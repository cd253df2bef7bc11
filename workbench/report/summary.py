"""results/SUMMARY.md: one row per stage, read from results/<stage>/results.json (the plain
twin of results.edn; results.edn itself for a real Maelstrom run, which writes no twin).

    python -m workbench.report.summary [RESULTS_DIR]     (default: results)

The stages and their order are those of stages.txt (workbench.stages). Each stage has the
official target (the challenges at fly.io/dist-sys) and ours, which is stricter where we
aim higher; a target is a list of criteria over the results (valid?, servers msgs-per-op,
stable latency, availability), each met, missed or unknown (the figure is absent)."""

from __future__ import annotations

import datetime
import operator
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from ..stages import stages
from . import results as results_file


@dataclass(frozen=True)
class Criterion:
    metric: str  # a key of METRICS
    op: str  # "<", "<=", ">=", "=="
    bound: Any

    def describe(self) -> str:
        if self.metric == "valid":
            return "valid"
        unit = " ms" if "latency" in self.metric else ""
        return f"{self.metric} {self.op.replace('<=', '≤').replace('>=', '≥')} {self.bound}{unit}"

    def met(self, results: dict[str, Any]) -> bool | None:
        value = METRICS[self.metric](results)
        if value is None:
            return None
        return bool(_OPS[self.op](value, self.bound))


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">=": operator.ge, "==": operator.eq}
VALID = (Criterion("valid", "==", True),)


def _crit(*specs: tuple[str, str, Any]) -> tuple[Criterion, ...]:
    return VALID + tuple(Criterion(*s) for s in specs)


def _official_3d() -> tuple[Criterion, ...]:
    return _crit(("servers msgs-per-op", "<", 30), ("median stable latency", "<", 400),
                 ("max stable latency", "<", 600))


# stage -> (official target, from fly.io/dist-sys; ours, None = same as the official one)
TARGETS: dict[str, tuple[tuple[Criterion, ...], tuple[Criterion, ...] | None]] = {
    "echo": (VALID, None),
    "unique-ids": (VALID, None),
    "broadcast-3a": (VALID, None),
    "broadcast-3b": (VALID, None),
    "broadcast-3c": (VALID, None),
    "broadcast-3d": (_official_3d(),
                     _crit(("servers msgs-per-op", "<=", 12.5),
                           ("median stable latency", "<=", 120),
                           ("max stable latency", "<=", 250))),
    "broadcast-3e": (_crit(("servers msgs-per-op", "<", 20), ("median stable latency", "<", 1000),
                           ("max stable latency", "<", 2000)),
                     _crit(("servers msgs-per-op", "<=", 1.5),
                           ("median stable latency", "<=", 700),
                           ("max stable latency", "<=", 1100))),
    "counter": (VALID, _crit(("servers msgs-per-op", "<=", 1.0))),
    "kafka-5a": (VALID, None),
    "kafka-5b": (VALID, None),
    "kafka-5c": (VALID, _crit(("servers msgs-per-op", "<=", 2.0), ("availability", ">=", 0.999))),
    "txn-6a": (VALID, None),
    "txn-6b": (VALID, None),
    "txn-6b-partition": (VALID, None),
    "txn-6c": (VALID, _crit(("servers msgs-per-op", "<=", 1.0))),
}


def _get(results: Any, *path: Any) -> Any:
    for key in path:
        if not isinstance(results, dict) or key not in results:
            return None
        results = results[key]
    return results


def _quantile(qs: Any, q: float) -> Any:
    return results_file.quantile(qs, q)


def _valid(results: dict[str, Any]) -> Any:
    v = _get(results, "valid?")
    return v if v in (True, False) else (None if v is None else "unknown")


METRICS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "valid": lambda r: _valid(r) if _valid(r) in (True, False) else None,
    "servers msgs-per-op": lambda r: _get(r, "net", "servers", "msgs-per-op"),
    "all msgs-per-op": lambda r: _get(r, "net", "all", "msgs-per-op"),
    "median stable latency": lambda r: _quantile(_get(r, "workload", "stable-latencies"), 0.5),
    "max stable latency": lambda r: _quantile(_get(r, "workload", "stable-latencies"), 1),
    "availability": lambda r: _get(r, "availability", "ok-fraction"),
}


def verdict(criteria: Sequence[Criterion], results: dict[str, Any]) -> str:
    """"yes" if every criterion is met, "no" if one is missed, else "?" (a figure absent)."""
    outcomes = [c.met(results) for c in criteria]
    if False in outcomes:
        missed = [c.describe() for c, m in zip(criteria, outcomes, strict=True) if m is False]
        return "no (" + "; ".join(missed) + ")"
    return "yes" if all(o is True for o in outcomes) else "?"


def _num(x: Any, digits: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, (int, float)):
        return f"{x:.{digits}g}" if isinstance(x, float) else str(x)
    return str(x)


def latency_cell(results: dict[str, Any], stage: str) -> str:
    """p50 / p95 / p99 / max in ms; stable latency for broadcast stages."""
    stable = _get(results, "workload", "stable-latencies")
    if stage.startswith("broadcast") or stable is not None:
        if stable is None:
            return "stable: –"
        qs, prefix = stable, "stable "
    else:
        qs, prefix = _get(results, "perf", "latency-quantiles"), ""
    if not isinstance(qs, dict):
        return "–"
    return prefix + " / ".join(_num(_quantile(qs, q), 4) for q in (0.5, 0.95, 0.99, 1))


HEADER = ("| stage | valid? | servers msgs/op | all msgs/op | latency ms p50 / p95 / p99 / max "
          "| availability | official target | met | our target | met | folder |")


def row(stage: str, results: dict[str, Any]) -> str:
    official, ours = TARGETS.get(stage, (VALID, None))
    ours_text = "same" if ours is None else "; ".join(c.describe() for c in ours)
    ours_met = verdict(ours or official, results)
    cells = [stage, _num(_valid(results)),
             _num(METRICS["servers msgs-per-op"](results), 4),
             _num(METRICS["all msgs-per-op"](results), 4),
             latency_cell(results, stage),
             _num(METRICS["availability"](results), 4),
             "; ".join(c.describe() for c in official), verdict(official, results),
             ours_text, ours_met, f"[{stage}/]({stage}/)"]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def our_bounds(stage: str) -> dict[str, Any]:
    """metric -> bound of our target for `stage` (the official one where ours is the same)."""
    official, ours = TARGETS.get(stage, (VALID, None))
    return {c.metric: c.bound for c in (ours or official)}


def stage_order(names: Sequence[str]) -> list[str]:
    table = list(stages())
    known = [s for s in table if s in names]
    return known + sorted(n for n in names if n not in table)


def build(results_dir: Path) -> str:
    """The SUMMARY.md text for every results/<stage>/ folder with results."""
    found = {p.parent.name: p.parent for p in results_dir.glob("*/results.edn")}
    lines = ["# Results by stage", "",
             f"Built {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC from "
             "`results/*/results.json` (or results.edn) by "
             "`python -m workbench.report.summary` (run by `./run.sh all`). Official "
             "targets are those of the challenges (fly.io/dist-sys); ours are stricter "
             "where we aim higher. "
             "Latency is stable latency (broadcast) or "
             "operation latency.", "", HEADER, "|" + "---|" * 11]
    problems = []
    for stage in stage_order(list(found)):
        try:
            results = results_file.read(found[stage])
        except (OSError, ValueError) as err:
            problems.append(f"- {stage}: cannot read its results ({err})")
            continue
        lines.append(row(stage, results))
    missing = [s for s in stages() if s not in found]
    if missing:
        lines += ["", "Not run yet: " + ", ".join(missing) + "."]
    if problems:
        lines += ["", *problems]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> int:
    results_dir = Path(argv[0]) if argv else Path("results")
    if not results_dir.is_dir():
        print(f"no {results_dir}/ folder; run ./run.sh first", file=sys.stderr)
        return 1
    text = build(results_dir)
    (results_dir / "SUMMARY.md").write_text(text, encoding="utf-8")
    print(text, end="")
    print(f"Summary: {results_dir / 'SUMMARY.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
