"""`sweep --cluster`: a real Dask scheduler and two workers on 127.0.0.1 (free ports), started
as a user would (`dask scheduler`, `dask worker --nthreads 1` with PYTHONHASHSEED=0, in the
checkout: the same path as the sweep's), a 20-seed sweep through them, and its verdicts and
signatures equal to the local pool's; an unreachable scheduler is a one-line error."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

DASK = Path(sys.executable).parent / "dask"
RARE = ["-w", "echo", "--node-count", "1", "--time-limit", "5", "--bin",
        "tests/nodes/rare_echo_bug.py", "--seeds", "1-20"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[str]:
    """A scheduler and two single-threaded workers; stopped, whatever happens."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = dict(os.environ, PYTHONHASHSEED="0")
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *argv: str) -> None:
        with (tmp_path / f"{name}.log").open("wb") as log:
            procs.append(subprocess.Popen([str(DASK), *argv], cwd=ROOT, env=env, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True))

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port",
              address.rsplit(":", 1)[1], "--dashboard-address", f"127.0.0.1:{_free_port()}")
        for i in (1, 2):
            start(f"worker{i}", "worker", address, "--nthreads", "1", "--no-nanny",
                  "--dashboard-address", f"127.0.0.1:{_free_port()}")
        ready = ("from distributed import Client; import sys; "
                 "c = Client(sys.argv[1], timeout=60); c.wait_for_workers(2, timeout=60); "
                 "c.close()")
        subprocess.run([sys.executable, "-c", ready, address], check=True, timeout=150,
                       capture_output=True)
        yield address
    finally:  # workers first (one whose scheduler is gone may retry for minutes), then it
        for p in reversed(procs):
            with_group(p, signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with_group(p, signal.SIGKILL)
                p.wait()


def with_group(p: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(p.pid, sig)
    except ProcessLookupError:
        pass


def sweep(store: Path, *flags: str) -> tuple[int, str, list[dict[str, Any]]]:
    env = dict(os.environ)
    env.pop("PYTHONHASHSEED", None)
    proc = subprocess.run([sys.executable, "-m", "workbench", "sweep", "--store", str(store),
                           *flags], cwd=ROOT, capture_output=True, text=True, timeout=280,
                          env=env)
    lines = [json.loads(x) for jsonl in (store / "sweeps").glob("*/sweep.jsonl")
             for x in jsonl.read_text().splitlines()]
    return proc.returncode, proc.stdout + proc.stderr, lines


def verdicts(lines: list[dict[str, Any]]) -> dict[int, tuple[Any, ...]]:
    return {x["seed"]: (x["exit"], x["valid"], x["signature"], x["deterministic"],
                        x["virtual_s"]) for x in lines}


def test_a_sweep_through_dask_gives_the_local_pools_verdicts(cluster: str,
                                                            tmp_path: Path) -> None:
    code, out, remote = sweep(tmp_path / "remote", *RARE, "--cluster", cluster)
    local_code, local_out, local = sweep(tmp_path / "local", *RARE, "--jobs", "2")
    assert code == local_code == 1, out + local_out
    assert len(remote) == 20
    assert verdicts(remote) == verdicts(local)
    assert {x["signature"] for x in remote if x["exit"]} == {"workload[errors]"}
    for x in remote:  # the failing seeds' stores, written by the workers, at the same path
        assert (x["store"] is None) == (x["exit"] == 0)
        if x["store"]:
            assert (Path(x["store"]) / "results.edn").is_file()


def test_an_unreachable_cluster_is_a_one_line_error(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    code, out, lines = sweep(tmp_path, *RARE, "--cluster", address)
    assert code == 254 and lines == []
    assert out.strip().splitlines() == [out.strip()]
    assert f"--cluster {address}: cannot reach the Dask scheduler" in out
