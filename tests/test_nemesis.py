"""The nemesis: partition grudges (Maelstrom's four specs), the kill and pause schedule
(Jepsen's combined db-package), the final heal, and the registry of fault packages."""

from __future__ import annotations

import random

import pytest

from tests.gen_driver import take
from workbench.generator import NEMESIS
from workbench.nemesis import Package, final_generator, packages_generator, registry
from workbench.nemesis.kill_pause import TARGETS, db_nodes
from workbench.nemesis.partition import complete_grudge, draw_grudge, majorities_ring

NODES = [f"n{i}" for i in range(5)]


def test_complete_grudge_is_symmetric_between_components() -> None:
    g = complete_grudge([["n0"], ["n1", "n2"]])
    assert g == {"n0": ["n1", "n2"], "n1": ["n0"], "n2": ["n0"]}


@pytest.mark.parametrize("n", [3, 5, 7, 9])
def test_majorities_ring_every_node_hears_a_majority_and_views_differ(n: int) -> None:
    nodes = [f"n{i}" for i in range(n)]
    for seed in range(20):
        g = majorities_ring(nodes, random.Random(seed))
        heard = {x: frozenset(nodes) - set(g.get(x, [])) for x in nodes}
        assert all(len(h) >= n // 2 + 1 for h in heard.values())
        if n == 5:  # the ring construction; larger clusters use a random greedy one
            assert len(set(heard.values())) == n


def test_every_spec_is_drawn() -> None:
    rng = random.Random(0)
    specs = {draw_grudge(NODES, rng)[0] for _ in range(200)}
    assert specs == {"one", "majority", "minority-third", "majorities-ring"}


# ---- kill and pause ------------------------------------------------------------------------


@pytest.mark.parametrize("spec, sizes", [("one", {1}), ("minority", {2}), ("majority", {3}),
                                         ("minority-third", {1}), ("all", {5}),
                                         (None, {1, 2, 3, 4, 5})])
def test_db_node_specs_pick_jepsens_targets(spec: str | None, sizes: set[int]) -> None:
    rng = random.Random(3)
    seen = set()
    for _ in range(300):
        chosen = db_nodes(NODES, spec, rng)
        assert len(chosen) in sizes and len(set(chosen)) == len(chosen)
        assert chosen == [n for n in NODES if n in chosen]  # in node order
        seen.add(len(chosen))
    assert seen == sizes
    assert db_nodes(NODES, ["n3", "n1"], rng) == ["n1", "n3"]


def _ops(faults: str, n: int = 400) -> list[dict]:
    streams = {"nemesis": random.Random(1), "db-nemesis": random.Random(2)}
    g = packages_generator(frozenset(faults.split(",")), 1.0, streams.__getitem__)
    assert g is not None
    return take(g, n, threads=(NEMESIS,))


def test_each_fault_alternates_strike_and_recovery_and_faults_mix() -> None:
    ops = _ops("kill,pause")
    for fault, recovery in (("kill", "start"), ("pause", "resume")):
        mine = [op["f"] for op in ops if op["f"] in (fault, recovery)]
        assert mine[0] == fault and all(a != b for a, b in zip(mine, mine[1:], strict=False))
    assert {op["f"] for op in ops} == {"kill", "start", "pause", "resume"}
    targets = {op["value"] for op in ops if op["f"] in ("kill", "pause")}
    assert targets == set(TARGETS)
    assert all(op["value"] == "all" for op in ops if op["f"] in ("start", "resume"))


def test_partition_and_db_faults_run_side_by_side() -> None:
    fs = {op["f"] for op in _ops("partition,kill")}
    assert fs == {"start-partition", "stop-partition", "kill", "start"}
    assert packages_generator(frozenset(), 1.0, random.Random) is None


def test_recovery_heals_then_resumes_then_starts_everyone() -> None:
    final = final_generator(frozenset({"kill", "pause", "partition"}))
    assert final is not None
    ops = take(final, 10, threads=(NEMESIS,))
    assert [(op["f"], op["value"]) for op in ops] == [
        ("stop-partition", None), ("resume", "all"), ("start", "all")]
    assert all(op["_final"] for op in ops)  # left out of the run's schedule file
    assert final_generator(frozenset()) is None


# ---- the registry ----------------------------------------------------------------------


def test_the_registry_lists_the_packages_faults_ops_and_perfs_in_order() -> None:
    assert registry.fault_names() == ["partition", "kill", "pause"]
    assert [p.name for p in registry.perfs()] == ["partition", "kill", "pause"]
    assert {f: registry.fault_of(f) for f in registry.op_names()} == {
        "start-partition": "partition", "stop-partition": "partition", "kill": "kill",
        "start": "kill", "pause": "pause", "resume": "pause"}
    assert registry.op("explode") is None


def test_a_package_cannot_take_a_registered_fault_or_op() -> None:
    twin = Package(faults=("kill",), generator=lambda faults, interval, stream: None,
                   final=lambda faults: [], ops={})
    with pytest.raises(ValueError, match="already registered: kill"):
        registry.register(twin)
    assert registry.fault_names() == ["partition", "kill", "pause"]
