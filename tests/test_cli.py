"""Maelstrom's flags, defaults and checks."""

from __future__ import annotations

import pytest

from workbench.cli import parse
from workbench.errors import UsageError


def test_default_workload_is_lin_kv() -> None:
    assert parse(["--bin", "echo.py", "--concurrency", "2n"]).workload == "lin-kv"


def test_defaults_match_maelstrom() -> None:
    o = parse(["--bin", "echo.py", "-w", "echo"])
    assert o.nodes == ["n1", "n2", "n3", "n4", "n5"]
    assert (o.rate, o.time_limit, o.latency, o.latency_dist) == (5.0, 60.0, 0, "constant")
    assert o.concurrency == 5 and o.nemesis == frozenset() and o.nemesis_interval == 10.0
    assert o.topology == "grid" and o.availability is None
    assert o.consistency_models == ["strict-serializable"]
    assert (o.max_txn_length, o.max_writes_per_key, o.test_count) == (4, 16, 1)


def test_node_count_concurrency_and_binary_args() -> None:
    o = parse(["-w", "kafka", "--bin", "kafka.py", "--node-count", "2", "--concurrency", "2n",
               "--nemesis", "partition", "--availability", "0.99", "--", "--mode", "fast"])
    assert o.nodes == ["n0", "n1"] and o.concurrency == 4
    assert o.nemesis == {"partition"} and o.availability == 0.99
    assert o.args == ["--mode", "fast"]


@pytest.mark.parametrize("argv, fragment", [
    ([], "Expected a --bin"),
    (["--bin", "x", "-w", "nope"], "unknown workload"),
    (["--bin", "x", "-w", "lin-kv-store"], "unknown workload 'lin-kv-store'"),
    (["--bin", "x", "--rate", "fast"], "--rate must be a number"),
    (["--bin", "x", "--node-count", "0"], "--node-count must be positive"),
    (["--bin", "x", "--concurrency", "n2"], "--concurrency"),
    (["--bin", "x", "--nemesis", "crash"], "the faults are kill, partition, pause"),
    (["--bin", "x", "--availability", "2"], "--availability"),
    (["--bin", "x", "--latency-dist", "normal"], "invalid choice"),
    (["--bin", "x", "--frobnicate"], "unknown option '--frobnicate'"),
])
def test_bad_flags_raise_usage_errors(argv: list[str], fragment: str) -> None:
    if "-w" not in argv:
        argv = [*argv, "-w", "echo"]
    with pytest.raises(UsageError) as err:
        parse(argv)
    assert fragment in str(err.value)
    assert err.value.exit_code == 254
