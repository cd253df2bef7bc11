"""A Dask cluster on this machine, started as a user starts one for `sweep --cluster`: a
`dask scheduler` and single-threaded `dask worker`s on 127.0.0.1 (free ports), with
PYTHONHASHSEED=0 and the given directory as their working directory (workers need the
project at the sweep's path). For the tests and benchmarks that need a real cluster; the
`dask` command comes with the `cluster` extra."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Iterator

READY_TIMEOUT = 150  # s for the scheduler and every worker to be up
STOP_TIMEOUT = 20  # s a process gets after SIGTERM before SIGKILL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _signal(p: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(p.pid, sig)
    except ProcessLookupError:
        pass


@contextlib.contextmanager
def local_cluster(workers: int, cwd: Path, log_dir: Path) -> Iterator[str]:
    """Yield the scheduler's address once `workers` workers have joined; stop them all
    afterwards, whatever happens: workers first (one whose scheduler is gone retries for
    minutes), then the scheduler. Each process logs to log_dir/<name>.log."""
    dask = Path(sys.executable).parent / "dask"
    address = f"tcp://127.0.0.1:{free_port()}"
    env = dict(os.environ, PYTHONHASHSEED="0")
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *argv: str) -> None:
        with (log_dir / f"{name}.log").open("wb") as log:
            procs.append(subprocess.Popen([str(dask), *argv], cwd=cwd, env=env, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True))

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port",
              address.rsplit(":", 1)[1], "--dashboard-address", f"127.0.0.1:{free_port()}")
        for i in range(1, workers + 1):
            start(f"worker{i}", "worker", address, "--nthreads", "1", "--no-nanny",
                  "--dashboard-address", f"127.0.0.1:{free_port()}")
        ready = ("from distributed import Client; import sys; "
                 "c = Client(sys.argv[1], timeout=60); "
                 "c.wait_for_workers(int(sys.argv[2]), timeout=60); c.close()")
        subprocess.run([sys.executable, "-c", ready, address, str(workers)], check=True,
                       timeout=READY_TIMEOUT, capture_output=True)
        yield address
    finally:
        for p in reversed(procs):
            _signal(p, signal.SIGTERM)
            try:
                p.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                _signal(p, signal.SIGKILL)
                p.wait()
