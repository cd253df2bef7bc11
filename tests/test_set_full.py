"""The set-full checker  on hand-made histories: stable, stale, lost, never read."""

from __future__ import annotations

from builders import H

from workbench.checkers.compose import UNKNOWN
from workbench.checkers.set_full import check_set_full
from workbench.edn import Keyword
from workbench.workloads import broadcast

MS = 1_000_000


def test_an_element_every_read_shows_is_stable_and_fresh() -> None:
    h = H()
    h.call(0, "add", 1, 1)
    h.call(1, "read", None, [1])
    r = check_set_full(h.ops)
    assert r["valid?"] is True
    assert (r["attempt-count"], r["stable-count"], r["lost-count"], r["never-read-count"],
            r["stale-count"]) == (1, 1, 0, 0, 0)
    assert r["stable-latencies"] == {0: 0, 0.5: 0, 0.95: 0, 0.99: 0, 1: 0}
    assert "lost-latencies" not in r
    assert r["duplicated-count"] == 0 and r["duplicated"] == {}


def test_a_read_lacking_it_after_it_was_known_makes_it_stale() -> None:
    h = H()
    h.invoke(0, "add", 1)
    known = h.ok(0, "add", 1)                 # t = 2 ms
    absent = h.invoke(1, "read")              # t = 3 ms
    h.ok(1, "read", [])
    h.call(2, "read", None, [1])
    r = check_set_full(h.ops)
    assert r["valid?"] is True and r["stable-count"] == 1
    assert r["stale-count"] == 1 and r["stale"] == [1]
    # (3 ms + 1 ns - 2 ms) truncated to whole ms
    assert r["stable-latencies"][1] == 1
    [worst] = r["worst-stale"]
    assert worst["element"] == 1 and worst["outcome"] == Keyword("stable")
    assert worst["stable-latency"] == 1
    assert worst["known"]["index"] == known["index"] and worst["known"]["type"] == "ok"
    assert worst["last-absent"]["index"] == absent["index"]
    assert worst["last-absent"]["type"] == "invoke"


def test_an_element_missing_from_the_last_read_is_lost() -> None:
    h = H()
    h.call(0, "add", 1, 1)
    h.call(0, "add", 2, 2)
    h.call(1, "read", None, [1, 2])
    h.call(1, "read", None, [2])
    r = check_set_full(h.ops)
    assert r["valid?"] is False
    assert r["lost"] == [1] and r["lost-count"] == 1 and r["stable-count"] == 1
    assert r["lost-latencies"][0] == 3  # known at 2 ms, last present read invoked at 5 ms


def test_an_element_no_read_saw_is_never_read_and_unknown() -> None:
    h = H()
    h.call(1, "read", None, [])    # invoked before the add: not counted against it
    h.call(0, "add", 1, 1)
    r = check_set_full(h.ops)
    assert r["valid?"] == UNKNOWN
    assert r["never-read"] == [1] and r["never-read-count"] == 1
    assert "stable-latencies" not in r


def test_a_read_lacking_an_unacknowledged_add_does_not_lose_it() -> None:
    h = H()
    h.invoke(0, "add", 1)
    h.call(1, "read", None, [])
    h.info(0, "add", 1)            # indeterminate: never known from the add itself
    r = check_set_full(h.ops)
    assert r["never-read"] == [1] and r["lost-count"] == 0


def test_invocation_order_decides_not_completion_order() -> None:
    h = H()
    h.call(0, "add", 1, 1)
    h.invoke(1, "read")            # invoked first, completes last, shows the element
    h.invoke(2, "read")            # invoked second, lacks it
    h.ok(2, "read", [])
    h.ok(1, "read", [1])
    assert check_set_full(h.ops)["lost"] == [1]

    h = H()
    h.call(0, "add", 1, 1)
    h.invoke(2, "read")            # lacks it, but invoked before the read that shows it
    h.invoke(1, "read")
    h.ok(1, "read", [1])
    h.ok(2, "read", [])
    r = check_set_full(h.ops)
    assert r["valid?"] is True and r["stable-count"] == 1


def test_failed_reads_and_unknown_values_are_ignored() -> None:
    h = H()
    h.call(0, "add", 1, 1)
    h.call(1, "read", None, None, type_="fail")
    h.call(2, "read", None, [1, 99, 1])
    h._add("info", "nemesis", "start-partition", None)
    r = check_set_full(h.ops)
    assert r["valid?"] is True and r["attempt-count"] == 1 and r["stable-count"] == 1


def test_a_read_showing_an_element_before_the_ack_makes_it_known() -> None:
    h = H()
    h.invoke(0, "add", 1)
    h.call(1, "read", None, [1])   # known from this read's completion (t = 3 ms)
    h.call(2, "read", None, [])    # then lacked: lost
    h.ok(0, "add", 1)
    r = check_set_full(h.ops)
    assert r["lost"] == [1]
    assert r["lost-latencies"][0] == 0  # last present read invoked before it was known


def test_quantiles_and_the_eight_worst_stale() -> None:
    h = H()
    for x in range(10):
        h.call(0, "add", x, x)
    # one read lacking everything, then elements appear one by one
    for upto in range(11):
        h.t += upto * 10 * MS  # the gaps grow, so do the latencies
        h.call(1, "read", None, list(range(upto)))
    r = check_set_full(h.ops)
    assert r["valid?"] is True and r["stable-count"] == 10 and r["stale-count"] == 10
    lat = r["stable-latencies"]
    assert list(lat) == [0, 0.5, 0.95, 0.99, 1]
    assert lat[0] < lat[0.5] < lat[1]
    worst = r["worst-stale"]
    assert len(worst) == 8
    assert [w["element"] for w in worst] == [9, 8, 7, 6, 5, 4, 3, 2]
    assert worst[0]["stable-latency"] == lat[1]


def test_broadcast_checks_broadcasts_as_adds() -> None:
    h = H()
    h.call(0, "broadcast", 0, 0)
    h.call(1, "read", None, [0])
    h.call(1, "read", None, [], **{"final?": True})
    r = broadcast.check(None, h.ops)
    assert r["valid?"] is False and r["lost"] == [0]
    assert r["lost-latencies"][1] * MS < h.ops[-1]["time"]
