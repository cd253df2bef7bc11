"""The cas-register linearizability checker: known verdicts, the :info and :fail rules, the
evidence it reports, its budget, and a seeded cross-check against brute force."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.builders import H
from workbench.checkers.compose import UNKNOWN
from workbench.checkers.linear.cas_register import brute_force, subhistories
from workbench.checkers.linear.search import check_register
from workbench.checkers.linear.view import write_view
from workbench.history import read_edn
from workbench.workloads.lin_kv import check

DATA = Path(__file__).parent / "data" / "lin_kv"


def verdict(h: H, **kw) -> object:
    return check_register(h.ops, **kw)["valid?"]


def test_empty_and_sequential_histories_are_valid() -> None:
    assert verdict(H()) is True
    h = H()
    h.call(0, "write", 1, 1)
    h.call(1, "read", None, 1)
    h.call(0, "cas", [1, 2], [1, 2])
    h.call(1, "read", None, 2)
    assert verdict(h) is True
    assert check_register(h.ops)["model"] == {"value": 2}


def test_a_never_written_key_reads_nil() -> None:
    h = H()
    h.call(0, "read", None, None)
    h.call(0, "write", 3, 3)
    assert verdict(h) is True


def test_stale_read_is_reported_with_knossos_fields_and_prefix() -> None:
    h = H()
    h.call(0, "write", 1, 1)
    h.call(0, "write", 2, 2)
    h.call(1, "read", None, 1)  # begins after write 2 completed
    r = check_register(h.ops)
    assert r["valid?"] is False
    assert r["op"]["index"] == 5 and r["op"]["value"] == 1
    assert r["previous-ok"]["index"] == 3  # the write of 2
    assert r["linearized-prefix-length"] == 2
    assert r["cannot-follow"]["model"] == {"value": 2}
    last = r["final-paths"][0][-1]
    assert last["model"] == {"msg": "can't read 1 from register 2"}
    assert r["linearized-indices"] == [0, 2]


def test_concurrent_read_may_see_either_value() -> None:
    h = H()
    h.call(0, "write", 1, 1)
    h.invoke(0, "write", 2)
    h.call(1, "read", None, 1)
    h.call(1, "read", None, 2)
    h.ok(0, "write", 2)
    assert verdict(h) is True


def test_info_write_may_take_effect_late() -> None:
    """An :info write invoked early explains a read long after it, following a nil read."""
    h = H()
    h.invoke(0, "write", 1)
    h.info(0, "write", 1)
    h.call(1, "read", None, None)
    h.call(1, "read", None, 1)
    assert verdict(h) is True
    # ...and may also never take effect
    h2 = H()
    h2.invoke(0, "write", 1)
    h2.info(0, "write", 1)
    h2.call(1, "read", None, None)
    assert verdict(h2) is True


def test_info_write_cannot_take_effect_before_its_invocation() -> None:
    h = H()
    h.call(1, "read", None, 1)
    h.invoke(0, "write", 1)
    h.info(0, "write", 1)
    assert verdict(h) is False


def test_info_write_takes_effect_once() -> None:
    h = H()
    h.invoke(0, "write", 1)
    h.info(0, "write", 1)
    h.call(1, "read", None, 1)
    h.call(1, "write", 2, 2)
    h.call(1, "read", None, 1)  # would need the :info write to happen a second time
    assert verdict(h) is False


def test_unfinished_invocation_counts_as_info() -> None:
    h = H()
    h.invoke(0, "cas", [None, 5])  # never completed
    h.call(1, "read", None, 5)
    assert verdict(h) is True


def test_failed_cas_did_not_happen() -> None:
    h = H()
    h.call(0, "write", 0, 0)
    h.invoke(1, "cas", [0, 1])
    h.fail(1, "cas", [0, 1], error="precondition-failed")
    h.call(0, "read", None, 0)
    assert verdict(h) is True
    h.call(0, "read", None, 1)  # only the failed cas could have written 1
    assert verdict(h) is False


def test_info_read_constrains_nothing() -> None:
    h = H()
    h.call(0, "write", 0, 0)
    h.invoke(1, "read", None)
    h.info(1, "read", None)
    h.call(0, "read", None, 0)
    assert verdict(h) is True


def test_concurrent_cas_chain_orders_itself() -> None:
    h = H()
    h.call(0, "write", 0, 0)
    for p, (a, b) in enumerate([(2, 3), (1, 2), (0, 1)], start=1):
        h.invoke(p, "cas", [a, b])
    for p, (a, b) in enumerate([(2, 3), (1, 2), (0, 1)], start=1):
        h.ok(p, "cas", [a, b])
    h.call(0, "read", None, 3)
    assert verdict(h) is True


def test_two_concurrent_cas_from_the_same_value_cannot_both_succeed() -> None:
    h = H()
    h.call(0, "write", 0, 0)
    h.invoke(1, "cas", [0, 1])
    h.invoke(2, "cas", [0, 2])
    h.ok(1, "cas", [0, 1])
    h.ok(2, "cas", [0, 2])
    r = check_register(h.ops)
    assert r["valid?"] is False
    assert any(step["model"].get("msg", "").startswith("can't CAS")
               for path in r["final-paths"] for step in path)


def test_a_cas_chain_needing_an_info_cas_in_the_middle() -> None:
    h = H()
    h.call(0, "write", 0, 0)
    h.invoke(1, "cas", [0, 1])
    h.info(1, "cas", [0, 1])
    h.call(2, "cas", [1, 2], [1, 2])  # only possible if the :info cas happened first
    h.call(2, "read", None, 2)
    assert verdict(h) is True
    h.call(2, "cas", [0, 4], [0, 4])  # 0 is gone for good
    assert verdict(h) is False


def test_nil_reads_are_strict_and_the_blind_spot_is_named() -> None:
    h = H()
    h.call(0, "write", 1, 1)
    h.call(1, "read", None, None)
    r = check_register(h.ops)
    assert r["valid?"] is False and "blind-spot" in r
    assert check_register(h.ops, nil_reads="knossos")["valid?"] is True
    with pytest.raises(ValueError):
        check_register(h.ops, nil_reads="lax")


def test_values_are_compared_by_type() -> None:
    h = H()
    h.call(0, "write", 1, 1)
    h.call(1, "read", None, True)
    assert verdict(h) is False


def _simulated(rng: random.Random, n: int, processes: int, corrupt: float) -> H:
    """A random history of a real register (random instants inside each op), sometimes
    corrupted; with :info and :fail outcomes."""
    events = []
    t = [0.0] * processes
    process = list(range(processes))
    for _ in range(n):
        p = rng.randrange(processes)
        start = t[p] + rng.random()
        end = start + rng.random() * 3
        t[p] = end
        f = rng.choice(["read", "write", "cas"])
        v = None if f == "read" else rng.randrange(3) if f == "write" else [
            rng.randrange(3), rng.randrange(3)]
        info = f != "read" and rng.random() < 0.15
        events.append([start, end, rng.uniform(start, end), process[p], f, v,
                       "info" if info else "ok"])
        if info:  # the process is replaced, as the interpreter does
            process[p] += processes
    state = None
    for ev in sorted(events, key=lambda e: e[2]):
        _, _, _, _, f, v, kind = ev
        if f == "read":
            ev[5] = state if rng.random() > corrupt else rng.randrange(3)
        elif kind == "info":
            if rng.random() < 0.5:
                state = v if f == "write" else (v[1] if v[0] == state else state)
        elif f == "write":
            state = v
        elif v[0] == state:
            state = v[1]
        else:
            ev[6] = "fail"
    stamped = []
    for start, end, _, p, f, v, kind in events:
        stamped.append((start, {"type": "invoke", "process": p, "f": f,
                                "value": None if f == "read" else v}))
        stamped.append((end + (100 if kind == "info" else 0),
                        {"type": kind, "process": p, "f": f, "value": v}))
    h = H()
    for _, op in sorted(stamped, key=lambda x: x[0]):
        h._add(op["type"], op["process"], op["f"], op["value"])
    return h


@pytest.mark.parametrize("seed", range(4))
def test_search_agrees_with_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    outcomes = {True: 0, False: 0}
    for _ in range(60):
        h = _simulated(rng, rng.randint(1, 6), rng.randint(1, 3), corrupt=0.3)
        for nil_reads in ("strict", "knossos"):
            expected = brute_force(h.ops, nil_reads)
            for cache in (True, False):
                got = check_register(h.ops, cache=cache, nil_reads=nil_reads)["valid?"]
                assert got is expected, (h.ops, nil_reads, cache)
            outcomes[expected] += 1
    assert outcomes[True] and outcomes[False]  # both verdicts were exercised


def test_budget_exhausted_is_unknown_never_true() -> None:
    h = _simulated(random.Random(7), 300, 4, corrupt=0.0)
    assert check_register(h.ops)["valid?"] is True
    r = check_register(h.ops, max_steps=50)
    assert r["valid?"] is UNKNOWN and r["cause"] == "search budget exhausted"
    r = check_register(h.ops, max_steps=None, deadline=5.0, clock=lambda: 6.0)
    assert r["valid?"] is UNKNOWN
    assert check_register(h.ops, max_steps=None, deadline=5.0, clock=lambda: 4.0)["valid?"]


def test_subhistories_split_pairs_and_share_nemesis_ops() -> None:
    h = H()
    h.invoke(0, "write", [1, 5])
    h.invoke("nemesis", "start-partition", None)
    h.ok(0, "write", [1, 5])
    h.invoke(1, "read", [2, None])
    h.ok(1, "read", [2, 7])
    subs = subhistories(h.ops)
    assert sorted(subs) == [1, 2]
    assert [op["value"] for op in subs[1]] == [5, None, 5]
    assert [op["value"] for op in subs[2]] == [None, None, 7]


@pytest.mark.parametrize("path", sorted(DATA.glob("*.edn")), ids=lambda p: p.name)
def test_stored_histories_keep_their_verdicts(path: Path, tmp_path: Path) -> None:
    result = check(None, read_edn(path), out_dir=tmp_path)
    expected = path.name.startswith("ok-")
    assert result["valid?"] is expected
    assert bool(result["failures"]) is not expected
    for k in result["failures"]:
        page = (tmp_path / "independent" / str(k) / "linear.html").read_text()
        assert "not linearizable" in page and "<svg" in page


def test_view_draws_prefix_and_failing_op(tmp_path: Path) -> None:
    h = H()
    h.call(0, "write", 1, 1)
    h.call(0, "write", 2, 2)
    h.call(1, "read", None, 1)
    r = check_register(h.ops)
    write_view(tmp_path / "v.html", 7, h.ops, r)
    page = (tmp_path / "v.html").read_text()
    assert "Key 7" in page and "#1 w 1" in page and "#2 w 2" in page
    assert "#e53935" in page  # the op that cannot follow, in red
