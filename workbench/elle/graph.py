"""A directed graph whose edges carry tag bits, strongly connected components, and a budgeted
breadth-first search for cycles. Knows nothing of transactions: vertices are any hashable
values and tags are small integers (bit flags) chosen by the caller.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Hashable, Iterable, TypeVar

Vertex = Hashable


class SearchTimeout(Exception):
    """Raised when a cycle search runs past its budget."""


class Digraph:
    """Vertices -> {successor: tag bits}. Adding an edge twice ORs the tags."""

    def __init__(self) -> None:
        self.out: dict[Vertex, dict[Vertex, int]] = {}

    def add_vertex(self, v: Vertex) -> None:
        self.out.setdefault(v, {})

    def add_edge(self, a: Vertex, b: Vertex, tags: int) -> None:
        succ = self.out.setdefault(a, {})
        self.out.setdefault(b, {})
        succ[b] = succ.get(b, 0) | tags

    def tags(self, a: Vertex, b: Vertex) -> int:
        return self.out.get(a, {}).get(b, 0)

    def edge_count(self) -> int:
        return sum(len(s) for s in self.out.values())

    def __len__(self) -> int:
        return len(self.out)

    def edges(self, mask: int = -1) -> Iterable[tuple[Vertex, Vertex, int]]:
        for a, succ in self.out.items():
            for b, t in succ.items():
                if t & mask:
                    yield a, b, t & mask


def sccs(graph: Digraph, mask: int = -1) -> list[list[Vertex]]:
    """Strongly connected components of more than one vertex, using only edges whose tags
    meet `mask` (iterative Tarjan; self-loops are never added by our callers)."""
    index: dict[Vertex, int] = {}
    low: dict[Vertex, int] = {}
    on_stack: set[Vertex] = set()
    stack: list[Vertex] = []
    found: list[list[Vertex]] = []
    counter = 0
    out = graph.out
    for root in out:
        if root in index:
            continue
        work = [(root, iter(out[root].items()))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w, t in it:
                if not t & mask:
                    continue
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(out[w].items())))
                    advanced = True
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[v] < low[parent]:
                    low[parent] = low[v]
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    found.append(comp)
    return found


# A transition function for the search: (state, edge tags) -> [(next state, tag used)].
State = TypeVar("State", bound=Hashable)  # the automaton's state


def find_path(graph: Digraph, start: Vertex, start_state: State, goal: Vertex,
              accept: Callable[[State], bool],
              step: Callable[[State, int], list[tuple[State, int]]], within: set[Any],
              deadline: float | None = None) -> list[tuple[Vertex, Vertex, int]] | None:
    """The shortest path start -> goal inside `within`, driven by a small automaton: each
    edge is followed only as `step` allows, and the path must end in a state `accept` likes.
    Returns [(a, b, tag used), ...] or None. Raises SearchTimeout past `deadline`."""
    first = (start, start_state)
    parent: dict[tuple[Any, ...], tuple[Any, ...] | None] = {first: None}
    frontier = [first]
    out = graph.out
    steps = 0
    while frontier:
        nxt = []
        for node in frontier:
            v, state = node
            for w, tags in out[v].items():
                if w not in within:
                    continue
                for state2, used in step(state, tags):
                    key = (w, state2)
                    if key in parent:
                        continue
                    parent[key] = (node, used)
                    if w == goal and accept(state2):
                        return _unwind(parent, key)
                    nxt.append(key)
            steps += 1
            if deadline is not None and steps % 256 == 0 and time.monotonic() > deadline:
                raise SearchTimeout()
        frontier = nxt
    return None


def _unwind(parent: dict[Any, Any], key: tuple[Any, ...]) -> list[tuple[Vertex, Vertex, int]]:
    path = []
    while parent[key] is not None:
        prev, used = parent[key]
        path.append((prev[0], key[0], used))
        key = prev
    path.reverse()
    return path
