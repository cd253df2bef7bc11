"""Partition grudges: Maelstrom's four specs."""

from __future__ import annotations

import random

import pytest

from workbench.nemesis import complete_grudge, draw_grudge, majorities_ring

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
