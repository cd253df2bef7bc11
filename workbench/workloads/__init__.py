"""Workloads: Maelstrom's workload names -> our modules (WORKLOADS), the `Workload` record each
module's `workload(opts, rng)` returns (client, generators, checker, optional setup, files
and explanations), the client protocol, `load` and the per-workload flag checks. Each module
holds its RPCs, client, generators and checker side by side."""

from __future__ import annotations

import importlib
import importlib.util
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Protocol

if TYPE_CHECKING:
    from ..client import Client
    from ..generator import Generator
    from ..history import Op
    from ..options import Options

# Maelstrom's ten workload names -> our modules (a module not written yet is reported as such).
WORKLOADS = {
    "lin-kv": "lin_kv",
    "g-set": "g_set",
    "txn-list-append": "txn_list_append",
    "echo": "echo",
    "unique-ids": "unique_ids",
    "broadcast": "broadcast",
    "g-counter": "g_counter",
    "pn-counter": "g_counter",
    "kafka": "kafka",
    "txn-rw-register": "txn_rw_register",
}


class WorkloadClient(Protocol):
    async def invoke(self, rpc: Client, op: Op) -> Op:
        """Perform `op` (an :invoke op) and return its completion (same dict, type changed)."""


@dataclass
class Workload:
    name: str
    client: Callable[[], WorkloadClient]  # a fresh workload client (per Maelstrom client)
    generator: Generator
    check: Callable[[Options, list[Op]], dict[str, Any]]
    final_generator: Generator | None = None
    reusable: bool = False  # keep the same client id after an :info completion
    setup: Callable[[Client, Options], Awaitable[Any]] | None = None  # per node, once
    # files the checker's result calls for (lin-kv's views), written into the run's folder
    # after the analysis
    write_files: Callable[[Path, dict[str, Any]], Any] | None = None
    # one anomaly case in words, (anomaly type, case as written) -> text: the results writer
    # puts it beside each case in results.edn and into the run's elle/<type>.txt (Elle's)
    explain: Callable[[str, Any], str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def is_built(workload: str) -> bool:
    """Whether the workbench has a module for this Maelstrom workload name."""
    return importlib.util.find_spec(f"{__name__}.{WORKLOADS[workload]}") is not None


def load(opts: Options, rng: random.Random) -> Workload:
    """Build the named workload (cli.parse has checked that it is built)."""
    module = importlib.import_module(f"{__name__}.{WORKLOADS[opts.workload]}")
    workload: Workload = module.workload(opts, rng)
    return workload


def request_fs(workload: str) -> dict[str, str]:
    """Which op (:f) a client request of each message type serves, where they differ (a
    module's REQUEST_FS; kafka's assign asks list_committed_offsets); other requests are
    named as their ops are (add, read, send, txn, ...)."""
    module = importlib.import_module(f"{__name__}.{WORKLOADS[workload]}")
    fs: dict[str, str] = getattr(module, "REQUEST_FS", {})
    return fs


def check_options(opts: Options) -> None:
    """Workload-specific flag checks (UsageError), for cli.parse to call before anything is
    created in the store: a module may define `check_options(opts)` (lin-kv does, for its
    --concurrency rule). Its `workload()` calls the same check, so it holds either way."""
    module = importlib.import_module(f"{__name__}.{WORKLOADS[opts.workload]}")
    extra = getattr(module, "check_options", None)
    if extra is not None:
        extra(opts)
