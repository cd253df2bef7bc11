"""End to end: counter.py on seq-kv through the workbench, under partitions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.stage_flags import stage_flags

pytestmark = pytest.mark.slow


def _service_traffic(run_dir) -> tuple[int, int, set[str]]:
    """(server messages, of which to/from seq-kv, the other ends seen)."""
    total = to_kv = 0
    ends: set[str] = set()
    with (run_dir / "net-journal.jsonl").open() as f:
        for line in f:
            event = json.loads(line)
            msg = event["message"]
            if event["type"] != "send" or msg["src"][0] == "c" or msg["dest"][0] == "c":
                continue
            total += 1
            if "seq-kv" in (msg["src"], msg["dest"]):
                to_kv += 1
            ends.update((msg["src"], msg["dest"]))
    return total, to_kv, ends


def _exact(run: Any) -> dict:
    """The results of a run that is valid, lost no add, and whose three final reads are the
    one acceptable value."""
    assert run.code == 0, run.stdout + run.stderr
    r = run.results
    w = r["workload"]
    assert r["valid?"] is True and w["errors"] is None
    [[lo, hi]] = w["acceptable"]
    assert lo == hi > 0 and w["final-reads"] == [lo, lo, lo]
    assert r["stats"]["info-count"] == 0
    return r


def test_g_counter_is_exact_after_partitions(sim) -> None:
    run = sim(*stage_flags("counter", time_limit="4", nemesis_interval="1", seed="3"))
    r = _exact(run)
    assert r["net"]["servers"]["msgs-per-op"] <= 1.2  # short run: the fixed costs weigh more
    total, to_kv, ends = _service_traffic(run.run_dir)
    assert total > to_kv > 0 and ends == {"n0", "n1", "n2", "seq-kv"}  # seq-kv and gossip
    assert ":start-partition" in (run.run_dir / "history.edn").read_text()


def test_pn_counter_with_negative_deltas_is_exact(sim) -> None:
    run = sim("-w", "pn-counter", "--bin", "counter.py", "--node-count", "2",
                    "--concurrency", "4", "--rate", "60", "--time-limit", "3", "--seed", "4")
    assert run.code == 0, run.stdout + run.stderr
    w = run.results["workload"]
    [[lo, hi]] = w["acceptable"]
    assert lo == hi and w["final-reads"] == [lo] * 4
    history = (run.run_dir / "history.edn").read_text()
    assert ":value -" in history  # some negative adds were made


def test_lean_counter_is_exact_after_partitions_in_few_messages(sim) -> None:
    """--mode lean at the official flags (partitions every ~2 s rather than ~10 s): adds
    acknowledged at once, gossip on a 0.01 budget, the final reads pull every peer's map; no
    seq-kv at all."""
    run = sim(*stage_flags("counter", nemesis_interval="2", seed="3"), "--", "--mode", "lean")
    r = _exact(run)
    assert r["stats"]["count"] > 1500  # adds are not held back, so the clients keep the rate
    assert r["net"]["servers"]["msgs-per-op"] <= 0.02
    total, to_kv, ends = _service_traffic(run.run_dir)
    assert total > 0 and to_kv == 0 and ends == {"n0", "n1", "n2"}
    history = (run.run_dir / "history.edn").read_text()
    assert history.count(":f :start-partition") >= 8  # invocations and completions: several
