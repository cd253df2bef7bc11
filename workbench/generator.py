"""Generators: where ops come from and when, composed as Jepsen's jepsen/generator.clj
composes them (Maelstrom's src/maelstrom/core.clj builds its whole run this way).

A generator is asked, given a `Context` (the time and the free threads it may use), for its
next op. It answers with an `Emit` (an op, the thread to run it on and the time it is due),
with `Pending` (nothing yet: ask again after the next completion, or at `until`), or with
None (exhausted). Asking again without emitting gives the same answer for the same context:
a generator draws an op's contents once, and keeps it until the interpreter says it was
`emitted`. So the k-th op a stream emits is the k-th it drew, whatever the timing.

The interpreter only asks, waits, hands due ops to threads, records them and reports each
completion back through `update`. Everything about timing lives here:

    Stagger(dt, g)     ops due a uniform [0, 2 dt) apart (Jepsen's stagger; --rate)
    TimeLimit(t, g)    nothing due at or after t seconds from the first ask
    Limit(n, g)        at most n ops
    Any(a, b, ...)     whichever child has the soonest op
    Phases(a, b, ...)  a until exhausted and every thread idle, then b, ...
    OnThreads(p, g)    g sees only the threads p accepts (clients, or the nemesis)
    EachThread(make)   every thread its own generator make(thread)
    Stream(make, rng)  an endless stream of ops made from an RNG
    Once(op), Cycle(ops), Sleep(dt), Do(fn), log_step(text)

Ops are plain dicts with "f" and "value" (and any extra keys a workload wants recorded);
they carry no timing fields.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING, Callable, NamedTuple, Protocol, Sequence, Union

if TYPE_CHECKING:
    from .history import Op

log = logging.getLogger("jepsen.generator")

Thread = Union[int, str]  # client threads 0..C-1, and "nemesis"
NEMESIS = "nemesis"


class Context(NamedTuple):
    """What a generator may know when asked: the time (s since the run started), the threads
    it may use, which of them are free, and how to choose among free threads."""

    time: float
    threads: tuple[Thread, ...]
    free: tuple[Thread, ...]
    choose: Callable[[Sequence[Thread]], Thread]

    def restrict(self, accept: Callable[[Thread], bool]) -> Context:
        return Context(self.time, tuple([t for t in self.threads if accept(t)]),
                       tuple([t for t in self.free if accept(t)]), self.choose)

    def idle(self) -> bool:
        """Whether every thread this context covers is free."""
        return len(self.free) == len(self.threads)


class Emit(NamedTuple):
    """An op to invoke on `thread` at `time` (s since the run started) or as soon after as
    the interpreter gets to it."""

    time: float
    thread: Thread
    op: Op


class Pending(NamedTuple):
    """Nothing to emit yet: ask again after the next completion, or at `until` if given."""

    until: float | None = None


PENDING = Pending()
Answer = Union[Emit, Pending, None]


class Generator(Protocol):
    def op(self, ctx: Context) -> Answer:
        """The next op (the same one until it is emitted), Pending, or None when done."""

    def emitted(self, ctx: Context, emit: Emit) -> None:
        """The interpreter invoked `emit`, the answer this generator just gave."""

    def update(self, ctx: Context, thread: Thread, completion: Op) -> None:
        """An op completed on `thread` (any thread; each generator takes what it needs)."""


def _soonest(candidates: Sequence[tuple[Generator, Answer]]) -> tuple[Answer, Generator | None]:
    """Among live children's (generator, answer): the soonest op and whose it is (ties: the
    first); with no op, the soonest Pending; with no live child, None."""
    best: Emit | None = None
    source: Generator | None = None
    for gen, answer in candidates:
        if isinstance(answer, Emit) and (best is None or answer.time < best.time):
            best, source = answer, gen
    if best is not None:
        return best, source
    if not candidates:
        return None, None
    untils = [a.until for _, a in candidates if isinstance(a, Pending) and a.until is not None]
    return (Pending(min(untils)) if untils else PENDING), None


class Base:
    """Default no-op `emitted` and `update`."""

    def emitted(self, ctx: Context, emit: Emit) -> None:
        pass

    def update(self, ctx: Context, thread: Thread, completion: Op) -> None:
        pass


# ---- sources -----------------------------------------------------------------------------


class Stream(Base):
    """Endless ops from `make(rng)` on any free thread. An op's contents are drawn once,
    when it is first asked for; its time is when a thread was last seen free for it."""

    def __init__(self, make: Callable[[random.Random], Op], rng: random.Random) -> None:
        self.make = make
        self.rng = rng
        self._op: Op | None = None
        self._since: float | None = None  # first time a thread was free for this op
        self._thread: Thread | None = None

    def next_op(self, ctx: Context) -> Op | None:
        """The contents of the next op (None: the stream is exhausted)."""
        return self.make(self.rng)

    def op(self, ctx: Context) -> Answer:
        if not ctx.free:
            self._since = self._thread = None
            return PENDING
        if self._op is None:
            self._op = self.next_op(ctx)
            if self._op is None:
                return None
        if self._since is None or self._thread not in ctx.free:
            self._since = ctx.time
            self._thread = ctx.choose(ctx.free)
        return Emit(self._since, self._thread, self._op)

    def emitted(self, ctx: Context, emit: Emit) -> None:
        self._op = self._since = self._thread = None


class Once(Base):
    """One op on any free thread, then exhausted."""

    def __init__(self, op: Op) -> None:
        self._op: Op | None = op

    def op(self, ctx: Context) -> Answer:
        if self._op is None:
            return None
        if not ctx.free:
            return PENDING
        return Emit(ctx.time, ctx.free[0], self._op)

    def emitted(self, ctx: Context, emit: Emit) -> None:
        self._op = None


class Cycle(Stream):
    """The given ops in turn, forever (each a fresh copy)."""

    def __init__(self, ops: Sequence[Op]) -> None:
        super().__init__(lambda rng: {}, random.Random(0))
        self.ops = list(ops)
        self.i = 0

    def next_op(self, ctx: Context) -> Op | None:
        op = dict(self.ops[self.i % len(self.ops)])
        self.i += 1
        return op


class Sleep(Base):
    """Nothing for `seconds` from the first ask, then exhausted (Jepsen's sleep)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.until: float | None = None

    def op(self, ctx: Context) -> Answer:
        if self.until is None:
            self.until = ctx.time + self.seconds
        return Pending(self.until) if ctx.time < self.until else None


class Do(Base):
    """Calls `fn()` once, when first asked, then is exhausted (a step between phases)."""

    def __init__(self, fn: Callable[[], object]) -> None:
        self.fn: Callable[[], object] | None = fn

    def op(self, ctx: Context) -> Answer:
        if self.fn is not None:
            fn, self.fn = self.fn, None
            fn()
        return None


def log_step(text: str) -> Do:
    """Logs `text` once, between phases (Jepsen's log)."""
    return Do(lambda: log.info(text))


# ---- combinators -------------------------------------------------------------------------


class Stagger(Base):
    """Ops from `gen`, the first due at once and each next one a uniform [0, 2 dt) after the
    previous one was due, or after it was emitted if no thread was free in time."""

    def __init__(self, dt: float, gen: Generator, rng: random.Random) -> None:
        self.dt = dt
        self.gen = gen
        self.rng = rng
        self.next_time: float | None = None

    def op(self, ctx: Context) -> Answer:
        answer = self.gen.op(ctx)
        if not isinstance(answer, Emit):
            return answer
        if self.next_time is None:
            self.next_time = answer.time
        if answer.time >= self.next_time:
            return answer
        return Emit(self.next_time, answer.thread, answer.op)

    def emitted(self, ctx: Context, emit: Emit) -> None:
        self.gen.emitted(ctx, emit)
        self.next_time = emit.time + self.rng.uniform(0.0, 2.0 * self.dt)

    def update(self, ctx: Context, thread: Thread, completion: Op) -> None:
        self.gen.update(ctx, thread, completion)


class TimeLimit(Base):
    """Ops from `gen` due before `seconds` after the first ask; then exhausted (in-flight
    ops still finish)."""

    def __init__(self, seconds: float, gen: Generator) -> None:
        self.seconds = seconds
        self.gen = gen
        self.cutoff: float | None = None

    def op(self, ctx: Context) -> Answer:
        if self.cutoff is None:
            self.cutoff = ctx.time + self.seconds
        if ctx.time >= self.cutoff:
            return None
        answer = self.gen.op(ctx)
        if isinstance(answer, Emit):
            return answer if answer.time < self.cutoff else None
        if isinstance(answer, Pending):
            until = self.cutoff if answer.until is None else min(answer.until, self.cutoff)
            return Pending(until)
        return None

    def emitted(self, ctx: Context, emit: Emit) -> None:
        self.gen.emitted(ctx, emit)

    def update(self, ctx: Context, thread: Thread, completion: Op) -> None:
        self.gen.update(ctx, thread, completion)


class Limit(Base):
    """At most `n` ops from `gen` (Jepsen's limit)."""

    def __init__(self, n: int, gen: Generator) -> None:
        self.left = n
        self.gen = gen

    def op(self, ctx: Context) -> Answer:
        return self.gen.op(ctx) if self.left > 0 else None

    def emitted(self, ctx: Context, emit: Emit) -> None:
        self.left -= 1
        self.gen.emitted(ctx, emit)

    def update(self, ctx: Context, thread: Thread, completion: Op) -> None:
        self.gen.update(ctx, thread, completion)


class Any(Base):
    """Whichever child has the soonest op (ties: the first child); exhausted when all are."""

    def __init__(self, *gens: Generator) -> None:
        self.gens = list(gens)
        self._from: Generator | None = None

    def op(self, ctx: Context) -> Answer:
        candidates = []
        for gen in list(self.gens):
            answer = gen.op(ctx)
            if answer is None:
                self.gens.remove(gen)
            else:
                candidates.append((gen, answer))
        answer, source = _soonest(candidates)
        if source is not None:
            self._from = source
        return answer

    def emitted(self, ctx: Context, emit: Emit) -> None:
        if self._from is not None:
            self._from.emitted(ctx, emit)

    def update(self, ctx: Context, thread: Thread, completion: Op) -> None:
        for gen in self.gens:
            gen.update(ctx, thread, completion)


class Phases(Base):
    """Each generator in turn; the next starts once the current one is exhausted and every
    thread is idle (Jepsen's phases, which synchronize)."""

    def __init__(self, *gens: Generator | None) -> None:
        self.gens = [g for g in gens if g is not None]

    def op(self, ctx: Context) -> Answer:
        while self.gens:
            answer = self.gens[0].op(ctx)
            if answer is not None:
                return answer
            if not ctx.idle():
                return PENDING
            self.gens.pop(0)
        return None

    def emitted(self, ctx: Context, emit: Emit) -> None:
        self.gens[0].emitted(ctx, emit)

    def update(self, ctx: Context, thread: Thread, completion: Op) -> None:
        if self.gens:
            self.gens[0].update(ctx, thread, completion)


class OnThreads(Base):
    """`gen`, seeing only the threads that `accept` takes."""

    def __init__(self, accept: Callable[[Thread], bool], gen: Generator) -> None:
        self.accept = accept
        self.gen = gen
        self._views: dict[tuple[Thread, ...], tuple[Thread, ...]] = {}  # threads -> accepted

    def _view(self, threads: tuple[Thread, ...]) -> tuple[Thread, ...]:
        view = self._views.get(threads)
        if view is None:
            view = self._views[threads] = tuple([t for t in threads if self.accept(t)])
        return view

    def _restrict(self, ctx: Context) -> Context:
        return Context(ctx.time, self._view(ctx.threads), self._view(ctx.free), ctx.choose)

    def op(self, ctx: Context) -> Answer:
        return self.gen.op(self._restrict(ctx))

    def emitted(self, ctx: Context, emit: Emit) -> None:
        self.gen.emitted(self._restrict(ctx), emit)

    def update(self, ctx: Context, thread: Thread, completion: Op) -> None:
        if self.accept(thread):
            self.gen.update(self._restrict(ctx), thread, completion)


def is_client(thread: Thread) -> bool:
    return thread != NEMESIS


def clients(gen: Generator) -> OnThreads:
    return OnThreads(is_client, gen)


def nemesis(gen: Generator) -> OnThreads:
    return OnThreads(lambda t: t == NEMESIS, gen)


class EachThread(Base):
    """Every thread gets its own generator, `make(thread)`; exhausted when all of them are.
    When several threads have an op, the soonest goes first (ties: lowest thread)."""

    def __init__(self, make: Callable[[Thread], Generator]) -> None:
        self.make = make
        self.gens: dict[Thread, Generator] = {}
        self.done: set[Thread] = set()
        self._from: Generator | None = None

    def _gen(self, thread: Thread) -> Generator:
        gen = self.gens.get(thread)
        if gen is None:
            gen = self.gens[thread] = self.make(thread)
        return gen

    def _alone(self, ctx: Context, thread: Thread) -> Context:
        return Context(ctx.time, (thread,), (thread,) if thread in ctx.free else (), ctx.choose)

    def op(self, ctx: Context) -> Answer:
        candidates = []
        for thread in ctx.threads:
            if thread in self.done:
                continue
            gen = self._gen(thread)
            answer = gen.op(self._alone(ctx, thread))
            if answer is None:
                self.done.add(thread)
            else:
                candidates.append((gen, answer))
        answer, source = _soonest(candidates)
        if source is not None:
            self._from = source
        return answer

    def emitted(self, ctx: Context, emit: Emit) -> None:
        assert self._from is not None
        self._from.emitted(self._alone(ctx, emit.thread), emit)

    def update(self, ctx: Context, thread: Thread, completion: Op) -> None:
        gen = self.gens.get(thread)
        if gen is not None:
            gen.update(self._alone(ctx, thread), thread, completion)


def mix(rng: random.Random, *makers: Callable[[random.Random], Op]) -> Callable[
        [random.Random], Op]:
    """A maker that picks one of `makers` uniformly per op."""
    return lambda r: rng.choice(makers)(r)


def each_thread_once(make: Callable[[], Op]) -> EachThread:
    """Every thread performs one op made by `make()` (e.g. one final read per client)."""
    return EachThread(lambda thread: Once(make()))


def describe(answer: object) -> str:
    """A short text for logs and test failures."""
    if isinstance(answer, Emit):
        return f"{answer.op.get('f')} on {answer.thread} at {answer.time:.6f}"
    return repr(answer)
