"""Faults as data, end to end on simulated runs: the schedule a run writes
(nemesis-schedule.jsonl), fed back with --nemesis-schedule and the same seed, performs the
same nemesis ops; a cut-down schedule performs only what is left of it; and a fault package
registered by a test (a toy that marks nodes and does nothing else) runs, is written to the
schedule and is drawn by the report, with no other edit."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_simulated
from workbench import generator as gen
from workbench.edn import Keyword
from workbench.errors import UsageError
from workbench.history import NEMESIS, read_edn
from workbench.nemesis import NODES, Op, Package, Perf, Scope, registry, schedule
from workbench.report.ops import fault_periods

pytestmark = pytest.mark.slow

COUNTER = ["-w", "g-counter", "--bin", "counter.py", "--node-count", "3", "--rate", "50",
           "--time-limit", "6", "--nemesis", "partition,kill,pause", "--nemesis-interval",
           "0.6", "--seed", "5"]


def _nemesis_ops(run_dir: Path) -> list[tuple[Any, ...]]:
    return [(op["time"], op["f"], op["value"]) for op in read_edn(run_dir / "history.edn")
            if op["process"] == NEMESIS]


def _entries(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in
            (run_dir / schedule.FILE).read_text().splitlines()]


def test_a_written_schedule_replays_the_same_faults(tmp_path: Path) -> None:
    first = run_simulated(tmp_path / "a", *COUNTER)
    assert first.run_dir is not None and first.code == 0, first.stdout + first.stderr
    written = _entries(first.run_dir)
    assert {e["f"] for e in written} >= {"start-partition", "kill", "pause"}
    assert any(e.get("nodes") for e in written) and any(e.get("grudge") for e in written)
    again = run_simulated(tmp_path / "b", *COUNTER, "--nemesis-schedule",
                          str(first.run_dir / schedule.FILE))
    assert again.run_dir is not None and again.code == first.code, again.stdout + again.stderr
    assert _nemesis_ops(again.run_dir) == _nemesis_ops(first.run_dir)
    # nothing drawn differs, so the whole run repeats, and so does its schedule
    for name in ("history.edn", "results.edn", schedule.FILE):
        assert (again.run_dir / name).read_bytes() == (first.run_dir / name).read_bytes(), name


def test_a_cut_down_schedule_performs_only_its_entries(tmp_path: Path) -> None:
    first = run_simulated(tmp_path / "a", *COUNTER)
    assert first.run_dir is not None
    kept = [e for e in _entries(first.run_dir) if e["f"] in ("kill", "start")][:2]
    assert [e["f"] for e in kept] == ["kill", "start"] and kept[0]["nodes"]
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(json.dumps(e) + "\n" for e in kept))
    cut_at = COUNTER.index("--nemesis")
    flags = COUNTER[:cut_at] + COUNTER[cut_at + 2:]  # no --nemesis: the file names the faults
    run = run_simulated(tmp_path / "c", *flags, "--nemesis-schedule", str(cut))
    assert run.run_dir is not None, run.stdout + run.stderr
    history = read_edn(run.run_dir / "history.edn")
    nemesis = [op for op in history if op["process"] == NEMESIS]
    invoked = [(op["f"], op["value"]) for op in nemesis[0::2]]
    # the two kept ops, then the heal before the final reads: kill's alone (from the file)
    assert invoked[:2] == [("kill", Keyword(kept[0]["value"]) if kept[0]["value"] else None),
                           ("start", Keyword(kept[1]["value"]) if kept[1]["value"] else None)]
    assert invoked[2:] == [("start", "all")]
    assert [sorted(str(n) for n in nemesis[1]["value"])] == [kept[0]["nodes"]]
    assert [round(op["time"] / 1e9, 6) for op in nemesis[0:4:2]] == \
        [round(e["time"], 6) for e in kept]
    assert _entries(run.run_dir) == kept
    assert not (run.run_dir / "history.edn").read_text().count(":start-partition")


# ---- a toy fault: one record, registered by the test ------------------------------------


async def _mark(scope: Scope, nodes: list[str]) -> dict[str, Keyword]:
    return {node: Keyword("marked") for node in nodes}


async def _unmark(scope: Scope, target: Any) -> Keyword:
    return Keyword("unmarked")


def _toy_generator(faults: frozenset[str], interval: float, stream: Any) -> gen.Generator:
    ops = gen.Cycle([{"f": "start-mark", "value": Keyword("one")},
                     {"f": "stop-mark", "value": None}])
    return gen.nemesis(gen.Stagger(interval, ops, random.Random(1)))


def _resolve_one(scope: Scope, value: Any) -> list[str]:
    return [scope.targets.choice(scope.nodes)]


TOY = Package(
    faults=("mark",),
    generator=_toy_generator,
    final=lambda faults: [{"f": "stop-mark", "value": None}],
    ops={"start-mark": Op(_mark, _resolve_one, NODES), "stop-mark": Op(_unmark)},
    perf=(Perf("mark", frozenset({"start-mark"}), frozenset({"stop-mark"}), "#336699"),),
)


def test_a_registered_fault_runs_is_scheduled_and_drawn(tmp_path: Path) -> None:
    flags = ["-w", "g-counter", "--bin", "counter.py", "--node-count", "3", "--rate", "20",
             "--time-limit", "4", "--nemesis", "mark", "--nemesis-interval", "0.5",
             "--seed", "2"]
    registry.register(TOY)
    try:
        run = run_simulated(tmp_path / "a", *flags)
        assert run.run_dir is not None and run.code == 0, run.stdout + run.stderr
        history = read_edn(run.run_dir / "history.edn")
        marks = [op for op in history if op["process"] == NEMESIS]
        assert {op["f"] for op in marks} == {"start-mark", "stop-mark"}
        assert all(set(op["value"].values()) == {"marked"} for op in marks[1::2]
                   if op["f"] == "start-mark")
        assert marks[-1]["f"] == "stop-mark"  # the final heal
        periods = [p for p in fault_periods(history) if p[2] == "mark"]
        assert len(periods) >= 2 and all(a < b for a, b, _ in periods)
        page = (run.run_dir / "timeline.html").read_text()
        assert ".mark { position: absolute; left: 0; background: #336699" in page
        assert 'class="mark"' in page  # its periods shaded
        written = _entries(run.run_dir)
        assert written[0]["f"] == "start-mark" and len(written[0]["nodes"]) == 1
        again = run_simulated(tmp_path / "b", *flags, "--nemesis-schedule",
                              str(run.run_dir / schedule.FILE))
        assert again.run_dir is not None
        assert _nemesis_ops(again.run_dir) == _nemesis_ops(run.run_dir)
    finally:
        registry.unregister(TOY)
    assert "mark" not in registry.fault_names()
    from workbench import cli
    with pytest.raises(UsageError, match="unknown nemesis fault"):
        cli.parse(flags)
