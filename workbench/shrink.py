"""`python3 -m workbench shrink [shrink flags] [python3 -m workbench test] TEST FLAGS --seed N
[-- args]` or `shrink [shrink flags] --from store/sweeps/<time>/sweep.jsonl --seed N`: a
smaller run of the same seed that fails with the same signature (seedrun.signature).

The seed stays; the passes cut, in order and again while any of them cut something: the node
count, the time limit (a search over whole seconds), the fault ops of the run's schedule
(nemesis-schedule.jsonl, delta debugging: Zeller and Hildebrandt's ddmin, so the result is
1-minimal unless the budget ran out), the time before the first fault op (every op and the
time limit earlier by the same seconds), and the rate (a ladder of round rates). Every candidate is
a simulated run without a store in a worker pool (sweep.local_executor, seedrun.run_seed), and a
step is accepted only when its run failed with the original's signature. The smallest command
is then run once more with its full store, which it must fail the same way. See docs/sweep.md.

Exit status: 0 a failing run was found (possibly the original, unchanged), 254 bad input or an
original that does not fail, 255 the final command did not fail again as its candidate did.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import math
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

from . import cli, store
from .errors import EXIT_BROKEN, EXIT_USAGE, EXIT_VALID, UsageError, WorkbenchError
from .nemesis import schedule as nemesis_schedule
from .options import Options
from .report import results as results_file
from .seedrun import SeedTask, run_seed, signature
from .sweep import _stop_pool, _without, _worker_flags, local_executor

T = TypeVar("T")
DEFAULT_BUDGET = 300.0
DEFAULT_MAX_RUNS = 500
RATES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
MAX_ROUNDS = 3
# own flags: name -> takes a value
FLAGS = {"--budget": True, "--max-runs": True, "--jobs": True, "--timeout": True,
         "--from": True}
# test flags the shrink sets itself (valued)
SET_FLAGS = ("--node-count", "--nodes", "--node", "-n", "--nodes-file", "--time-limit",
             "--rate", "--nemesis-schedule", "--seed", "--store", "--test-count")
USAGE = """usage: python3 -m workbench shrink [--budget S] [--max-runs N] [--jobs N] [--timeout S]
                                 [python3 -m workbench test] TEST FLAGS --seed N [-- args]
       python3 -m workbench shrink [shrink flags] --from SWEEP.jsonl --seed N [--store DIR]
A failing seed's test flags (a sweep's replay command may be pasted whole) or its line of a
sweep.jsonl. Finds a smaller run of that seed with the same failure signature: fewer nodes, a
shorter --time-limit, a lower --rate, fewer fault ops (--nemesis-schedule). Writes
STORE/shrinks/<time>/shrink.json; the last lines are the smallest command and its schedule.
  --budget S     wall-clock seconds for the search (default 300; the final check comes after)
  --max-runs N   candidate runs at most (default 500)
  --jobs N       candidates run at once (default: the machine's cores)
  --timeout S    wall-clock limit per candidate (default: 10 x the original's, at least 60)"""


class OutOfBudget(Exception):
    """The budget (wall time or runs) is spent: the search stops with what it has."""


# ---------------------------------------------------------------- the searches (pure)


def ddmin(items: Sequence[T], first_failing: Callable[[list[list[T]]], int | None],
          on_step: Callable[[list[T], str], None] | None = None) -> list[T]:
    """Zeller and Hildebrandt's ddmin: a subset of `items` that still fails and is 1-minimal
    (no single item can be removed and the rest still fail), given that `items` fails.

    `first_failing(candidates)` tests candidates (they may run in parallel) and gives the
    index of the first one, in the order given, that fails, or None; it may raise
    OutOfBudget, which ends the search with what it has (the last reduction, reported to
    `on_step` as it was made). Each round tries the n chunks, then their complements."""
    current = list(items)
    n = 2
    while len(current) >= 2:
        chunks = _split(current, n)
        complements = [[x for j, c in enumerate(chunks) if j != i for x in c]
                       for i in range(len(chunks))]
        candidates = chunks + (complements if len(chunks) > 2 else [])
        i = first_failing(candidates)
        if i is not None and i < len(chunks):
            current, n = chunks[i], 2
            what = f"kept chunk {i + 1} of {len(chunks)}"
        elif i is not None:
            current, n = complements[i - len(chunks)], max(len(chunks) - 1, 2)
            what = f"cut chunk {i - len(chunks) + 1} of {len(chunks)}"
        elif len(chunks) >= len(current):
            break
        else:
            n = min(len(current), 2 * len(chunks))
            continue
        if on_step is not None:
            on_step(current, what)
    return current


def _split(items: list[T], n: int) -> list[list[T]]:
    n = min(n, len(items))
    size, extra = divmod(len(items), n)
    out: list[list[T]] = []
    start = 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def smallest(values: Sequence[T], fails: Callable[[list[T]], list[bool]], width: int) -> int:
    """The index of the smallest failing value of ascending `values`, all below a value
    known to fail (index len(values)), by a `width`-way search: each round tests up to
    `width` values evenly spaced between the largest passing and the smallest failing found
    so far (a binary search for width 1). Failing need not be monotone in the value: the
    answer is a failing value whose next smaller value passed (or the smallest value), or
    len(values) when none below fails. `fails` may raise OutOfBudget."""
    lo, hi = -1, len(values)
    while hi - lo > 1:
        gap = hi - lo - 1
        k = min(width, gap)
        probes = sorted({lo + 1 + (gap * (j + 1)) // (k + 1) for j in range(k)}
                        or {lo + 1})
        probes = [p for p in probes if lo < p < hi] or [lo + 1]
        verdicts = fails([values[p] for p in probes])
        failing = [p for p, bad in zip(probes, verdicts, strict=True) if bad]
        if failing:
            hi = failing[0]
        passing = [p for p, bad in zip(probes, verdicts, strict=True) if not bad and p < hi]
        if passing:
            lo = max(lo, passing[-1])
    return hi


# ---------------------------------------------------------------- configurations


@dataclass(frozen=True)
class Config:
    """What a candidate run varies; everything else is the original's flags."""

    nodes: tuple[str, ...]
    time_limit: float
    rate: float
    schedule: tuple[str, ...] | None  # JSON lines; None: the test's own --nemesis draws

    def ops(self) -> int | None:
        return None if self.schedule is None else len(self.schedule)

    def size(self, ops_if_drawn: int | None = None) -> str:
        ops = self.ops() if self.schedule is not None else ops_if_drawn
        return (f"{len(self.nodes)} node{'s' if len(self.nodes) != 1 else ''}, "
                f"{_num(self.time_limit)} s, rate {_num(self.rate)}, "
                f"{'?' if ops is None else ops} fault op{'s' if ops != 1 else ''}")


def _num(x: float) -> str:
    return f"{x:g}"


def project(entry: str, nodes: Sequence[str]) -> str:
    """A schedule entry for a test of `nodes` only: the nodes it names that are gone are
    dropped from its targets (a grudge keeps the kept nodes' grudges against kept nodes)."""
    raw = json.loads(entry)
    keep = set(nodes)
    if isinstance(raw.get("nodes"), list):
        raw["nodes"] = [n for n in raw["nodes"] if n in keep]
    if isinstance(raw.get("grudge"), dict):
        raw["grudge"] = {k: [x for x in v if x in keep] for k, v in raw["grudge"].items()
                         if k in keep and [x for x in v if x in keep]}
    return json.dumps(raw)


def truncated(entries: Sequence[str], time_limit: float) -> tuple[str, ...]:
    """The entries due before `time_limit` (a run performs no later one)."""
    return tuple(e for e in entries if float(json.loads(e)["time"]) < time_limit)


def shifted(entries: Sequence[str], seconds: float) -> tuple[str, ...]:
    """The entries, each due `seconds` earlier (none before 0)."""
    out: list[str] = []
    for e in entries:
        raw = json.loads(e)
        raw["time"] = round(max(0.0, float(raw["time"]) - seconds), 9)
        out.append(json.dumps(raw))
    return tuple(out)


# ---------------------------------------------------------------- input


@dataclass
class Shrink:
    """A shrink's flags, checked."""

    flags: list[str]  # the test's flags (user's spelling), without the ones a shrink sets
    args: list[str]  # for the binary
    opts: Options  # the original test's flags as parsed
    seed: int
    by_count: bool  # nodes spelled --node-count (names n0..) rather than --nodes
    budget: float = DEFAULT_BUDGET
    max_runs: int = DEFAULT_MAX_RUNS
    jobs: int | None = None
    timeout: float | None = None
    source: str = ""  # the command shrunk, as given

    def original(self) -> Config:
        o = self.opts
        return Config(tuple(o.nodes), o.time_limit, o.rate, None)

    def test_flags(self, c: Config, schedule_file: str | None) -> list[str]:
        nodes = (["--node-count", str(len(c.nodes))] if self.by_count
                 else ["--nodes", ",".join(c.nodes)])
        out = [*self.flags, *nodes, "--time-limit", _num(c.time_limit), "--rate", _num(c.rate)]
        if schedule_file is not None:
            out += ["--nemesis-schedule", schedule_file]
        return out

    def command(self, c: Config, schedule_file: str | None) -> str:
        tail = ["--", *self.args] if self.args else []
        return shlex.join(["python3", "-m", "workbench", "test",
                           *self.test_flags(c, schedule_file), "--seed", str(self.seed),
                           *tail])


def _strip_prefix(words: list[str]) -> list[str]:
    """The words without a pasted `python3 -m workbench test` (or `glomers-workbench test`,
    or a bare `test`), wherever it stands before the node's `--`."""
    stop = words.index("--") if "--" in words else len(words)
    for i in range(stop):
        if words[i] != "test":
            continue
        if i >= 3 and words[i - 1] == "workbench" and words[i - 2] == "-m" \
                and "python" in Path(words[i - 3]).name:
            return words[:i - 3] + words[i + 1:]
        if i >= 1 and Path(words[i - 1]).name == "glomers-workbench":
            return words[:i - 1] + words[i + 1:]
        if i == 0:
            return words[1:]
    return words


def _from_sweep(path: str, seed_text: str | None) -> list[str]:
    if seed_text is None:
        raise UsageError(f"--from {path} needs --seed N: which of its seeds to shrink")
    try:
        seed = int(seed_text)
    except ValueError:
        raise UsageError(f"--seed must be a whole number, not {seed_text!r}") from None
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as err:
        why = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise UsageError(f"--from {path}: {why}") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as err:
            raise UsageError(f"--from {path} line {number}: not JSON ({err.msg})") from None
        if isinstance(raw, dict) and raw.get("seed") == seed:
            if not isinstance(raw.get("replay"), str):
                raise UsageError(f"--from {path} line {number}: seed {seed} has no replay "
                                 "command")
            return _strip_prefix(shlex.split(raw["replay"]))
    raise UsageError(f"--from {path}: no line for seed {seed}")


def parse(argv: list[str]) -> Shrink:
    """The shrink's flags and the test's; UsageError (exit 254) when anything is off."""
    own: dict[str, str] = {}
    rest: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            rest += argv[i:]
            break
        name, eq, value = a.partition("=")
        if name in FLAGS:
            if not eq:
                if i + 1 >= len(argv):
                    raise UsageError(f"{name} needs a value\n{USAGE}")
                value = argv[i + 1]
                i += 1
            own[name] = value
        else:
            rest.append(a)
        i += 1
    if "--from" in own:
        seed_text: str | None = None
        store_flag: list[str] = []
        j = 0
        while j < len(rest):
            name, eq, value = rest[j].partition("=")
            if name in ("--seed", "--store"):
                if not eq:
                    if j + 1 >= len(rest):
                        raise UsageError(f"{name} needs a value")
                    value = rest[j + 1]
                    j += 1
                if name == "--seed":
                    seed_text = value
                else:
                    store_flag = ["--store", value]
            else:
                raise UsageError(f"with --from, the test's flags come from the sweep's line; "
                                 f"{rest[j]!r} is not a shrink flag")
            j += 1
        words = _from_sweep(own["--from"], seed_text) + store_flag
    else:
        words = _strip_prefix(rest)
    args: list[str] = []
    if "--" in words:
        cut = words.index("--")
        words, args = words[:cut], words[cut + 1:]
    if not words:
        raise UsageError(f"shrink needs a failing test's flags (with --seed N)\n{USAGE}")
    flags = words if "--sim" in words else [*words, "--sim"]
    if "--real" in flags:
        raise UsageError("shrink runs simulated candidates; --real is not a test flag")
    opts = cli.parse([*flags, *(["--", *args] if args else [])])
    if opts.seed is None:
        raise UsageError("shrink needs the failing run's --seed N (it keeps the seed)")
    if opts.test_count != 1:
        raise UsageError("--test-count is not for shrink: it runs one seed")
    base = _without(_without(flags, SET_FLAGS), ("--quiet",), valued=False)
    by_count = opts.nodes == [f"n{k}" for k in range(len(opts.nodes))]
    sh = Shrink(flags=base, args=args, opts=opts, seed=opts.seed, by_count=by_count,
                source=shlex.join(["python3", "-m", "workbench", "test", *words,
                                   *(["--", *args] if args else [])]))
    sh.budget = _positive(own, "--budget", float, DEFAULT_BUDGET)
    sh.max_runs = int(_positive(own, "--max-runs", int, DEFAULT_MAX_RUNS))
    if "--jobs" in own:
        sh.jobs = int(_positive(own, "--jobs", int, 1))
    if "--timeout" in own:
        sh.timeout = _positive(own, "--timeout", float, 60.0)
    return sh


def _positive(own: dict[str, str], name: str, kind: Callable[[str], float],
              default: float) -> float:
    if name not in own:
        return default
    try:
        value = kind(own[name])
    except ValueError:
        value = -1
    if not value > 0 or not math.isfinite(value):
        what = "a whole number" if kind is int else "a number"
        raise UsageError(f"{name} must be {what} above 0, not {own[name]!r}")
    return value


# ---------------------------------------------------------------- running candidates


@dataclass
class Step:
    what: str
    config: Config
    runs: int
    wall_s: float


@dataclass
class Search:
    """Runs candidates through a pool, cached, within the budget, and keeps the best."""

    sh: Shrink
    executor: cf.Executor
    jobs: int
    out: Path
    target: str  # the failure signature every accepted candidate must have
    timeout: float
    deadline: float
    started: float
    best: Config
    ops_if_drawn: int | None = None
    runs: int = 0
    cache: dict[Config, bool] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    stale: list[cf.Future[dict[str, Any]]] = field(default_factory=list)
    exhausted: str | None = None

    def schedule_file(self, c: Config) -> str | None:
        """The candidate's schedule, written under the shrink's dir (named by its content)."""
        if c.schedule is None:
            return None
        text = "".join(line + "\n" for line in c.schedule)
        name = hashlib.sha256(text.encode()).hexdigest()[:16]
        path = self.out / "schedules" / f"{name}.jsonl"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return str(path)

    def _submit(self, c: Config) -> cf.Future[dict[str, Any]]:
        if self.runs >= self.sh.max_runs:
            self.exhausted = f"--max-runs {self.sh.max_runs}"
            raise OutOfBudget
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.exhausted = f"--budget {_num(self.sh.budget)} s"
            raise OutOfBudget
        self.runs += 1
        schedule = self.schedule_file(c)
        flags = _worker_flags(self.sh.test_flags(
            c, None if schedule is None else os.path.abspath(schedule)))
        task = SeedTask(seed=self.sh.seed, flags=flags, args=self.sh.args, full=False,
                        store_root="", timeout=max(1.0, min(self.timeout, left)), sim=True)
        return self.executor.submit(run_seed, task)

    def _wait(self, futures: list[cf.Future[dict[str, Any]]]) -> set[cf.Future[dict[str, Any]]]:
        left = self.deadline - time.monotonic()
        done, _ = cf.wait(futures, timeout=max(left, 0.0), return_when=cf.FIRST_COMPLETED)
        if not done:
            self.exhausted = f"--budget {_num(self.sh.budget)} s"
            raise OutOfBudget
        return done

    def _verdict(self, future: cf.Future[dict[str, Any]]) -> bool:
        try:
            out = future.result()
        except BaseException:  # a worker that died: not the failure we look for
            return False
        return bool(out["exit"] != EXIT_VALID and out["signature"] == self.target)

    def first_failing(self, configs: Sequence[Config]) -> int | None:
        """The index of the first of `configs`, in order, whose run fails with the target
        signature, or None; up to `jobs` at once, the rest cancelled once it is known."""
        verdicts = self._evaluate(configs, first_only=True)
        return _first_failing(verdicts, len(configs))

    def fails(self, configs: Sequence[Config]) -> list[bool]:
        """Each of `configs`' verdicts (all run, up to `jobs` at once)."""
        verdicts = self._evaluate(configs, first_only=False)
        return [verdicts[i] for i in range(len(configs))]

    def _evaluate(self, configs: Sequence[Config], first_only: bool) -> dict[int, bool]:
        """Verdicts of `configs` by index (cached ones first), up to `jobs` runs at once.
        With `first_only`, it stops once the first failing index is known: nothing past a
        failing candidate starts, and what still runs is cancelled."""
        verdicts: dict[int, bool] = {i: self.cache[c] for i, c in enumerate(configs)
                                     if c in self.cache}
        queue = [i for i in range(len(configs)) if i not in verdicts]
        running: dict[cf.Future[dict[str, Any]], int] = {}
        try:
            while queue or running:
                cut = len(configs)
                if first_only:
                    if _first_failing(verdicts, len(configs)) != -1:
                        break
                    cut = min([i for i, v in verdicts.items() if v], default=cut)
                while queue and len(running) < self.jobs and queue[0] < cut:
                    i = queue.pop(0)
                    running[self._submit(configs[i])] = i
                for future in self._wait(list(running)):
                    i = running.pop(future)
                    verdicts[i] = self.cache[configs[i]] = self._verdict(future)
        finally:
            for future in running:
                if not future.cancel():
                    self.stale.append(future)
        return verdicts

    def accept(self, c: Config, what: str) -> None:
        self.best = c
        step = Step(what, c, self.runs, round(time.monotonic() - self.started, 1))
        self.steps.append(step)
        print(f"step {len(self.steps)}: {what} -> {c.size(self.ops_if_drawn)}  "
              f"(run {step.runs}, {step.wall_s:g} s)", flush=True)


def _first_failing(verdicts: dict[int, bool], count: int) -> int | None:
    """The first failing index of `count` candidates, None if none fails, -1 while an
    earlier one is still unknown."""
    for i in range(count):
        if i not in verdicts:
            return -1
        if verdicts[i]:
            return i
    return None


# ---------------------------------------------------------------- the passes


def _nodes_pass(s: Search) -> bool:
    c = s.best
    if len(c.nodes) <= 1:
        return False

    def with_nodes(k: int) -> Config:
        kept = c.nodes[:k]
        sched = None if c.schedule is None else tuple(project(e, kept) for e in c.schedule)
        return replace(c, nodes=kept, schedule=sched)

    values = [with_nodes(k) for k in range(1, len(c.nodes))]
    i = smallest(values, s.fails, s.jobs)
    if i < len(values):
        s.accept(values[i], f"nodes: {len(c.nodes)} to {len(values[i].nodes)}")
        return True
    return False


def _time_pass(s: Search) -> bool:
    c = s.best
    seconds = [float(t) for t in range(1, math.ceil(c.time_limit))]

    def at(t: float) -> Config:
        return replace(c, time_limit=t,
                       schedule=None if c.schedule is None else truncated(c.schedule, t))

    values = [at(t) for t in seconds]
    i = smallest(values, s.fails, s.jobs)
    if i < len(values):
        s.accept(values[i], f"time limit: {_num(c.time_limit)} s to {_num(seconds[i])} s")
        return True
    return False


def _rate_pass(s: Search) -> bool:
    c = s.best
    values = [replace(c, rate=float(r)) for r in RATES if r < c.rate]
    i = smallest(values, s.fails, s.jobs)
    if i < len(values):
        s.accept(values[i], f"rate: {_num(c.rate)} to {_num(values[i].rate)}")
        return True
    return False


def _schedule_pass(s: Search) -> bool:
    c = s.best
    if not c.schedule:
        return False
    empty = replace(c, schedule=())
    if s.first_failing([empty]) == 0:
        s.accept(empty, f"fault ops: all {len(c.schedule)} cut")
        return True
    before = len(c.schedule)

    def test(candidates: list[list[str]]) -> int | None:
        return s.first_failing([replace(s.best, schedule=tuple(x)) for x in candidates])

    def step(kept: list[str], what: str) -> None:
        s.accept(replace(s.best, schedule=tuple(kept)),
                 f"fault ops (ddmin, {what}): {len(s.best.schedule or ())} to {len(kept)}")

    ddmin(list(c.schedule), test, step)
    return len(s.best.schedule or ()) < before


def _shift_pass(s: Search) -> bool:
    """Every fault op and the time limit earlier by the same whole seconds: what a fault
    needs is usually what comes just before and after it, not when the test began."""
    c = s.best
    if not c.schedule:
        return False
    first = float(json.loads(c.schedule[0])["time"])
    most = min(math.floor(first), math.ceil(c.time_limit) - 1)
    # ascending time limit: the largest shift first
    values = [replace(c, time_limit=c.time_limit - d, schedule=shifted(c.schedule, d))
              for d in range(most, 0, -1)]
    i = smallest(values, s.fails, s.jobs)
    if i < len(values):
        d = most - i
        s.accept(values[i], f"fault ops and time limit {d} s earlier: {_num(c.time_limit)} s "
                            f"to {_num(values[i].time_limit)} s")
        return True
    return False


PASSES = (("nodes", _nodes_pass), ("time", _time_pass), ("schedule", _schedule_pass),
          ("shift", _shift_pass), ("rate", _rate_pass))


# ---------------------------------------------------------------- the command


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    try:
        sh = parse(argv)
        return _shrink(sh)
    except WorkbenchError as err:
        print(str(err), file=sys.stderr)
        return err.exit_code


def _shrink(sh: Shrink) -> int:
    started = time.monotonic()
    out = store.new_stamped_dir(Path(sh.opts.store) / "shrinks")
    jobs = sh.jobs or os.cpu_count() or 1
    executor = local_executor(jobs)
    try:
        return _search(sh, executor, jobs, out, started)
    except KeyboardInterrupt:
        _stop_pool(executor)
        print(f"interrupted; the shrink so far is in {out}", file=sys.stderr)
        return 130
    finally:
        executor.shutdown(wait=True)  # after _close: nothing left running


def _search(sh: Shrink, executor: cf.Executor, jobs: int, out: Path, started: float) -> int:
    original = sh.original()
    print(f"shrinking {sh.source}", flush=True)
    first = executor.submit(run_seed, SeedTask(
        seed=sh.seed, flags=_worker_flags(sh.test_flags(original, None)), args=sh.args,
        full=True, store_root=str((out / "original").resolve()),
        timeout=sh.timeout or 3600.0, sim=True)).result()
    if first["exit"] == EXIT_VALID:
        raise UsageError(f"the original run passes (valid at seed {sh.seed}): nothing to "
                         f"shrink; {sh.source}")
    if first["exit"] == EXIT_USAGE or first["signature"].startswith("broken: hash"):
        raise UsageError(f"the original run did not start: {first['error']}")
    target = first["signature"]
    entries: list[str] = []
    if first["store"] is not None:
        written = Path(first["store"]) / nemesis_schedule.FILE
        if written.exists():
            entries = [json.dumps(json.loads(line)) for line in written.read_text().splitlines()
                       if line.strip()]
    print(f"original: exit {first['exit']}, signature {target!r}, {original.size(len(entries))}"
          f"; {first['wall_s']:g} s wall; store {first['store']}", flush=True)
    timeout = sh.timeout or max(60.0, 10 * float(first["wall_s"]))
    s = Search(sh, executor, jobs, out, target, timeout, started + sh.budget, started,
               original, ops_if_drawn=len(entries))
    notes: list[str] = []
    try:
        pinned = replace(original, schedule=tuple(entries))
        if s.first_failing([pinned]) == 0:
            s.best = pinned
        else:
            notes.append("replaying the original's schedule (--nemesis-schedule) did not fail "
                         "the same way, so its fault ops are not cut")
            print(f"note: {notes[-1]}", flush=True)
        for _ in range(MAX_ROUNDS):
            changed = False
            for _name, pass_ in PASSES:
                changed = pass_(s) or changed
            if not changed:
                break
    except OutOfBudget:
        notes.append(f"the search stopped at {s.exhausted}, so the result may not be minimal")
        print(f"note: {notes[-1]}", flush=True)
    return _finish(s, original, first, out, notes)


def _finish(s: Search, original: Config, first: dict[str, Any], out: Path,
            notes: list[str]) -> int:
    sh, best = s.sh, s.best
    _close(s)
    search_s = round(time.monotonic() - s.started, 1)
    schedule_file: str | None = None
    if best.schedule is not None:
        schedule_file = str(out / "schedule.jsonl")
        Path(schedule_file).write_text("".join(line + "\n" for line in best.schedule))
    command = sh.command(best, schedule_file)
    check = _check(sh, best, schedule_file, out / "final", s.timeout)
    same = check["exit"] != EXIT_VALID and check["signature"] == s.target
    size_from = original.size(s.ops_if_drawn)
    size_to = best.size(s.ops_if_drawn)
    record = {
        "original": {"command": sh.source, "size": size_from, "signature": s.target,
                     "exit": first["exit"], "store": first["store"]},
        "steps": [{"step": i + 1, "what": st.what, "size": st.config.size(s.ops_if_drawn),
                   "run": st.runs, "wall_s": st.wall_s,
                   "command": sh.command(st.config, s.schedule_file(st.config))}
                  for i, st in enumerate(s.steps)],
        "final": {"command": command, "schedule": schedule_file, "size": size_to,
                  "nodes": len(best.nodes), "time_limit": best.time_limit, "rate": best.rate,
                  "fault_ops": best.ops() if best.schedule is not None else s.ops_if_drawn,
                  "check": check},
        "runs": s.runs, "search_wall_s": search_s,
        "wall_s": round(time.monotonic() - s.started, 1), "notes": notes,
    }
    (out / "shrink.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"\n{len(s.steps)} steps in {s.runs} runs, {search_s:g} s; from {size_from} to "
          f"{size_to}")
    print(f"signature {s.target!r}; rerun with its full store: exit {check['exit']}, "
          f"signature {check['signature']!r} ({'the same' if same else 'NOT the same'}); "
          f"{check['store']}")
    print(f"shrink.json: {out / 'shrink.json'}")
    print(f"schedule: {schedule_file or '(the test draws its faults: no schedule)'}")
    print(command)
    if not same:
        print("the smallest command did not fail again as its candidate run did (see "
              f"{out / 'final'})", file=sys.stderr)
        return EXIT_BROKEN
    return 0


def _close(s: Search) -> None:
    """The pool, shut: candidates still running (past the budget, or past the first failing
    one of a batch) are not waited for, their workers are stopped."""
    if any(not f.done() for f in s.stale):
        _stop_pool(s.executor)
    else:
        s.executor.shutdown(wait=True)


def _check(sh: Shrink, c: Config, schedule_file: str | None, store: Path,
           timeout: float) -> dict[str, Any]:
    """The smallest command, run once more as a user would (its own process, full store)."""
    argv = [sys.executable, "-m", "workbench", "test", *sh.test_flags(c, schedule_file),
            "--seed", str(sh.seed), "--store", str(store), "--quiet",
            *(["--", *sh.args] if sh.args else [])]
    store.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"exit": EXIT_BROKEN, "signature": "", "store": None}
    try:
        with (store / "output.txt").open("w") as log:
            done = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT,
                                  timeout=max(timeout * 2, 120.0), check=False)
        result["exit"] = done.returncode
        run_dir = (store / "current").resolve()
        result["store"] = str(run_dir)
        result["signature"] = signature(results_file.read(run_dir))
    except subprocess.TimeoutExpired:
        result["signature"] = "broken: timeout"
    except (OSError, ValueError) as err:
        result["signature"] = f"broken: {type(err).__name__}"
    return result
