"""Generators: where ops come from (spec 4).

A generator hands an op template (a dict with at least "f" and "value") to a free worker
thread, and hears about every completion. Rate limiting, the time limit and the phases are
the interpreter's; a generator only decides *what* comes next. A template may carry "_at"
(seconds since the run started): the worker waits until then before invoking (final-phase
staggers use it).
"""

from __future__ import annotations

import random
from typing import Callable, Iterator, Protocol


class Generator(Protocol):
    def op(self, thread: int, now: float) -> dict | None:
        """The next op template for `thread` at `now` (s), or None when this thread is done."""

    def update(self, completion: dict) -> None:
        """Hear about a completed op (any thread)."""


class Stream:
    """An endless stream of ops from a function of the RNG (most main-phase generators)."""

    def __init__(self, make: Callable[[random.Random], dict], rng: random.Random) -> None:
        self.make = make
        self.rng = rng

    def op(self, thread: int, now: float) -> dict | None:
        return self.make(self.rng)

    def update(self, completion: dict) -> None:
        pass


class FromIterator:
    """Ops taken in order from one shared iterator, whichever thread asks."""

    def __init__(self, ops: Iterator[dict]) -> None:
        self.ops = ops

    def op(self, thread: int, now: float) -> dict | None:
        return next(self.ops, None)

    def update(self, completion: dict) -> None:
        pass


class EachThreadOnce:
    """Every thread performs one op made by `make()` (e.g. one final read per client thread)."""

    def __init__(self, make: Callable[[], dict]) -> None:
        self.make = make
        self.done: set[int] = set()

    def op(self, thread: int, now: float) -> dict | None:
        if thread in self.done:
            return None
        self.done.add(thread)
        return self.make()

    def update(self, completion: dict) -> None:
        pass


def mix(rng: random.Random, *makers: Callable[[random.Random], dict]) -> Callable[
        [random.Random], dict]:
    """A maker that picks one of `makers` uniformly per op."""
    return lambda r: rng.choice(makers)(r)


def stagger_gap(rng: random.Random, rate: float) -> float:
    """The gap between two due times under --rate: uniform in [0, 2/rate) (Jepsen's stagger)."""
    return rng.uniform(0.0, 2.0 / rate)
