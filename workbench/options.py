"""The options of one test, as `cli.parse` builds them from Maelstrom's flags: a plain record
below everything that reads it (the runner, the workloads, their checkers)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Options:
    bin: str
    workload: str = "lin-kv"
    nodes: list[str] = field(default_factory=lambda: [f"n{i}" for i in range(1, 6)])
    rate: float = 5.0
    time_limit: float = 60.0
    concurrency: int = 5
    latency: int = 0
    latency_dist: str = "constant"
    nemesis: frozenset[str] = frozenset()
    nemesis_interval: float = 10.0
    nemesis_schedule: str | None = None  # --nemesis-schedule: a file of fault ops to replay
    topology: str = "grid"
    availability: object | None = None  # None, "total" or a float in [0, 1]
    consistency_models: list[str] = field(default_factory=lambda: ["strict-serializable"])
    key_count: int | None = None
    max_txn_length: int = 4
    max_writes_per_key: int = 16
    log_stderr: bool = False
    log_net_send: bool = False
    log_net_recv: bool = False
    test_count: int = 1
    seed: int | None = None
    store: str = "store"
    quiet: bool = False
    sim: bool = False
    args: list[str] = field(default_factory=list)
    argv: list[str] = field(default_factory=list)  # the arguments after `test`, as given
    run_dir: str | None = None  # set for the run: where checkers may write their own files
    # A sweep's seed (workbench/sweep.py): results.edn/json and jepsen.log only, no report
    # process, no history files or workload files; fingerprint.json instead (runner.py).
    bare: bool = False

    @property
    def node_count(self) -> int:
        return len(self.nodes)
