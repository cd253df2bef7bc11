"""`python3 -m workbench shrink`'s parts that need no run: ddmin, the search over a value,
schedule entries cut to fewer nodes, a shorter time or earlier times, and the flags. (Shrinks
that run nodes are in tests/e2e/test_shrink_e2e.py.)"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Callable

import pytest

from workbench.errors import UsageError
from workbench.shrink import Config, ddmin, parse, project, shifted, smallest, truncated
from workbench.shrink import main as shrink_main

ROOT = Path(__file__).resolve().parent.parent
COUNTER = ["-w", "g-counter", "--bin", "tests/nodes/memory_counter.py", "--node-count", "3",
           "--time-limit", "10", "--rate", "10", "--nemesis", "kill"]


Predicate = Callable[[list[int]], bool]


def _first_failing(fails: Predicate, calls: list[int]) -> Callable[[list[list[int]]], int | None]:
    def test(candidates: list[list[int]]) -> int | None:
        calls.append(len(candidates))
        for i, c in enumerate(candidates):
            if fails(c):
                return i
        return None
    return test


def _one_minimal(result: list[int], fails: Predicate) -> bool:
    return all(not fails([x for j, x in enumerate(result) if j != i])
               for i in range(len(result)))


def test_ddmin_finds_the_items_a_failure_needs_and_nothing_else() -> None:
    def fails(c: list[int]) -> bool:
        return {3, 7, 12} <= set(c)

    calls: list[int] = []
    steps: list[list[int]] = []
    result = ddmin(list(range(20)), _first_failing(fails, calls),
                   lambda kept, what: steps.append(kept))
    assert result == [3, 7, 12]
    assert _one_minimal(result, fails)
    assert steps[-1] == result and all(fails(s) for s in steps)
    assert len(steps) >= 2  # it reduced step by step, each step failing


def test_ddmin_result_is_one_minimal_when_no_smaller_subset_is_unique() -> None:
    # fails when at least 3 odd numbers are present: many minimal answers, each 1-minimal
    def fails(c: list[int]) -> bool:
        return sum(1 for x in c if x % 2) >= 3

    result = ddmin(list(range(16)), _first_failing(fails, []))
    assert fails(result) and len(result) == 3 and _one_minimal(result, fails)


def test_ddmin_keeps_a_single_needed_item() -> None:
    def fails(c: list[int]) -> bool:
        return 5 in c

    assert ddmin([1, 5, 9], _first_failing(fails, [])) == [5]


@pytest.mark.parametrize("width", [1, 2, 3, 8])
def test_the_time_limit_search_finds_the_shortest_failing_time(width: int) -> None:
    seconds = [float(t) for t in range(1, 20)]  # below a known failing 20 s
    probes: list[float] = []

    def fails(values: list[float]) -> list[bool]:
        probes.extend(values)
        return [t >= 7 for t in values]

    i = smallest(seconds, fails, width)
    assert seconds[i] == 7.0
    assert 6.0 in probes and 7.0 in probes  # the answer's neighbour below was seen to pass
    if width == 1:
        assert len(probes) <= 5  # a binary search: ceil(log2(20))


def test_the_search_says_when_nothing_smaller_fails() -> None:
    assert smallest([1.0, 2.0, 3.0], lambda vs: [False] * len(vs), 2) == 3
    assert smallest([1.0, 2.0, 3.0], lambda vs: [True] * len(vs), 2) == 0
    assert smallest([], lambda vs: [], 2) == 0


def test_schedule_entries_for_fewer_nodes_a_shorter_or_earlier_run() -> None:
    part = json.dumps({"time": 4.0, "f": "start-partition", "value": "one",
                       "grudge": {"n0": ["n1", "n2"], "n1": ["n0"], "n2": ["n0"]}})
    kill = json.dumps({"time": 6.5, "f": "kill", "value": "one", "nodes": ["n0", "n2"]})
    heal = json.dumps({"time": 9.0, "f": "stop-partition", "value": None})
    assert json.loads(project(part, ["n0", "n1"]))["grudge"] == {"n0": ["n1"], "n1": ["n0"]}
    assert json.loads(project(part, ["n1"]))["grudge"] == {}
    assert json.loads(project(kill, ["n0", "n1"]))["nodes"] == ["n0"]
    assert project(heal, ["n0"]) == heal
    assert truncated([part, kill, heal], 6.5) == (part,)
    assert [json.loads(e)["time"] for e in shifted([part, kill, heal], 4.5)] == [0.0, 2.0, 4.5]


def test_a_configuration_says_its_size() -> None:
    c = Config(("n0", "n1"), 20.0, 1000.0, ("{}",) * 14)
    assert c.size() == "2 nodes, 20 s, rate 1000, 14 fault ops"
    assert Config(("n0",), 6.0, 5.0, ("{}",)).size() == "1 node, 6 s, rate 5, 1 fault op"


def test_a_pasted_replay_command_and_own_flags_are_told_apart() -> None:
    sh = parse(["--budget", "60", "--jobs=2", "python3", "-m", "workbench", "test", *COUNTER,
                "--sim", "--seed", "4", "--store", "/tmp/x", "--quiet"])
    assert (sh.budget, sh.jobs, sh.seed, sh.opts.store) == (60.0, 2, 4, "/tmp/x")
    assert sh.by_count and len(sh.opts.nodes) == 3
    c = Config(("n0",), 3.0, 1.0, ("{}",))
    cmd = sh.command(c, "s.jsonl")
    assert cmd.startswith("python3 -m workbench test -w g-counter --bin "
                          "tests/nodes/memory_counter.py")
    assert cmd.endswith("--node-count 1 --time-limit 3 --rate 1 --nemesis-schedule s.jsonl "
                        "--seed 4")
    assert "--store" not in cmd and "--quiet" not in cmd and cmd.count("--sim") == 1


def test_named_nodes_stay_named() -> None:
    sh = parse([*COUNTER[:4], "--nodes", "a,b,d", "--seed", "1"])
    assert not sh.by_count
    assert "--nodes a,b" in sh.command(Config(("a", "b"), 5.0, 5.0, None), None)


def test_a_sweep_line_gives_the_command(tmp_path: Path) -> None:
    lines = tmp_path / "sweep.jsonl"
    replay = "python3 -m workbench test " + " ".join(COUNTER) + " --sim --seed 8"
    lines.write_text(json.dumps({"seed": 3, "replay": "x"}) + "\n"
                     + json.dumps({"seed": 8, "replay": replay}) + "\n")
    sh = parse(["--from", str(lines), "--seed", "8"])
    assert sh.seed == 8 and sh.opts.rate == 10.0


@pytest.mark.parametrize(("argv", "message"), [
    ([*COUNTER], "needs the failing run's --seed"),
    ([], "needs a failing test's flags"),
    ([*COUNTER, "--seed", "1", "--budget", "0"], "--budget must be a number above 0"),
    ([*COUNTER, "--seed", "1", "--jobs", "two"], "--jobs must be a whole number above 0"),
    (["--from", "/nonexistent/sweep.jsonl", "--seed", "1"], "--from /nonexistent/sweep.jsonl"),
    (["--from", "x.jsonl"], "needs --seed N"),
    ([*COUNTER, "--seed", "1", "--budget"], "--budget needs a value"),
])
def test_bad_input_is_refused(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        parse(argv)


def test_a_sweep_without_the_seed_is_one_line_and_exit_254(tmp_path: Path) -> None:
    lines = tmp_path / "sweep.jsonl"
    lines.write_text(json.dumps({"seed": 3, "replay": "python3 -m workbench test"}) + "\n")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = shrink_main(["--from", str(lines), "--seed", "9"])
    assert code == 254
    assert err.getvalue().strip() == f"--from {lines}: no line for seed 9"
