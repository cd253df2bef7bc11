"""The partition nemesis (spec 7): grudges drawn per start, applied as one-way drops."""

from __future__ import annotations

import random

from .edn import Keyword

SPECS = ("one", "majority", "minority-third", "majorities-ring")

Grudge = dict[str, list[str]]  # receiver -> the senders it no longer hears


def complete_grudge(components: list[list[str]]) -> Grudge:
    """Each node drops every node outside its own component."""
    grudge: Grudge = {}
    for comp in components:
        others = [n for c in components if c is not comp for n in c]
        for node in comp:
            grudge[node] = list(others)
    return grudge


def majorities_ring(nodes: list[str], rng: random.Random) -> Grudge:
    n = len(nodes)
    m = n // 2 + 1
    if n <= 5:
        ring = list(nodes)
        rng.shuffle(ring)
        grudge: Grudge = {}
        for start in range(n):
            window = [ring[(start + i) % n] for i in range(m)]
            middle = window[m // 2]
            grudge[middle] = [x for x in ring if x not in window]
        return grudge
    links = {x: {x} for x in nodes}
    order = list(nodes)
    while True:
        short = [x for x in order if len(links[x]) < m]
        if not short:
            break
        rng.shuffle(short)
        short.sort(key=lambda x: len(links[x]))
        a = short[0]
        candidates = [x for x in order if x not in links[a]]
        if not candidates:
            break
        rng.shuffle(candidates)
        candidates.sort(key=lambda x: len(links[x]))
        b = candidates[0]
        links[a].add(b)
        links[b].add(a)
    return {x: [y for y in nodes if y not in links[x]] for x in nodes}


def draw_grudge(nodes: list[str], rng: random.Random) -> tuple[str, Grudge]:
    """(spec name, grudge) chosen uniformly among Maelstrom's four specs."""
    spec = rng.choice(SPECS)
    shuffled = list(nodes)
    if spec == "one":
        lone = rng.choice(nodes)
        return spec, complete_grudge([[lone], [x for x in nodes if x != lone]])
    if spec == "majority":
        rng.shuffle(shuffled)
        k = len(nodes) // 2
        return spec, complete_grudge([shuffled[:k], shuffled[k:]])
    if spec == "minority-third":
        rng.shuffle(shuffled)
        k = (len(nodes) - 1) // 3
        return spec, complete_grudge([shuffled[:k], shuffled[k:]])
    return spec, majorities_ring(nodes, rng)


def grudge_value(grudge: Grudge) -> list:
    """The completion value [:isolated {node [srcs]}], as the history shows it."""
    return [Keyword("isolated"), {k: sorted(v) for k, v in sorted(grudge.items()) if v}]
