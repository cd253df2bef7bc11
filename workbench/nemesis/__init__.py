"""The nemesis: fault packages composed for one run, and the executor that carries out their
ops, as Jepsen's jepsen/nemesis/combined.clj composes packages (compose-packages) and
Maelstrom's src/maelstrom/nemesis.clj uses them.

    package.py     what a package is: generator, final ops, the ops it performs (Op), its
                   faults' Perf (name, colour, start/stop :f's), the DB verbs, the Scope
    partition.py   the partition package (Maelstrom's four specs and their grudges)
    kill_pause.py  the kill and pause package (Jepsen's db-package: target specs, verbs)
    registry.py    the packages a run can use; add a fault with register(package)
    schedule.py    faults as data: nemesis-schedule.jsonl, written by every run, replayed by
                   --nemesis-schedule

Here: `generator` (during the run: every enabled package's generator at once, gen/any, or the
ops of a schedule), `final_generator` (each package's final ops, in turn, before a final
phase), and `Nemesis`, which carries out any op through the package that owns its :f, on
the run's Scope. Every op goes into the history with process :nemesis and type :info, the
invocation and the completion (whose value says what was done). Ops keep two keys of the
workbench's own, never written: "_at", the time an op was due (what a schedule records), and
"_final" on the heal before a final phase; a scheduled op carries "_target", what it hits.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Callable

from .. import generator as gen
from . import registry, schedule
from .package import DB, NODES, Op, Package, Perf, Scope
from .registry import register, unregister

if TYPE_CHECKING:
    from ..history import Op as HistoryOp
    from ..options import Options

__all__ = ["DB", "NODES", "Nemesis", "Op", "Package", "Perf", "Scope", "final_generator",
           "generator", "register", "registry", "schedule", "unregister"]


class _Stamped(gen.Base):
    """`inner`, each op it emits stamped with "_at", the time it was due."""

    def __init__(self, inner: gen.Generator) -> None:
        self.inner = inner

    def op(self, ctx: gen.Context) -> gen.Answer:
        return self.inner.op(ctx)

    def emitted(self, ctx: gen.Context, emit: gen.Emit) -> None:
        self.inner.emitted(ctx, emit)
        emit.op["_at"] = emit.time

    def update(self, ctx: gen.Context, thread: gen.Thread, completion: HistoryOp) -> None:
        self.inner.update(ctx, thread, completion)


def _enabled(package: Package, faults: frozenset[str]) -> frozenset[str]:
    return faults & frozenset(package.faults)


def packages_generator(faults: frozenset[str], interval: float,
                       stream: Callable[[str], random.Random]) -> gen.Generator | None:
    """Every enabled package's ops at once (compose-packages: gen/any); None: no fault."""
    parts = [g for p in registry.PACKAGES if _enabled(p, faults)
             for g in [p.generator(_enabled(p, faults), interval, stream)] if g is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else gen.Any(*parts)


def generator(opts: Options, stream: Callable[[str], random.Random]) -> gen.Generator | None:
    """The nemesis during the run: the ops of --nemesis-schedule's file if given, else the
    enabled packages' generators, each op stamped with the time it was due."""
    if opts.nemesis_schedule is not None:
        inner: gen.Generator | None = gen.nemesis(schedule.Replay(
            schedule.load(opts.nemesis_schedule, list(opts.nodes))))
    else:
        inner = packages_generator(opts.nemesis, opts.nemesis_interval, stream)
    return None if inner is None else _Stamped(inner)


def final_generator(faults: frozenset[str]) -> gen.Generator | None:
    """Before a final phase: each enabled package's final ops, in package order (heal, then
    resume everyone, then start everyone)."""
    ops = [dict(op, _final=True) for p in registry.PACKAGES if _enabled(p, faults)
           for op in p.final(_enabled(p, faults))]
    if not ops:
        return None
    return gen.nemesis(gen.Phases(*(gen.Once(op) for op in ops)))


class Nemesis:
    """Carries out every nemesis op through the package that owns its :f, on `scope`: its
    target is the op's "_target" (a schedule's) or what the op's value names, drawn."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    async def invoke(self, op: HistoryOp) -> HistoryOp:
        how = registry.op(op["f"])
        if how is None:
            raise ValueError(f"no fault package carries out {op['f']!r}")
        target: Any = op["_target"] if "_target" in op else how.resolve(self.scope,
                                                                         op.get("value"))
        return dict(op, value=await how.perform(self.scope, target))
