"""workbench.elle.graph: SCCs and the automaton-driven path search."""

from __future__ import annotations

import time

import pytest

from workbench.elle.graph import Digraph, SearchTimeout, find_path, sccs


def graph(*edges: tuple) -> Digraph:
    g = Digraph()
    for a, b, t in edges:
        g.add_edge(a, b, t)
    return g


def test_empty_graph_has_no_components() -> None:
    assert sccs(Digraph()) == []


def test_a_dag_has_no_components() -> None:
    assert sccs(graph((1, 2, 1), (2, 3, 1), (1, 3, 1))) == []


def test_components_respect_the_mask() -> None:
    g = graph((1, 2, 1), (2, 1, 2), (3, 4, 1), (4, 3, 1))
    assert sorted(sorted(c) for c in sccs(g)) == [[1, 2], [3, 4]]
    assert [sorted(c) for c in sccs(g, 1)] == [[3, 4]]


def test_edges_or_their_tags() -> None:
    g = graph((1, 2, 1), (1, 2, 4))
    assert g.tags(1, 2) == 5 and g.edge_count() == 1


def test_long_chain_does_not_recurse() -> None:
    n = 50_000
    g = graph(*((i, i + 1, 1) for i in range(n)), (n, 0, 1))
    assert len(sccs(g)[0]) == n + 1


def always(state: object, tags: int) -> list:
    return [(state, tags)]


def test_find_path_is_shortest() -> None:
    g = graph((1, 2, 1), (2, 3, 1), (3, 4, 1), (1, 4, 1))
    path = find_path(g, 1, None, 4, lambda s: True, always, {1, 2, 3, 4})
    assert path == [(1, 4, 1)]


def test_find_path_follows_the_automaton() -> None:
    # Only edges tagged 1 may be used: the direct edge (tag 2) is refused.
    g = graph((1, 4, 2), (1, 2, 1), (2, 4, 1))

    def ones(state: object, tags: int) -> list:
        return [(state, 1)] if tags & 1 else []
    assert find_path(g, 1, None, 4, lambda s: True, ones, {1, 2, 4}) == [(1, 2, 1), (2, 4, 1)]
    assert find_path(g, 1, None, 4, lambda s: True, ones, {1, 4}) is None


def test_find_path_times_out() -> None:
    n = 5000
    g = graph(*((i, i + 1, 1) for i in range(n)))
    with pytest.raises(SearchTimeout):
        find_path(g, 0, None, -1, lambda s: True, always, set(range(n + 1)),
                  deadline=time.monotonic() - 1)
