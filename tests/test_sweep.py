"""`python3 -m workbench sweep`'s parts that need no run: seed ranges, flag checks, failure
signatures and their grouping, the exit status, swarm draws, which requests a fault schedule
let reach a node. (Sweeps that run nodes are in
tests/e2e/test_sweep_e2e.py.)"""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import cli, swarm
from workbench.errors import UsageError
from workbench.journal import requests_in_time
from workbench.seedrun import signature
from workbench.sweep import Plan, exit_status, groups, parse, parse_seeds
from workbench.sweep import main as sweep_main

ROOT = Path(__file__).resolve().parent.parent
ECHO = ["-w", "echo", "--bin", str(ROOT / "echo.py"), "--node-count", "1", "--time-limit", "5"]


def test_seed_ranges_and_lists() -> None:
    assert parse_seeds("1-5") == [1, 2, 3, 4, 5]
    assert parse_seeds("7") == [7]
    assert parse_seeds("1-3,20,30-32") == [1, 2, 3, 20, 30, 31, 32]
    assert parse_seeds("3-4, 1 ,4-5") == [3, 4, 1, 5]  # in order given, each seed once
    assert parse_seeds("0-0") == [0]


@pytest.mark.parametrize("text", ["", "a", "3-1", "1-", "-5", "1..3", "1,,2", "1-2-3", "1.5"])
def test_bad_seed_ranges_are_refused(text: str) -> None:
    with pytest.raises(UsageError, match="--seeds"):
        parse_seeds(text)


@pytest.mark.parametrize("flags, message", [
    (["--seeds", "1-3", "--jobs", "0"], "--jobs must be positive"),
    (["--seeds", "1-3", "--jobs", "two"], "--jobs must be a whole number"),
    (["--seeds", "1-3", "--keep", "some"], "--keep must be one of all, failing, none"),
    (["--seeds", "1-3", "--timeout", "0"], "--timeout must be"),
    (["--seeds", "1-3", "--seed", "4"], r"--seed is not a sweep flag \(use --seeds\)"),
    (["--seeds", "1-3", "--test-count", "2"], "--test-count is not a sweep flag"),
    ([], "a sweep needs --seeds"),
    (["--seeds"], "--seeds needs a value"),
    (["--seeds", "1-3", "--cluster", "somewhere"], "--cluster must be a Dask scheduler"),
    (["--seeds", "1-3", "--swarm-rate", "1-5"], "--swarm-\\* flags need --swarm"),
    (["--seeds", "1-3", "--swarm", "--swarm-rate", "5-1"], "--swarm-rate must be LO-HI"),
    (["--seeds", "1-3", "--real", "--sim"], "--real and --sim contradict"),
    (["--seeds", "1-3", "--swarm=yes"], "--swarm takes no value"),
    (["--seeds", "1-3", "--node-count", "0"], "--node-count must be positive"),
])
def test_bad_sweep_flags_are_refused(flags: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse([*ECHO, *flags])


def test_bad_input_is_one_line_and_exit_254(tmp_path: Path) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = sweep_main([*ECHO, "--seeds", "1-x", "--store", str(tmp_path)])
    assert code == 254
    assert len(err.getvalue().strip().splitlines()) == 1, err.getvalue()
    assert not (tmp_path / "sweeps").exists()  # refused before anything started


def test_a_script_that_cannot_be_simulated_is_refused_before_anything_starts(
        tmp_path: Path) -> None:
    script = tmp_path / "node.sh"
    script.write_text("#!/bin/sh\nexec cat\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = sweep_main(["-w", "echo", "--bin", str(script), "--seeds", "1-3",
                           "--store", str(tmp_path / "store")])
    assert code == 254
    assert "--sim cannot run" in err.getvalue() and "not a Python script" in err.getvalue()
    assert not (tmp_path / "store").exists()


def test_flags_are_split_between_the_sweep_and_the_test() -> None:
    sw = parse([*ECHO, "--seeds=1-4", "--jobs", "3", "--keep", "all", "--timeout", "9",
                "--swarm", "--swarm-rate", "2-8", "--", "extra"])
    assert sw.seeds == [1, 2, 3, 4] and sw.jobs == 3 and sw.keep == "all"
    assert sw.timeout == 9 and sw.swarmed and sw.ranges.given == {"rate": (2.0, 8.0)}
    assert sw.flags == ECHO and sw.args == ["extra"]
    assert sw.opts.sim and sw.opts.workload == "echo" and sw.opts.args == ["extra"]
    assert not parse([*ECHO, "--seeds", "1", "--real"]).opts.sim


def test_the_replay_command_is_the_test_with_its_seed() -> None:
    plan = Plan(12, [*ECHO, "--sim"], None)
    assert plan.replay(["--mode", "x y"]) == (
        f"python3 -m workbench test -w echo --bin {ROOT / 'echo.py'} --node-count 1 "
        "--time-limit 5 --sim --seed 12 -- --mode 'x y'")


LOST = {"valid?": False, "lost-count": 2, "lost": [3, 4], "stable-count": 9,
        "never-read-count": 0, "duplicated-count": 0}


def _results(**checkers: object) -> dict[str, object]:
    base: dict[str, object] = {"perf": {"valid?": True}, "stats": {"valid?": True},
                               "workload": {"valid?": True}}
    base.update(checkers)
    return base


def test_a_valid_run_has_no_signature() -> None:
    assert signature(_results()) == ""


def test_signatures_name_the_failed_checkers_and_their_anomaly_types() -> None:
    assert signature(_results(workload=LOST)) == "workload[lost]"
    elle = {"valid?": False, "anomaly-types": ["G1c", "G-single"], "anomalies": {}}
    assert signature(_results(workload=elle)) == "workload[G-single,G1c]"
    kafka = {"valid?": False, "bad-error-types": ["unseen"], "error-types": ["unseen"],
             "unseen": {"count": 3}}
    assert signature(_results(workload=kafka)) == "workload[unseen]"
    unknown = {"valid?": "unknown", "error": "TypeError: unhashable type: 'list'"}
    assert signature(_results(workload=unknown)) == "workload[TypeError]"
    stats = {"valid?": False, "by-f": {"read": {"valid?": False}, "add": {"valid?": True},
                                       "crash": {"valid?": False}}}  # crash never counts
    assert signature(_results(stats=stats, availability={"valid?": False})) == \
        "availability stats[read]"
    nested = {"valid?": False, "latency-graph": {"valid?": False, "errors": ["x"]}}
    assert signature(_results(perf=nested)) == "perf.latency-graph[errors]"
    # stable: the same failure gives the same signature whatever the values and counts
    other = dict(LOST, **{"lost-count": 40, "lost": list(range(40))})
    assert signature(_results(workload=other)) == signature(_results(workload=LOST))


def _line(seed: int, exit_code: int, valid: object, sig: str = "", virtual: float = 10.0,
          deterministic: object = None) -> dict[str, object]:
    return {"seed": seed, "exit": exit_code, "valid": valid, "signature": sig,
            "virtual_s": virtual, "wall_s": 1.0, "deterministic": deterministic,
            "store": None, "replay": f"replay {seed}"}


def test_failures_group_by_signature_with_the_fastest_seed_first() -> None:
    lines = [_line(1, 0, True), _line(2, 1, False, "workload[lost]", 30.0),
             _line(3, 1, False, "workload[lost]", 12.5), _line(4, 2, "unknown", "stats[read]"),
             _line(5, 1, False, "workload[lost]", 40.0)]
    found = groups(lines)
    assert [sig for sig, _ in found] == ["workload[lost]", "stats[read]"]
    assert [x["seed"] for x in found[0][1]] == [3, 2, 5]


@pytest.mark.parametrize("outcomes, status", [
    ([(0, True)], 0),
    ([(0, True), (1, False)], 1),
    ([(0, True), (2, "unknown")], 2),
    ([(2, "unknown"), (1, False)], 1),
    ([(1, False), (255, "unknown")], 255),
    ([(0, True), (254, "unknown")], 255),  # a drawn configuration `test` refused
])
def test_the_exit_status_is_jepsens_test_all(outcomes: list[tuple[int, object]],
                                             status: int) -> None:
    lines = [_line(i, code, valid) for i, (code, valid) in enumerate(outcomes)]
    assert exit_status(lines) == status


def test_a_seed_that_did_not_replay_makes_the_sweep_broken() -> None:
    assert exit_status([_line(1, 0, True, deterministic=True)]) == 0
    assert exit_status([_line(1, 0, True), _line(2, 1, False, deterministic=False)]) == 255


def _opts(*flags: str) -> cli.Options:
    return cli.parse([*flags, "--sim"])


BROADCAST = ["-w", "broadcast", "--bin", str(ROOT / "broadcast.py"), "--node-count", "5",
             "--rate", "10", "--time-limit", "20", "--nemesis", "partition,kill,pause",
             "--nemesis-interval", "3"]


def test_a_swarm_draw_is_seeded_and_spelled_as_test_flags() -> None:
    opts = _opts(*BROADCAST)
    draws = {seed: swarm.draw(seed, opts, swarm.Ranges(), fixed_nodes=False)
             for seed in range(1, 41)}
    assert draws[7] == swarm.draw(7, opts, swarm.Ranges(), fixed_nodes=False)
    assert len({tuple(d) for d in draws.values()}) > 30
    for drawn in draws.values():
        parsed = cli.parse([*swarm.without_drawn(BROADCAST), *drawn, "--sim"])
        assert 2 <= parsed.node_count <= 7
        assert 2.5 <= parsed.rate <= 20 and 0 <= parsed.latency <= 100
        assert parsed.nemesis <= {"partition", "kill", "pause"}
        assert 1 <= parsed.time_limit <= 20
        if parsed.nemesis:
            assert 0.75 <= parsed.nemesis_interval <= 6
    fault_sets = {cli.parse([*BROADCAST, *d, "--sim"]).nemesis for d in draws.values()}
    assert len(fault_sets) >= 5  # subsets of the given faults, not always all of them


def test_swarm_ranges_bound_the_draws() -> None:
    ranges = swarm.Ranges()
    ranges.add("node-count", "3-3")
    ranges.add("time-limit", "4-6")
    opts = _opts(*BROADCAST)
    for seed in range(20):
        parsed = cli.parse([*swarm.without_drawn(BROADCAST),
                            *swarm.draw(seed, opts, ranges, fixed_nodes=False), "--sim"])
        assert parsed.node_count == 3 and 4 <= parsed.time_limit <= 6


def test_swarm_keeps_named_nodes_unless_asked_to_draw_their_count() -> None:
    flags = ["-w", "echo", "--bin", str(ROOT / "echo.py"), "--nodes", "n1,n2"]
    drawn = swarm.draw(3, _opts(*flags), swarm.Ranges(), fixed_nodes=True)
    assert "--node-count" not in drawn
    assert swarm.without_drawn([*flags, "--rate=4", "--quiet"]) == flags[:4] + ["--quiet"]


def test_a_swarm_draw_is_the_same_in_any_process_whatever_its_hash_seed() -> None:
    code = ("import sys; from workbench import cli, swarm; "
            "o = cli.parse(sys.argv[1:] + ['--sim']); "
            "print(swarm.draw(5, o, swarm.Ranges(), fixed_nodes=False))")
    mine = swarm.draw(5, _opts(*BROADCAST), swarm.Ranges(), fixed_nodes=False)
    for hash_seed in ("1", "777"):
        out = subprocess.run([sys.executable, "-c", code, *BROADCAST], cwd=ROOT, check=True,
                             capture_output=True, text=True,
                             env=dict(os.environ, PYTHONHASHSEED=hash_seed)).stdout
        assert out.strip() == str(mine)


def test_dask_is_not_imported_without_a_cluster() -> None:
    code = ("import sys, workbench.sweep, workbench.seedrun, workbench.__main__; "
            "print(sorted(m for m in ('distributed', 'dask', 'tqdm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_swarm_all_faults_keeps_every_fault_and_the_seeds_other_draws() -> None:
    opts = _opts(*BROADCAST)
    every = swarm.Ranges(all_faults=True)
    for seed in range(1, 30):
        base = swarm.without_drawn(BROADCAST)
        some = cli.parse([*base, *swarm.draw(seed, opts, swarm.Ranges(), False), "--sim"])
        drawn = swarm.draw(seed, opts, every, fixed_nodes=False)
        parsed = cli.parse([*base, *drawn, "--sim"])
        assert parsed.nemesis == {"partition", "kill", "pause"}
        assert (parsed.node_count, parsed.rate) == (some.node_count, some.rate)
        if some.nemesis:  # (an empty subset draws no interval, so its time limit differs)
            assert (parsed.nemesis_interval, parsed.time_limit) == \
                (some.nemesis_interval, some.time_limit)


def _journal(path: Path, *events: tuple[str, float, int, str, str, str]) -> Path:
    """A net-journal.jsonl of (type, time s, message id, src, dest, body type) events."""
    with path.open("w") as f:
        for n, (kind, t, mid, src, dest, body) in enumerate(events):
            f.write(json.dumps({"event": n, "time": int(t * 1e9), "type": kind, "message": {
                "id": mid, "src": src, "dest": dest, "body": {"type": body}}},
                separators=(",", ":")) + "\n")  # as the journal writes it
    return path


def test_only_requests_that_reach_a_node_while_their_client_waits_count(tmp_path: Path) -> None:
    setup = [("send", 0, 1, "c0", "n0", "init"), ("recv", 0, 1, "c0", "n0", "init"),
             ("send", 0, 2, "c1", "n0", "topology"), ("recv", 0, 2, "c1", "n0", "topology")]
    lost = ("send", 1, 3, "c2", "n0", "read")  # sent to a dead node: no recv
    held = [("send", 2, 4, "c3", "n0", "read"), ("recv", 7.5, 4, "c3", "n0", "read")]
    gossip = [("send", 3, 5, "n0", "n1", "read"), ("recv", 3, 5, "n0", "n1", "read")]
    answer = [("send", 3, 6, "n0", "c9", "read_ok"), ("recv", 3, 6, "n0", "c9", "read_ok")]
    nothing = _journal(tmp_path / "a.jsonl", *setup, lost, *held, *gossip, *answer)
    assert requests_in_time(nothing, 5.0) == ({}, {})
    # held 5.5 s: in time for a 6 s client, and told apart unless a 6 s pause held it
    assert requests_in_time(nothing, 6.0) == ({"read": 1}, {"read": 1})
    paused = {"n0": [(2.5, True), (7.5, False)]}  # paused after it was sent
    assert requests_in_time(nothing, 6.0, paused) == ({"read": 1}, {"read": 1})
    paused = {"n0": [(1.0, False), (1.2, True), (7.5, False)]}
    assert requests_in_time(nothing, 6.0, paused) == ({"read": 1}, {})
    fresh = _journal(tmp_path / "b.jsonl", *setup, lost,
                     ("send", 8, 7, "c4", "n1", "read"), ("recv", 12.9, 7, "c4", "n1", "read"))
    assert requests_in_time(fresh, 5.0) == ({"read": 1}, {"read": 1})
    # held 4.9 s by a pause from 3 s: in time, but the node saw a 9.9 s stall
    assert requests_in_time(fresh, 5.0, {"n1": [(3.0, True)]}) == ({"read": 1}, {})


def test_a_request_its_node_had_no_time_to_answer_counts_only_without_a_margin(
        tmp_path: Path) -> None:
    late = _journal(tmp_path / "c.jsonl",
                    ("send", 0.3921, 1, "c3", "n0", "add"),  # handed over as n0 is killed
                    ("recv", 0.3922, 1, "c3", "n0", "add"),
                    ("send", 6.0, 2, "c4", "n1", "add"),  # 5 ms before n1 pauses
                    ("recv", 6.0, 2, "c4", "n1", "add"))
    stops = {"n0": [0.39211], "n1": [6.005]}
    assert requests_in_time(late, 5.0, stops=stops) == ({"add": 2}, {"add": 2})
    assert requests_in_time(late, 5.0, stops=stops, margin=0.01) == ({}, {})
    # 20 ms to answer is time enough; and a stop long before does not matter
    stops = {"n0": [0.1], "n1": [6.02]}
    assert requests_in_time(late, 5.0, stops=stops, margin=0.01) == ({"add": 2}, {"add": 2})
    # nor is a request handed over just before its client gives up
    edge = _journal(tmp_path / "d.jsonl", ("send", 1.0, 1, "c3", "n0", "add"),
                    ("recv", 5.995, 1, "c3", "n0", "add"))
    assert requests_in_time(edge, 5.0, margin=0.01) == ({}, {})
    assert requests_in_time(edge, 5.0) == ({"add": 1}, {"add": 1})
