"""`python3 -m workbench sweep [test flags] --seeds 1-1000 [--jobs N] [--keep failing]
[--cluster tcp://host:8786] [--real] [--timeout S] [--swarm] [-- args]`: one test run per
seed, many at once, in worker processes that stay up (the standard library's process pool, or
a Dask cluster's workers through the same `concurrent.futures` interface), each seed's
outcome one line of store/sweeps/<timestamp>/sweep.jsonl as it finishes, and summary.md
beside it grouping the failures by signature. See docs/sweep.md.

Exit status, as Jepsen's test-all: 0 every seed valid, 1 some invalid, 2 some unknown and none
invalid, 255 some run broken (or not deterministic); 254 bad flags; 130 interrupted.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import logging
import multiprocessing
import os
import random
import re
import shlex
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterator

from . import cli, store, swarm
from .errors import (
    EXIT_BROKEN,
    EXIT_INVALID,
    EXIT_UNKNOWN,
    EXIT_USAGE,
    EXIT_VALID,
    UsageError,
    WorkbenchError,
)
from .options import Options
from .seedrun import SeedTask, hash_is_fixed, run_seed

EXIT_INTERRUPTED = 130
RECHECK_FRACTION = 0.05  # of passing seeds, run twice to catch nondeterminism
DEFAULT_TIMEOUT = 600.0
KEEP = ("all", "failing", "none")
# the sweep's own flags: name -> takes a value
FLAGS = {"--seeds": True, "--jobs": True, "--keep": True, "--cluster": True, "--timeout": True,
         "--real": False, "--swarm": False, "--swarm-all-faults": False,
         **{f"--swarm-{name}": True for name in swarm.RANGES}}
USAGE = """usage: python3 -m workbench sweep --bin BIN -w WORKLOAD [test flags] --seeds 1-100
                                [--jobs N] [--keep all|failing|none] [--timeout SECONDS]
                                [--cluster tcp://HOST:PORT] [--real] [--swarm
                                [--swarm-node-count LO-HI] [--swarm-rate LO-HI]
                                [--swarm-latency LO-HI] [--swarm-nemesis-interval LO-HI]
                                [--swarm-time-limit LO-HI] [--swarm-all-faults]]
                                [-- args for the binary]
Each seed is one `test --sim --seed N` run (`--real`: a real run); the test flags are
`test`'s (python3 -m workbench test --help). Lines go to STORE/sweeps/<time>/sweep.jsonl."""


@dataclass
class Sweep:
    """A sweep's flags, checked."""

    seeds: list[int]
    flags: list[str]  # the test's flags as the user gave them (no sweep flags, no -- args)
    args: list[str]  # for the binary
    opts: Options  # the test's flags as parsed (for one seed)
    jobs: int | None = None  # None: the cores, or the cluster's worker threads
    keep: str = "failing"
    cluster: str | None = None
    real: bool = False
    timeout: float = DEFAULT_TIMEOUT
    swarmed: bool = False
    ranges: swarm.Ranges = field(default_factory=swarm.Ranges)
    store: str = "store"
    quiet: bool = False


def parse_seeds(text: str) -> list[int]:
    """`1-1000`, `7` or a list of both, `1-10,20,30-32`: the seeds, in order, each once."""
    seeds: list[int] = []
    seen: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if not m:
            raise UsageError(f"--seeds: {part!r} is not a seed or a range LO-HI of seeds "
                             f"(e.g. 1-1000 or 1-10,20,30-32), in {text!r}")
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) is not None else lo
        if hi < lo:
            raise UsageError(f"--seeds: the range {part!r} ends before it starts")
        if hi - lo >= 10_000_000:
            raise UsageError(f"--seeds: the range {part!r} has more than 10,000,000 seeds")
        for s in range(lo, hi + 1):
            if s not in seen:
                seen.add(s)
                seeds.append(s)
    return seeds


def parse(argv: list[str]) -> Sweep:
    """The sweep's flags and the test's; UsageError (exit 254) when anything is off."""
    args: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, args = argv[:cut], argv[cut + 1:]
    own: dict[str, str] = {}
    flags: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        name, eq, value = a.partition("=")
        if name in FLAGS:
            if FLAGS[name] and not eq:
                if i + 1 >= len(argv):
                    raise UsageError(f"{name} needs a value\n{USAGE}")
                value = argv[i + 1]
                i += 1
            elif not FLAGS[name] and eq:
                raise UsageError(f"{name} takes no value, not {value!r}")
            own[name] = value if FLAGS[name] else "yes"
        else:
            flags.append(a)
        i += 1
    for name in ("--seed", "--test-count"):
        if any(a == name or a.startswith(f"{name}=") for a in flags):
            hint = " (use --seeds)" if name == "--seed" else ""
            raise UsageError(f"{name} is not a sweep flag{hint}: a sweep runs each seed once")
    if "--seeds" not in own:
        raise UsageError(f"a sweep needs --seeds (e.g. --seeds 1-100)\n{USAGE}")
    real = "--real" in own
    if real and "--sim" in flags:
        raise UsageError("--real and --sim contradict each other: a sweep simulates unless "
                         "given --real")
    jobs: int | None = None
    if "--jobs" in own:
        try:
            jobs = int(own["--jobs"])
        except ValueError:
            raise UsageError(f"--jobs must be a whole number, not {own['--jobs']!r}") from None
        if jobs <= 0:
            raise UsageError(f"--jobs must be positive, not {jobs}")
    keep = own.get("--keep", "failing")
    if keep not in KEEP:
        raise UsageError(f"--keep must be one of {', '.join(KEEP)}, not {keep!r}")
    timeout = DEFAULT_TIMEOUT
    if "--timeout" in own:
        try:
            timeout = float(own["--timeout"])
        except ValueError:
            timeout = -1.0
        if not timeout > 0:
            raise UsageError(f"--timeout must be a number of seconds above 0, not "
                             f"{own['--timeout']!r}")
    cluster = own.get("--cluster")
    if cluster is not None and not re.fullmatch(r"(tcp|tls|inproc|ucx)://\S+", cluster):
        raise UsageError(f"--cluster must be a Dask scheduler's address such as "
                         f"tcp://127.0.0.1:8786, not {cluster!r}")
    ranges = swarm.Ranges()
    for name in swarm.RANGES:
        if f"--swarm-{name}" in own:
            ranges.add(name, own[f"--swarm-{name}"])
    ranges.all_faults = "--swarm-all-faults" in own
    if (ranges.given or ranges.all_faults) and "--swarm" not in own:
        raise UsageError("--swarm-* flags need --swarm")
    seeds = parse_seeds(own["--seeds"])
    test_flags = flags if real or "--sim" in flags else [*flags, "--sim"]
    opts = cli.parse([*test_flags, *(["--"] + args if args else [])])
    return Sweep(seeds=seeds, flags=flags, args=args, opts=opts, jobs=jobs, keep=keep,
                 cluster=cluster, real=real, timeout=timeout, swarmed="--swarm" in own,
                 ranges=ranges, store=opts.store, quiet=opts.quiet)


def _without(flags: list[str], names: tuple[str, ...], valued: bool = True) -> list[str]:
    out: list[str] = []
    skip = False
    for a in flags:
        if skip:
            skip = False
        elif a in names:
            skip = valued
        elif not any(a.startswith(f"{n}=") for n in names):
            out.append(a)
    return out


@dataclass
class Plan:
    """One seed: the flags it runs with (as the replay command spells them)."""

    seed: int
    flags: list[str]  # test flags, user's spelling (relative --bin), with --sim unless real
    config: list[str] | None  # the drawn flags under --swarm
    error: str | None = None  # a drawn configuration `test` refuses

    def replay(self, args: list[str]) -> str:
        tail = ["--", *args] if args else []
        return shlex.join(["python3", "-m", "workbench", "test", *self.flags,
                           "--seed", str(self.seed), *tail])


def plans(sw: Sweep) -> Iterator[Plan]:
    base = [a for a in sw.flags]
    if not sw.real and "--sim" not in base:
        base.append("--sim")
    named = any(a in ("--nodes", "--node", "-n", "--nodes-file")
                or a.startswith(("--nodes=", "--node=", "--nodes-file="))
                for a in sw.flags) and not any(a == "--node-count"
                                               or a.startswith("--node-count=")
                                               for a in sw.flags)
    for seed in sw.seeds:
        if not sw.swarmed:
            yield Plan(seed, base, None)
            continue
        drawn = swarm.draw(seed, sw.opts, sw.ranges, fixed_nodes=named)
        flags = [*swarm.without_drawn(base), *drawn]
        plan = Plan(seed, flags, drawn)
        try:
            cli.parse([*flags, *(["--"] + sw.args if sw.args else [])])
        except UsageError as err:
            plan.error = str(err).splitlines()[0]
        yield plan


def _worker_flags(flags: list[str]) -> list[str]:
    """`flags` for a worker: --bin absolute (a worker's directory is not ours), no --store
    or --quiet (the worker sets its own)."""
    out = _without(_without(flags, ("--store",)), ("--quiet",), valued=False)
    for i, a in enumerate(out):
        if a == "--bin" and i + 1 < len(out):
            out[i + 1] = os.path.abspath(out[i + 1])
        elif a.startswith("--bin="):
            out[i] = "--bin=" + os.path.abspath(a[len("--bin="):])
    return out


def _rechecked(seed: int) -> bool:
    """Whether passing `seed` is run twice (about RECHECK_FRACTION of seeds, by seed)."""
    return random.Random(f"workbench/sweep-recheck/{seed}").random() < RECHECK_FRACTION


def local_executor(jobs: int) -> cf.Executor:
    """A process pool whose workers hash strings unsalted (PYTHONHASHSEED=0, which a
    simulated run needs): started with `spawn`, so each worker is a fresh interpreter
    with this process's environment, which this sets."""
    os.environ["PYTHONHASHSEED"] = "0"
    return cf.ProcessPoolExecutor(max_workers=jobs,
                                  mp_context=multiprocessing.get_context("spawn"))


class ClusterExecutor:
    """A Dask cluster through `distributed.Client(address).get_executor()`, checked before
    anything starts: reachable, workers present, one thread each, hashing unsalted, and the
    node binary at the same path."""

    def __init__(self, address: str, bin_path: str, sim: bool) -> None:
        logging.getLogger("distributed").setLevel(logging.ERROR)
        try:
            import distributed
        except ImportError:
            raise UsageError("--cluster needs Dask's distributed package: pip install "
                             "'gossip-glomers-workbench[cluster]' (or .[cluster])") from None
        try:
            connect: Any = distributed.Client  # (Dask's API is not typed)
            self.client: Any = connect(address, timeout="10s")
        except (OSError, TimeoutError) as err:
            raise UsageError(f"--cluster {address}: cannot reach the Dask scheduler "
                             f"({_one_line(err)})") from None
        try:
            try:
                self.client.wait_for_workers(1, timeout=10)
            except (OSError, TimeoutError):
                raise UsageError(f"--cluster {address}: the scheduler has no workers") from None
            workers = self.client.scheduler_info()["workers"]
            threads = {w: info.get("nthreads", 1) for w, info in workers.items()}
            many = sorted(w for w, n in threads.items() if n != 1)
            if many:
                raise UsageError(f"--cluster {address}: worker {many[0]} runs "
                                 f"{threads[many[0]]} threads; start workers with "
                                 "--nthreads 1 (a run patches process-wide state)")
            if sim:
                salted = sorted(w for w, ok in self.client.run(hash_is_fixed).items() if not ok)
                if salted:
                    raise UsageError(f"--cluster {address}: worker {salted[0]} hashes strings "
                                     "with a random salt; start workers with PYTHONHASHSEED=0")
            missing = sorted(w for w, ok in self.client.run(os.path.isfile, bin_path).items()
                             if not ok)
            if missing:
                raise UsageError(f"--cluster {address}: worker {missing[0]} has no {bin_path}; "
                                 "workers need the project at the same path")
        except BaseException:
            self.client.close()
            raise
        self.threads = sum(threads.values())
        self.executor = self.client.get_executor(pure=False)

    def close(self) -> None:
        self.executor.shutdown(wait=False)
        self.client.close()


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text or type(err).__name__


@dataclass
class _Seed:
    plan: Plan
    first: dict[str, Any] | None = None
    second: dict[str, Any] | None = None


class Sweeper:
    """Runs the plans through an executor and writes each seed's line as it finishes."""

    def __init__(self, sw: Sweep, executor: cf.Executor, jobs: int, out_dir: Path,
                 lines: IO[str]) -> None:
        self.sw, self.executor, self.jobs, self.dir, self.lines = sw, executor, jobs, out_dir, lines
        self.done: list[dict[str, Any]] = []
        self.failures = 0
        self.pending: dict[cf.Future[dict[str, Any]], _Seed] = {}

    def _task(self, seed: _Seed, full: bool) -> SeedTask:
        plan = seed.plan
        return SeedTask(seed=plan.seed, flags=_worker_flags(plan.flags), args=self.sw.args,
                        full=full, store_root=str((self.dir / f"seed-{plan.seed}").resolve()),
                        timeout=self.sw.timeout, sim=not self.sw.real)

    def _submit(self, seed: _Seed, full: bool) -> None:
        future = self.executor.submit(run_seed, self._task(seed, full))
        self.pending[future] = seed

    def run(self, progress: Any) -> None:
        plans_left = plans(self.sw)
        exhausted = False
        while True:
            while not exhausted and len(self.pending) < 2 * self.jobs:
                plan = next(plans_left, None)
                if plan is None:
                    exhausted = True
                    break
                seed = _Seed(plan)
                if plan.error is not None:
                    self._finish(seed, progress)
                else:
                    self._submit(seed, full=self.sw.keep == "all")
            if not self.pending:
                return
            finished, _ = cf.wait(list(self.pending), return_when=cf.FIRST_COMPLETED)
            for future in finished:
                seed = self.pending.pop(future)
                outcome = _outcome(future)
                if seed.first is None:
                    seed.first = outcome
                    again = self._again(seed)
                    if again is None:
                        self._finish(seed, progress)
                    else:
                        self._submit(seed, full=again)
                else:
                    seed.second = outcome
                    self._finish(seed, progress)

    def _again(self, seed: _Seed) -> bool | None:
        """Whether `seed` runs a second time, and then with its full store (True) or bare."""
        first = seed.first
        assert first is not None
        failing = first["exit"] != EXIT_VALID
        if first["signature"] in ("broken: timeout", "broken: hash-seed"):
            return None
        wants_store = failing and self.sw.keep == "failing"
        if self.sw.real:  # no determinism to check; a failing seed's store costs a run
            return True if wants_store else None
        if failing or _rechecked(seed.plan.seed):
            return wants_store
        return None

    def _finish(self, seed: _Seed, progress: Any) -> None:
        line = self._line(seed)
        self.lines.write(json.dumps(line) + "\n")
        self.lines.flush()
        self.done.append(line)
        if line["exit"] != EXIT_VALID or line.get("deterministic") is False:
            self.failures += 1
        progress.update(self.failures)

    def _line(self, seed: _Seed) -> dict[str, Any]:
        plan = seed.plan
        replay = plan.replay(self.sw.args)
        if plan.error is not None:
            return {"seed": plan.seed, "exit": EXIT_USAGE, "valid": "unknown",
                    "signature": "broken: flags", "virtual_s": None, "wall_s": 0.0,
                    "cpu_s": 0.0, "store": None, "ok_fraction": None, "msgs_per_op": None,
                    "unanswerable": None, "held_only": None, "replay": replay,
                    "config": plan.config,
                    "error": plan.error, "deterministic": None}
        first = seed.first
        assert first is not None
        line = {k: first.get(k) for k in ("seed", "exit", "valid", "signature", "virtual_s",
                                          "wall_s", "cpu_s", "store", "ok_fraction",
                                          "msgs_per_op", "unanswerable", "held_only")}
        line.update(replay=replay, config=plan.config, error=first["error"],
                    deterministic=None)
        second = seed.second
        if second is not None:
            if second["store"] is not None:
                line["store"] = second["store"]
            if second.get("unanswerable") is not None:  # computed from its full store
                line["unanswerable"] = second["unanswerable"]
                line["held_only"] = second["held_only"]
            if not self.sw.real:
                same = (second["exit"] == first["exit"]
                        and second["fingerprint"] == first["fingerprint"])
                line["deterministic"] = same
                if not same:
                    line["nondeterminism"] = _difference(first, second)
            elif second["exit"] != first["exit"]:
                line["store_run"] = {"exit": second["exit"], "signature": second["signature"]}
        return line


def _difference(a: dict[str, Any], b: dict[str, Any]) -> str:
    if a["exit"] != b["exit"]:
        return f"exit {a['exit']} then {b['exit']} ({a['signature'] or 'valid'} then " \
               f"{b['signature'] or 'valid'})"
    fa, fb = a["fingerprint"] or {}, b["fingerprint"] or {}
    what = [k for k in ("history", "results") if fa.get(k) != fb.get(k)]
    return f"the same seed gave a different {' and '.join(what) or 'outcome'} on its second run"


def _outcome(future: cf.Future[dict[str, Any]]) -> dict[str, Any]:
    try:
        return future.result()
    except BaseException as err:  # the worker itself died (killed, out of memory)
        return {"seed": None, "exit": EXIT_BROKEN, "valid": "unknown",
                "signature": f"broken: worker {type(err).__name__}", "virtual_s": None,
                "wall_s": 0.0, "cpu_s": 0.0, "fingerprint": None, "store": None,
                "error": _one_line(err)}


class _Progress:
    """A tqdm bar on a terminal (seeds done, failures, seeds/min, time left); silent
    otherwise."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.bar: Any = None
        self.started = time.monotonic()
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm
            size = shutil.get_terminal_size((0, 0))  # a pty may say 0 x 0: tqdm hides then
            sized = size.columns > 0 and size.lines > 0
            self.bar = tqdm(total=total, unit="seed", file=sys.stderr, dynamic_ncols=sized,
                            ncols=None if sized else 100, nrows=None if sized else 20,
                            bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} "
                                       "[{elapsed}<{remaining}{postfix}]")

    def update(self, failures: int) -> None:
        if self.bar is None:
            return
        done = self.bar.n + 1
        minutes = max(time.monotonic() - self.started, 1e-6) / 60
        self.bar.set_postfix_str(f"{failures} failing, {done / minutes:.0f} seeds/min",
                                 refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def exit_status(lines: list[dict[str, Any]]) -> int:
    """Jepsen's test-all: 255 if a run broke (or did not replay), else 1 if one is invalid,
    else 2 if one is unknown, else 0."""
    if any(line["exit"] not in (EXIT_VALID, EXIT_INVALID, EXIT_UNKNOWN)
           or line.get("deterministic") is False for line in lines):
        return EXIT_BROKEN
    if any(line["valid"] is False for line in lines):
        return EXIT_INVALID
    if any(line["valid"] != True for line in lines):  # noqa: E712 (True, not truthy)
        return EXIT_UNKNOWN
    return EXIT_VALID


def groups(lines: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The failing seeds by signature, most seeds first; in each, fastest failing first
    (least virtual time, then wall time, then seed)."""
    by: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        if line["exit"] != EXIT_VALID:
            by.setdefault(line["signature"] or f"exit {line['exit']}", []).append(line)
    for members in by.values():
        members.sort(key=lambda x: (x["virtual_s"] if x["virtual_s"] is not None
                                    else float("inf"), x["wall_s"], x["seed"]))
    return sorted(by.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def unpassable(line: dict[str, Any]) -> str | None:
    """Why no node could have made a failing seed's line valid: "unanswerable" (some op never
    :ok had no request reach a running node in time), "held only" (its only such requests
    had waited through a 5 s pause, so a node could answer them only blind), or None."""
    if line["exit"] == EXIT_VALID:
        return None
    if line.get("unanswerable"):
        return "unanswerable"
    return "held only" if line.get("held_only") else None


def _unanswerable(members: list[dict[str, Any]]) -> int:
    return sum(1 for x in members if unpassable(x) == "unanswerable")


def _held_only(members: list[dict[str, Any]]) -> int:
    return sum(1 for x in members if unpassable(x) == "held only")


def summary(sw: Sweep, lines: list[dict[str, Any]], command: str, note: str) -> str:
    """summary.md: counts, the failures grouped by signature, nondeterminism."""
    count = {k: sum(1 for x in lines if x["valid"] is v and x["exit"] in (0, 1, 2))
             for k, v in (("valid", True), ("invalid", False))}
    unknown = sum(1 for x in lines if x["valid"] == "unknown" and x["exit"] == EXIT_UNKNOWN)
    broken = sum(1 for x in lines if x["exit"] not in (0, 1, 2))
    unanswerable = _unanswerable(lines)
    held = _held_only(lines)
    checked = [x for x in lines if x.get("deterministic") is not None]
    differ = [x for x in checked if x["deterministic"] is False]
    out = [f"# Sweep: {len(lines)} of {len(sw.seeds)} seeds", "", f"    {command}", "",
           note, "",
           f"- valid {count['valid']}, invalid {count['invalid']}, unknown {unknown}, "
           f"broken {broken}; exit status {exit_status(lines)}",
           *([f"- unanswerable: {unanswerable} of the invalid seeds (some op never :ok had no "
                "request reach a running node before its client gave up: no node program "
                "could pass them)"]
             if unanswerable else []),
           *([f"- held only: {held} of the invalid seeds (every in-time request of some op "
                "never :ok had waited through a pause of 5 s or more, so no node could tell "
                "it from one whose client had left)"] if held else []),
           f"- run twice to check determinism: {len(checked)} seeds"
           + (" (not in --real mode)" if sw.real else "")
           + (f"; **{len(differ)} not deterministic**" if differ else "; all replayed exactly"),
           ""]
    found = groups(lines)
    if found:
        out += ["## Failures by signature", "",
                "| signature | seeds | unanswerable | held only | fastest seed | its virtual s |",
                "| --- | --- | --- | --- | --- | --- |"]
        for sig, members in found:
            best = members[0]
            out.append(f"| `{sig}` | {len(members)} | {_unanswerable(members)} "
                       f"| {_held_only(members)} | {best['seed']} | {best['virtual_s']} |")
        for sig, members in found:
            best = members[0]
            seeds = ", ".join(str(x["seed"]) for x in sorted(members, key=lambda x: x["seed"]))
            none = [x["seed"] for x in sorted(members, key=lambda x: x["seed"])
                    if unpassable(x) == "unanswerable"]
            out += ["", f"### `{sig}`", "", f"{len(members)} seeds: {seeds}", "",
                    *([f"Unanswerable (an op never :ok had no request reach a running node "
                       f"in time): {', '.join(map(str, none))}", ""] if none else []),
                    f"Fastest: seed {best['seed']} ({best['virtual_s']} s virtual, "
                    f"{best['wall_s']} s wall)" + (f"; store {best['store']}"
                                                   if best["store"] else ""), "",
                    f"    {best['replay']}"]
            if best.get("error"):
                out += ["", f"Error: {best['error']}"]
    if differ:
        out += ["", "## Nondeterminism", ""]
        out += [f"- seed {x['seed']}: {x['nondeterminism']}  \n  `{x['replay']}`" for x in differ]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    try:
        sw = parse(argv)
        return _sweep(sw, argv)
    except WorkbenchError as err:
        print(str(err), file=sys.stderr)
        return err.exit_code


def _sweep(sw: Sweep, argv: list[str]) -> int:
    command = shlex.join(["python3", "-m", "workbench", "sweep", *argv])
    cluster: ClusterExecutor | None = None
    if sw.cluster is not None:
        cluster = ClusterExecutor(sw.cluster, sw.opts.bin, sim=not sw.real)
        executor: cf.Executor = cluster.executor
        jobs = sw.jobs or cluster.threads
    else:
        jobs = sw.jobs or os.cpu_count() or 1
        executor = local_executor(min(jobs, len(sw.seeds)))
    out_dir = store.new_stamped_dir(Path(sw.store) / "sweeps")
    where = out_dir / "sweep.jsonl"
    progress = _Progress(len(sw.seeds), sw.quiet)
    interrupted = False
    with where.open("w") as lines:
        sweeper = Sweeper(sw, executor, jobs, out_dir, lines)
        try:
            sweeper.run(progress)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            progress.close()
            if cluster is not None:
                cluster.close()
            elif interrupted:
                _stop_pool(executor)
            else:
                executor.shutdown(wait=True)
    done = sweeper.done
    note = (f"Interrupted after {len(done)} of {len(sw.seeds)} seeds." if interrupted
            else f"All {len(sw.seeds)} seeds ran.")
    (out_dir / "summary.md").write_text(summary(sw, done, command, note))
    status = EXIT_INTERRUPTED if interrupted else exit_status(done)
    _report(done, sw, where, note, status)
    return status


def _stop_pool(executor: cf.Executor) -> None:
    """Stop a local pool now: pending seeds dropped, running ones' workers terminated."""
    processes = dict(getattr(executor, "_processes", None) or {})
    executor.shutdown(wait=False, cancel_futures=True)
    for p in processes.values():
        p.terminate()
    for p in processes.values():
        p.join(5)


def _report(done: list[dict[str, Any]], sw: Sweep, where: Path, note: str,
            status: int) -> None:
    found = groups(done)
    failing = sum(len(m) for _, m in found)
    print(f"{note} {len(done) - failing} passed, {failing} failed"
          + (f" in {len(found)} signatures" if found else "") + ".")
    for sig, members in found:
        best = members[0]
        none, held = _unanswerable(members), _held_only(members)
        print(f"  {len(members):>5} x {sig}"
              + (f" ({none} unanswerable)" if none else "")
              + (f" ({held} held only)" if held else "")
              + f"; fastest seed {best['seed']}:\n"
              f"          {best['replay']}")
    for x in done:
        if x.get("deterministic") is False:
            print(f"  not deterministic: seed {x['seed']}: {x['nondeterminism']}")
    print(f"Lines: {where}\nSummary: {where.parent / 'summary.md'}")
    if status == EXIT_INTERRUPTED:
        print(f"interrupted: {len(done)} of {len(sw.seeds)} seeds done; every finished "
              f"seed's line is in {where}", file=sys.stderr)
