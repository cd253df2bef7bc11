"""Faults as data (workbench/nemesis/schedule.py): the entries a history's nemesis ops make,
the replay generator, and a schedule file's errors, each one line naming the line of the file
(exit 254 through the command line)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gen_driver import take
from workbench.__main__ import main
from workbench.edn import Keyword
from workbench.errors import EXIT_USAGE, UsageError
from workbench.generator import NEMESIS
from workbench.nemesis import schedule
from workbench.nemesis.partition import grudge_value

NODES = ["n0", "n1", "n2"]


def _nem(t: float, f: str, value: object, **extra: object) -> dict:
    return {"time": int(t * 1e9), "type": "info", "process": NEMESIS, "f": f, "value": value,
            **extra}


def test_entries_take_the_resolved_targets_from_the_completions() -> None:
    history = [
        _nem(1.0, "start-partition", Keyword("one"), _at=0.9999999995),
        {"time": 1_100_000_000, "type": "ok", "process": 0, "f": "read", "value": 3},
        _nem(1.2, "start-partition", grudge_value({"n0": ["n1", "n2"], "n1": ["n0"],
                                                   "n2": ["n0"]})),
        _nem(2.0, "kill", None), _nem(2.5, "kill", {"n1": Keyword("killed"),
                                                   "n2": Keyword("already-dead")}),
        _nem(3.0, "stop-partition", None), _nem(3.1, "stop-partition", Keyword("network-healed")),
        _nem(9.0, "start", Keyword("all"), _final=True),
        _nem(9.1, "start", {n: Keyword("started") for n in NODES}, _final=True),
    ]
    assert schedule.entries(history) == [
        {"time": 0.9999999995, "f": "start-partition", "value": "one",
         "grudge": {"n0": ["n1", "n2"], "n1": ["n0"], "n2": ["n0"]}},
        {"time": 2.0, "f": "kill", "value": None, "nodes": ["n1", "n2"]},
        {"time": 3.0, "f": "stop-partition", "value": None},
    ]


def _write(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "schedule.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    return str(path)


def test_a_written_schedule_loads_back_as_the_ops_it_names(tmp_path: Path) -> None:
    path = tmp_path / schedule.FILE
    history = [_nem(1.5, "pause", Keyword("majority")),
               _nem(1.5, "pause", {"n0": Keyword("paused"), "n2": Keyword("paused")}),
               _nem(2.0, "start-partition", Keyword("one")),
               _nem(2.0, "start-partition", grudge_value({"n1": ["n0"], "n0": ["n1"]}))]
    schedule.write(path, history)
    assert len(path.read_text().splitlines()) == 2
    loaded = schedule.load(str(path), NODES)
    assert loaded == [
        (1.5, {"f": "pause", "value": "majority", "_target": ["n0", "n2"]}),
        (2.0, {"f": "start-partition", "value": "one",
               "_target": {"n0": ["n1"], "n1": ["n0"]}})]
    assert isinstance(loaded[0][1]["value"], Keyword)
    assert schedule.faults(loaded) == {"pause", "partition"}


def test_without_a_value_the_history_shows_the_target(tmp_path: Path) -> None:
    loaded = schedule.load(_write(tmp_path, '{"time": 0, "f": "kill", "nodes": ["n2", "n0"]}',
                                  "", '{"time": 0, "f": "start", "value": "all", '
                                      '"nodes": ["n0"]}'), NODES)
    assert loaded[0][1] == {"f": "kill", "value": ["n0", "n2"], "_target": ["n0", "n2"]}
    assert loaded[1][1]["value"] == Keyword("all")


def test_the_replay_emits_each_op_at_its_time_on_the_nemesis_thread() -> None:
    ops = take(schedule.Replay([(0.5, {"f": "kill", "value": None, "_target": ["n1"]}),
                                (0.5, {"f": "start", "value": None, "_target": ["n1"]}),
                                (2.0, {"f": "stop-partition", "value": None})]),
               10, threads=(NEMESIS,))
    assert [(op["f"], op["_target"] if "_target" in op else None) for op in ops] == [
        ("kill", ["n1"]), ("start", ["n1"]), ("stop-partition", None)]


@pytest.mark.parametrize("lines, error", [
    (['{"time": 1, "f": "kill", "nodes": ["n0"]', ], r"line 1: not JSON: .* at column"),
    (['{"time": 1, "f": "explode"}'], r'line 1: unknown nemesis op "f": "explode"; the ops '
                                      r"are kill, pause, resume, start, start-partition, "
                                      r"stop-partition"),
    (['{"time": 1, "f": "kill", "nodes": ["n7"]}'], r"line 1: unknown node 'n7' in \"nodes\" "
                                                    r"\(the nodes are n0, n1, n2\)"),
    (['{"time": 1, "f": "start-partition", "grudge": {"n0": ["x"]}}'], r"unknown node 'x'"),
    (['{"time": 2, "f": "stop-partition"}', "", '{"time": 1, "f": "stop-partition"}'],
     r"line 3: time 1 is before the previous entry's 2; entries go in time order"),
    (['{"time": -1, "f": "stop-partition"}'], r'line 1: "time" must be a number of seconds '
                                              r">= 0, not -1"),
    (['{"f": "stop-partition"}'], r'"time" must be a number of seconds >= 0, not null'),
    (['["kill"]'], r"line 1: an entry is a JSON object"),
    (['{"time": 1, "f": "kill"}'], r'line 1: kill needs "nodes"'),
    (['{"time": 1, "f": "kill", "nodes": "n1"}'], r'"nodes" must be a list of node names'),
    (['{"time": 1, "f": "stop-partition", "nodes": ["n1"]}'], r'stop-partition takes no '
                                                               r'"nodes"'),
    (['{"time": 1, "f": "kill", "value": 3, "nodes": ["n1"]}'], r'"value" must be a string'),
])
def test_a_bad_schedule_is_one_line_naming_its_line(tmp_path: Path, lines: list[str],
                                                    error: str) -> None:
    path = _write(tmp_path, *lines)
    with pytest.raises(UsageError, match=error) as caught:
        schedule.load(path, NODES)
    assert str(caught.value).startswith(f"--nemesis-schedule {path} line ")
    assert "\n" not in str(caught.value)


def test_a_missing_schedule_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"--nemesis-schedule .*nope.jsonl: No such file"):
        schedule.load(str(tmp_path / "nope.jsonl"), NODES)


def test_the_command_line_refuses_a_bad_schedule_with_exit_254(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, json.dumps({"time": 0.5, "f": "kill", "nodes": ["n9"]}))
    code = main(["test", "-w", "echo", "--bin", "echo.py", "--node-count", "3", "--sim",
                 "--store", str(tmp_path / "store"), "--nemesis-schedule", path])
    assert code == EXIT_USAGE == 254
    err = capsys.readouterr().err.strip()
    assert err == (f"--nemesis-schedule {path} line 1: unknown node 'n9' in \"nodes\" "
                   "(the nodes are n0, n1, n2)")
    assert not (tmp_path / "store").exists()


def test_the_schedule_s_faults_join_nemesis_so_that_they_are_healed(tmp_path: Path) -> None:
    from workbench import cli
    path = _write(tmp_path, '{"time": 1, "f": "pause", "value": "one", "nodes": ["n1"]}')
    opts = cli.parse(["-w", "echo", "--bin", "echo.py", "--node-count", "3",
                      "--nemesis", "partition", "--nemesis-schedule", path])
    assert opts.nemesis == {"partition", "pause"}
    assert opts.nemesis_schedule == str(Path(path).resolve())


def test_a_schedule_s_stops_are_its_kills_and_pauses_per_node(tmp_path: Path) -> None:
    path = tmp_path / "nemesis-schedule.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in [
        {"time": 0.39, "f": "kill", "value": "all", "nodes": ["n0", "n1"]},
        {"time": 4.8, "f": "start", "value": "all", "nodes": ["n0", "n1"]},
        {"time": 6.0, "f": "pause", "value": "one", "nodes": ["n1"]},
        {"time": 6.5, "f": "resume", "value": "all", "nodes": ["n0", "n1"]},
        {"time": 7.0, "f": "start-partition", "value": "majority", "grudge": {}},
    ]) + "\n")
    assert schedule.stops(path) == {"n0": [0.39], "n1": [0.39, 6.0]}
    assert schedule.stops(tmp_path / "none.jsonl") == {}
