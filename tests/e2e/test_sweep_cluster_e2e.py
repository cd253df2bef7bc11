"""`sweep --cluster`: a real Dask scheduler and two workers on 127.0.0.1 (free ports), started
as a user would (`dask scheduler`, `dask worker --nthreads 1` with PYTHONHASHSEED=0, in the
checkout: the same path as the sweep's), a 20-seed sweep through them, and its verdicts and
signatures equal to the local pool's; an unreachable scheduler is a one-line error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.conftest import ROOT
from workbench.local_cluster import free_port, local_cluster

pytestmark = pytest.mark.slow

RARE = ["-w", "echo", "--node-count", "1", "--time-limit", "5", "--bin",
        "tests/nodes/rare_echo_bug.py", "--seeds", "1-20"]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[str]:
    """A scheduler and two single-threaded workers; stopped, whatever happens."""
    with local_cluster(2, ROOT, tmp_path) as address:
        yield address


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
    address = f"tcp://127.0.0.1:{free_port()}"
    code, out, lines = sweep(tmp_path, *RARE, "--cluster", address)
    assert code == 254 and lines == []
    assert out.strip().splitlines() == [out.strip()]
    assert f"--cluster {address}: cannot reach the Dask scheduler" in out
