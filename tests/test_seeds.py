"""workbench.seeds, directly: each concern's stream is deterministic and independent of the
others' draws, a name outside the known ones is refused, and no stream is handed out twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.seeds import CONCERNS, Seeds

ROOT = Path(__file__).resolve().parents[1]


def test_the_same_seed_and_concern_give_the_same_draws() -> None:
    a, b = Seeds(5).stream("latency"), Seeds(5).stream("latency")
    assert [a.random() for _ in range(5)] == [b.random() for _ in range(5)]


def test_seeds_and_concerns_give_different_draws() -> None:
    draws = {(seed, c): Seeds(seed).stream(c).random() for seed in (1, 2) for c in CONCERNS}
    assert len(set(draws.values())) == len(draws)


def test_a_stream_does_not_move_when_another_draws() -> None:
    quiet, busy = Seeds(9), Seeds(9)
    first = quiet.stream("targets")
    busy_latency = busy.stream("latency")
    for _ in range(1000):
        busy_latency.random()
    assert busy.stream("targets").random() == first.random()


def test_draws_do_not_depend_on_the_hash_seed() -> None:
    code = "from workbench.seeds import Seeds; print(Seeds(3).stream('workload').random())"
    outs = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                           text=True, check=True,
                           env=dict(os.environ, PYTHONHASHSEED=h)).stdout
            for h in ("0", "1", "12345")}
    assert outs == {f"{Seeds(3).stream('workload').random()}\n"}


def test_every_known_concern_and_node_streams_are_handed_out_once() -> None:
    seeds = Seeds(1)
    for concern in CONCERNS:
        seeds.stream(concern)
    seeds.stream("node:n0:0")
    seeds.stream("node:n0:1")  # the next incarnation
    seeds.stream("node:n1:0")
    with pytest.raises(ValueError, match="'targets' was already handed out"):
        seeds.stream("targets")
    with pytest.raises(ValueError, match="'node:n0:1' was already handed out"):
        seeds.stream("node:n0:1")


@pytest.mark.parametrize("name", ["target", "Latency", "", "node:n0", "node:n0:x",
                                  "node::0", "workload "])
def test_an_unknown_name_is_refused_with_the_known_ones(name: str) -> None:
    with pytest.raises(ValueError, match="no random stream named") as err:
        Seeds(1).stream(name)
    assert "targets" in str(err.value) and "node:<id>:<n>" in str(err.value)
