"""`python3 -m workbench test ...`: Maelstrom's flags and defaults (Maelstrom's
src/maelstrom/core.clj), checked up front."""

from __future__ import annotations

import argparse
import math
import os
import re
from typing import Callable, NoReturn, Sequence

from .elle.models import UnknownModel, validate_models
from .errors import UsageError
from .nemesis import registry as faults
from .nemesis import schedule
from .network import DISTRIBUTIONS
from .options import Options
from .sim import unsimulable
from .workloads import WORKLOADS, check_options, is_built

__all__ = ["Options", "TOPOLOGIES", "parse"]

TOPOLOGIES = ("line", "grid", "tree", "tree2", "tree3", "tree4", "total")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\nRun `python3 -m workbench test --help` for the flags.")


def _positive_int(name: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number, not {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{name} must be positive, not {value}")
        return value
    return parse


def _number(name: str, minimum: float = 0.0, strict: bool = False) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, not {text!r}") from None
        if math.isnan(value) or value < minimum or (strict and value == minimum):
            bound = ">" if strict else ">="
            raise argparse.ArgumentTypeError(f"{name} must be {bound} {minimum:g}, not {text}")
        return value
    return parse


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python3 -m workbench test", allow_abbrev=False,
                description="Run a Maelstrom test against a node binary, with Maelstrom's flags.")
    p.add_argument("--bin", help="the node binary to test (required)")
    p.add_argument("-w", "--workload", default="lin-kv", help="workload name (default lin-kv)")
    p.add_argument("--node-count", type=_positive_int("--node-count"))
    p.add_argument("-n", "--node", action="append", default=[], help="a node name; repeatable")
    p.add_argument("--nodes", help="comma-separated node names")
    p.add_argument("--nodes-file", help="a file of node names, one per line")
    p.add_argument("--rate", type=_number("--rate"), default=5.0)
    p.add_argument("--time-limit", type=_number("--time-limit", 0, strict=True), default=60.0)
    p.add_argument("--concurrency", default="1n", help="NUMBER or Kn (K x node count)")
    p.add_argument("--latency", type=lambda s: int(_number("--latency")(s)), default=0)
    p.add_argument("--latency-dist", default="constant", choices=DISTRIBUTIONS)
    p.add_argument("--nemesis", default="",
                   help="comma-separated faults: " + ", ".join(faults.fault_names()))
    p.add_argument("--nemesis-interval", type=_number("--nemesis-interval", 0, strict=True),
                   default=10.0)
    p.add_argument("--nemesis-schedule", metavar="FILE",
                   help="perform the fault ops in FILE at their times instead of drawing "
                        "them (workbench only): JSON Lines, one op a line, e.g. {\"time\": "
                        "2.5, \"f\": \"kill\", \"nodes\": [\"n1\"]}, as every run writes "
                        f"to {schedule.FILE} in its store dir; its faults are added to "
                        "--nemesis, whose heal comes before a final phase as usual, and "
                        "--nemesis-interval is unused")
    p.add_argument("--topology", default="grid", choices=TOPOLOGIES)
    p.add_argument("--availability", help="'total' or a number in [0, 1]")
    p.add_argument("--consistency-models", default="strict-serializable")
    p.add_argument("--key-count", type=_positive_int("--key-count"))
    p.add_argument("--max-txn-length", type=_positive_int("--max-txn-length"), default=4)
    p.add_argument("--max-writes-per-key", type=_positive_int("--max-writes-per-key"), default=16)
    p.add_argument("--log-stderr", action="store_true")
    p.add_argument("--log-net-send", action="store_true")
    p.add_argument("--log-net-recv", action="store_true")
    p.add_argument("--test-count", type=_positive_int("--test-count"), default=1)
    p.add_argument("--seed", type=int,
                   help="seed for every random choice: op values, nemesis schedule and "
                        "targets, latencies (workbench only)")
    p.add_argument("--store", default="store", help="where runs are stored (default ./store)")
    p.add_argument("--quiet", action="store_true", help="no live progress line")
    p.add_argument("--sim", action="store_true",
                   help="simulate: every node in this process, on virtual time; the same "
                        "--seed replays the same run (workbench only; Python nodes built on "
                        "maelstrom_node.py)")
    for ignored in ("--username", "--password", "--ssh-private-key"):
        p.add_argument(ignored, help=argparse.SUPPRESS)
    for ignored in ("--strict-host-key-checking", "--no-ssh", "--leave-db-running",
                    "--logging-json"):
        p.add_argument(ignored, action="store_true", help=argparse.SUPPRESS)
    return p


def parse(argv: Sequence[str]) -> Options:
    """Options from the arguments after `test`; UsageError (exit 254) when anything is off."""
    argv = list(argv)
    original = list(argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    ns, leftover = _parser().parse_known_args(argv)
    unknown = [a for a in leftover if a.startswith("-")]
    if unknown:
        raise UsageError(f"unknown option {unknown[0]!r}\n"
                         "Run `python3 -m workbench test --help` for the flags.")
    if ns.bin is None:
        raise UsageError("Expected a --bin PATH_TO_BINARY to test")
    if ns.workload not in WORKLOADS:
        raise UsageError(f"unknown workload {ns.workload!r}; known workloads: "
                         + ", ".join(sorted(WORKLOADS)))
    if not is_built(ns.workload):
        raise UsageError(f"workload {ns.workload!r} is not built into the workbench yet; "
                         "built: " + ", ".join(sorted(w for w in WORKLOADS if is_built(w))))
    nodes = _nodes(ns)
    concurrency = _concurrency(ns.concurrency, len(nodes))
    nemesis = frozenset(x for x in re.split(r"\s*,\s*", ns.nemesis.strip()) if x)
    known = frozenset(faults.fault_names())
    if nemesis - known:
        raise UsageError(f"unknown nemesis fault(s) {', '.join(sorted(nemesis - known))}; "
                         f"the faults are {', '.join(sorted(known))}")
    if ns.nemesis_schedule is not None:  # checked here, read again by the run
        nemesis |= schedule.faults(schedule.load(ns.nemesis_schedule, nodes))
    availability: object | None = None
    if ns.availability is not None:
        if ns.availability == "total":
            availability = "total"
        else:
            try:
                fraction = float(ns.availability)
            except ValueError:
                fraction = -1.0
            availability = fraction
            if not 0.0 <= fraction <= 1.0:
                raise UsageError("--availability must be 'total' or a number in [0, 1], "
                                 f"not {ns.availability!r}")
    # As Maelstrom's core.clj: models are separated by a comma with spaces on both sides;
    # "a,b" is one (unknown) model name there, which its checker throws on (unknown, exit 2).
    # We refuse it here, with the reason, rather than run a test Maelstrom cannot judge.
    models = [m for m in re.split(r"\s+,\s+", ns.consistency_models.strip()) if m]
    if not models:
        raise UsageError("--consistency-models needs at least one model")
    try:
        validate_models(models)
    except UnknownModel as err:
        hint = ""
        if any("," in m for m in models):
            hint = ("\nMaelstrom splits --consistency-models on a comma with spaces on both "
                    "sides, so it reads 'a,b' as one model name: write 'a , b'.")
        raise UsageError(f"{err}{hint}") from None
    bin_path = os.path.abspath(ns.bin)
    if ns.sim and os.path.isfile(bin_path):
        why = unsimulable(bin_path)
        if why is not None:
            raise UsageError(f"--sim cannot run {ns.bin}: {why}. Run it without --sim.")
    opts = Options(
        bin=bin_path, workload=ns.workload, nodes=nodes, rate=ns.rate, time_limit=ns.time_limit,
        concurrency=concurrency, latency=ns.latency, latency_dist=ns.latency_dist,
        nemesis=nemesis, nemesis_interval=ns.nemesis_interval,
        nemesis_schedule=None if ns.nemesis_schedule is None else os.path.abspath(
            ns.nemesis_schedule), topology=ns.topology,
        availability=availability, consistency_models=models, key_count=ns.key_count,
        max_txn_length=ns.max_txn_length, max_writes_per_key=ns.max_writes_per_key,
        log_stderr=ns.log_stderr, log_net_send=ns.log_net_send, log_net_recv=ns.log_net_recv,
        test_count=ns.test_count, seed=ns.seed, store=ns.store, quiet=ns.quiet, sim=ns.sim,
        args=[a for a in leftover if not a.startswith("-")] + extra, argv=list(original),
    )
    check_options(opts)  # the workload's own rules (lin-kv's --concurrency), before any file
    return opts


def _nodes(ns: argparse.Namespace) -> list[str]:
    if ns.node_count is not None:
        return [f"n{i}" for i in range(ns.node_count)]
    nodes: list[str] = []
    if ns.nodes_file:
        try:
            with open(ns.nodes_file) as f:
                nodes += [line.strip() for line in f if line.strip()]
        except OSError as err:
            raise UsageError(f"--nodes-file {ns.nodes_file}: {err.strerror}") from None
    if ns.nodes:
        nodes += [x for x in re.split(r",\s*", ns.nodes) if x]
    nodes += ns.node
    nodes = nodes or [f"n{i}" for i in range(1, 6)]
    bad = [x for x in nodes if x.startswith("c") or x in ("lin-kv", "seq-kv", "lww-kv", "lin-tso")]
    if bad:
        raise UsageError(f"node name {bad[0]!r} is taken: names starting with 'c' are clients, "
                         "and the services have their own names")
    if len(set(nodes)) != len(nodes):
        raise UsageError("node names must be distinct")
    return nodes


def _concurrency(text: str, node_count: int) -> int:
    m = re.fullmatch(r"(\d+)(n?)", text)
    if not m:
        raise UsageError(f"--concurrency must be a number, or a number followed by n "
                         f"(times the node count), not {text!r}")
    value = int(m.group(1)) * (node_count if m.group(2) else 1)
    if value <= 0:
        raise UsageError("--concurrency must be positive")
    return value
