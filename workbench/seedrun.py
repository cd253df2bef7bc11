"""One seed of a sweep (`python3 -m workbench sweep`, sweep.py), run inside a worker process
that stays up for many seeds: a local process pool's or a Dask worker's.

`run_seed` takes a SeedTask and gives back the seed's outcome as plain data: the test's exit
code and verdict, the failure signature, times, the fingerprint that the determinism check
compares, and, for a seed run with its full store, where that store is.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import hashlib
import io
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from . import cli, runner
from .checkers.stats import EXEMPT_FS
from .client import DEFAULT_TIMEOUT
from .errors import EXIT_BROKEN, WorkbenchError
from .journal import requests_in_time
from .nemesis import schedule
from .report import results as results_file
from .workloads import request_fs

# Checker output keys that name what went wrong, when their count (or list) is not empty.
# In real mode, the time a node is given to answer a request before a kill or pause for it
# to count as answerable: the nemesis logs a kill or pause as it begins, the network may
# hand the node a message in between, and no real process reads, decides and writes (with
# a service round trip, on a loaded machine) in no time. Simulated runs are exact: 0.
REAL_MARGIN = 0.01
PROBLEM_COUNTS = {"lost-count": "lost", "duplicated-count": "duplicated"}
PROBLEM_LISTS = ("errors", "unseen")


@dataclass(frozen=True)
class SeedTask:
    seed: int
    flags: list[str]  # the test's flags (with --sim unless real), no --seed/--store/--quiet
    args: list[str]  # for the binary, after --
    full: bool  # write the run's whole store into store_root (else a bare run, kept nowhere)
    store_root: str
    timeout: float
    sim: bool


class SeedTimeout(KeyboardInterrupt):
    """Raised in the thread running a seed once it is over its time limit. A KeyboardInterrupt,
    so that nothing a node does (`except Exception`) and no asyncio task keeps it: the run
    stops and its clean-up (the nodes killed) runs as on Ctrl-C."""


class _Watchdog:
    """Raises SeedTimeout in the calling thread after `seconds`, and again every few seconds
    while the seed still runs (a node that swallows it once does not hold the worker)."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._done = threading.Event()
        self._target = threading.get_ident()
        self._seconds = seconds
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        wait = self._seconds
        while not self._done.wait(wait):
            self.fired = True
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._target),
                                                       ctypes.py_object(SeedTimeout))
            wait = 5.0

    def cancel(self) -> None:
        self._done.set()
        self._thread.join()
        if self.fired:  # an exception raised as the run ended may still be pending: clear it
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._target), None)


def hash_is_fixed() -> bool:
    """Whether this process hashes strings without a random salt (PYTHONHASHSEED=0), which a
    simulated run needs to replay byte for byte."""
    return sys.flags.hash_randomization == 0


def run_seed(task: SeedTask) -> dict[str, Any]:
    """Run one seed; its outcome (see sweep.py for the fields). Never raises for a broken
    run: that is an outcome (exit 255 with its error)."""
    out: dict[str, Any] = {"seed": task.seed, "exit": EXIT_BROKEN, "valid": "unknown",
                           "signature": "", "virtual_s": None, "wall_s": 0.0, "cpu_s": 0.0,
                           "fingerprint": None, "store": None, "error": None,
                           "unanswerable": None, "held_only": None, "ok_fraction": None,
                           "msgs_per_op": None}
    if task.sim and not hash_is_fixed():
        out.update(signature="broken: hash-seed",
                   error="this worker hashes strings with a random salt: start it with "
                         "PYTHONHASHSEED=0")
        return out
    if task.full:
        root = Path(task.store_root)
        root.mkdir(parents=True, exist_ok=True)
    else:
        root = Path(tempfile.mkdtemp(prefix="workbench-seed-"))
    argv = [*task.flags, "--seed", str(task.seed), "--store", str(root), "--quiet"]
    if task.args:
        argv += ["--", *task.args]
    started, cpu = time.perf_counter(), _cpu()
    watchdog = _Watchdog(task.timeout)
    try:
        with silenced():
            opts = dataclasses.replace(cli.parse(argv), bare=not task.full)
            code, run_dir = runner.run_once(opts)
        watchdog.cancel()
        results = results_file.read(run_dir)
        out.update(exit=code, valid=results.get("valid?", "unknown"),
                   signature=signature(results))
        out.update(**_fingerprint(run_dir, results, task.full), **figures(results))
        if task.full:
            out["store"] = str(run_dir)
            found = unanswerable(run_dir, results, opts.workload,
                                 0.0 if task.sim else REAL_MARGIN) \
                if results.get("valid?") is not True else None
            if found is not None:
                out["unanswerable"], out["held_only"] = found
    except SeedTimeout:
        watchdog.cancel()
        out.update(signature="broken: timeout",
                   error=f"over the per-seed limit of {task.timeout:g} s (--timeout)")
    except BaseException as err:  # a broken run is an outcome, whatever broke it
        watchdog.cancel()
        if watchdog.fired:
            out.update(signature="broken: timeout",
                       error=f"over the per-seed limit of {task.timeout:g} s (--timeout)")
        else:
            code = err.exit_code if isinstance(err, WorkbenchError) else EXIT_BROKEN
            out.update(exit=code, signature=f"broken: {type(err).__name__}",
                       error=_first_line(str(err)) or type(err).__name__)
        if task.full:
            latest = root / "current"
            out["store"] = str(latest.resolve()) if latest.exists() else str(root)
    finally:
        out["wall_s"] = round(time.perf_counter() - started, 3)
        out["cpu_s"] = round(_cpu() - cpu, 3)
        if not task.full:
            shutil.rmtree(root, ignore_errors=True)
    return out


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """The run's printing (results, verdict; to the stdout the runner bound at import, so
    at the file descriptor) and its stderr warnings go nowhere: a seed's outcome is its line."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            try:
                yield
            finally:
                # the simulation's leftover tasks, freed now (their "Task was destroyed but
                # it is pending!" goes nowhere) rather than during the next seed's run
                gc.collect()
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _cpu() -> float:
    """CPU seconds of this process and its waited-for children (real nodes, the report)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


_TIME = re.compile(r":time (-?\d+)")


def _fingerprint(run_dir: Path, results: dict[str, Any], full: bool) -> dict[str, Any]:
    """What the determinism check compares (the history's and the results' SHA-256), and the
    virtual time of the run's last op: from fingerprint.json for a bare run, from the
    history files for a full one."""
    digest = hashlib.sha256(json.dumps(results, sort_keys=True).encode()).hexdigest()
    if not full:
        fp = json.loads((run_dir / "fingerprint.json").read_text())
        return {"fingerprint": {"history": fp["history_sha256"], "results": digest},
                "virtual_s": round(fp["last_op_s"], 3)}
    history = hashlib.sha256((run_dir / "history.txt").read_bytes()).hexdigest()
    last = 0
    with (run_dir / "history.edn").open() as f:
        for line in f:
            m = _TIME.search(line)
            if m:
                last = int(m.group(1))
    return {"fingerprint": {"history": history, "results": digest},
            "virtual_s": round(last / 1e9, 3)}


def unanswerable(run_dir: Path, results: dict[str, Any], workload: str, margin: float = 0.0
                 ) -> tuple[list[str], list[str]] | None:
    """Of the ops (:f) the stats checker found never :ok: those no node program could have
    completed (none of their requests reached a running node while its client waited, with
    `margin` seconds left to answer before the node stopped), and
    those only a node that answers blind could have (every such request had waited through
    a pause of 5 s or more, when it may be older than its client's patience);
    journal.requests_in_time. Any of the first makes the run invalid for every node. None
    without a journal."""
    journal_file = run_dir / "net-journal.jsonl"
    if not journal_file.exists():
        return None
    never = _never_ok((results.get("stats") or {}).get("by-f"))
    if not never:
        return [], []
    names = request_fs(workload)
    reached, unheld = requests_in_time(journal_file, DEFAULT_TIMEOUT,
                                       schedule.pauses(run_dir / schedule.FILE),
                                       schedule.stops(run_dir / schedule.FILE), margin)
    ok_any = {names.get(t, t) for t in reached}
    ok_unheld = {names.get(t, t) for t in unheld}
    return (sorted(f for f in never if f not in ok_any),
            sorted(f for f in never if f in ok_any and f not in ok_unheld))


def _never_ok(by_f: Any) -> list[str]:
    """The fs of the stats checker's :by-f that never completed :ok and count (not :crash
    and kafka's debug op)."""
    if not isinstance(by_f, dict):
        return []
    return [str(f) for f, v in by_f.items() if f not in EXEMPT_FS and isinstance(v, dict)
            and v.get("valid?", True) is not True]


def figures(results: dict[str, Any]) -> dict[str, Any]:
    """The run's availability (:ok-fraction) and servers msgs-per-op, None where absent."""
    availability = results.get("availability")
    servers = (results.get("net") or {}).get("servers")
    return {"ok_fraction": availability.get("ok-fraction")
            if isinstance(availability, dict) else None,
            "msgs_per_op": servers.get("msgs-per-op") if isinstance(servers, dict) else None}


def signature(results: dict[str, Any]) -> str:
    """Which checkers failed and how, as a stable, groupable string: e.g. `workload[lost]`,
    `workload[G1c,G-single] stats[read]`, `availability`. Empty for a valid run."""
    parts: list[str] = []
    for name in sorted(results):
        value = results[name]
        if name == "valid?" or not isinstance(value, dict):
            continue
        parts += _failures(name, value)
    return " ".join(parts)


def _failures(path: str, result: dict[str, Any]) -> list[str]:
    """The signature parts of checker `result` at `path` (nested checkers by their path)."""
    if result.get("valid?", True) is True:
        return []
    kinds: list[str] = []
    nested: list[str] = []
    for key in ("anomaly-types", "bad-error-types"):
        if isinstance(result.get(key), list):
            kinds += [str(k) for k in result[key]]
    for key, kind in PROBLEM_COUNTS.items():
        if isinstance(result.get(key), int) and result[key] > 0:
            kinds.append(kind)
    for key in PROBLEM_LISTS:
        if result.get(key):
            kinds.append(key)
    if isinstance(result.get("error"), str):
        m = re.match(r"([A-Z][A-Za-z]*(?:Error|Exception))\b", result["error"])
        kinds.append(m.group(1) if m else "error")
    if "not-a-maelstrom-pass" in result:
        kinds.append("not-a-maelstrom-pass")
    for key in sorted(result):
        sub = result[key]
        if key == "by-f" and isinstance(sub, dict):  # stats: the fs with no ok op that count
            kinds += sorted(_never_ok(sub))
        elif isinstance(sub, dict) and "valid?" in sub:
            nested += _failures(f"{path}.{key}", sub)
    if not kinds and result.get("valid?") == "unknown":
        kinds.append("unknown")
    kinds = sorted(set(kinds))
    head = f"{path}[{','.join(kinds)}]" if kinds else path
    return [head, *nested] if kinds or not nested else nested
