"""maelstrom_node's answer_clients_within: how old a client request may be, stalls counted,
driven with explicit clock readings (the node's loop time)."""

from __future__ import annotations

from maelstrom_node import _Freshness


def request(src: str, msg_id: int = 1) -> dict:
    return {"src": src, "dest": "n0", "body": {"type": "read", "msg_id": msg_id}}


def watched(at: float = 0.0) -> _Freshness:
    f = _Freshness(4.0)
    f.watching = True
    f.seen = at
    return f


def test_an_answer_within_the_limit_goes_out_and_a_later_one_does_not() -> None:
    f = watched()
    for t in (0.1, 0.2, 0.3):
        f.observe(t)  # the loop's timer
    r = f.stamp(request("c1"), 0.35)
    assert not f.too_late(r, 0.3 + 3.99)
    assert f.too_late(r, 0.3 + 4.01)  # stamped with the last observation before it


def test_only_client_requests_are_ever_held_back() -> None:
    f = watched()
    for src in ("n1", "lin-kv"):
        r = f.stamp(request(src), 0.05)
        assert not f.too_late(r, 100.0)


def test_a_request_read_after_a_stall_counts_from_the_stall_s_start() -> None:
    f = watched()
    f.observe(10.0)
    # the loop was stopped from 10.0 to 14.5; the request is read before the timer runs
    r = f.stamp(request("c1"), 14.5)
    assert f.too_late(r, 14.5 + 0.1)  # it may have been sent at 10.0


def test_after_a_seen_stall_requests_count_from_its_start_until_answered() -> None:
    f = watched()
    f.observe(10.0)
    f.observe(13.0)  # the timer, 3 s late: a stall from 10.0
    first = f.stamp(request("c1", 1), 13.01)
    other = f.stamp(request("c2", 1), 13.2)  # within the drain window: it may have waited
    assert f.too_late(other, 14.1)
    assert not f.too_late(first, 13.9)  # answered at 13.9
    # c1 sends a request only once its previous one is done: this one after our answer
    second = f.stamp(request("c1", 2), 13.95)
    assert second.received == 13.9  # type: ignore[attr-defined]
    assert f.too_late(second, 13.9 + 4.01)
    # after the window, a new client's request is taken as read at once
    for t in (14.0, 14.1, 14.2, 14.3, 14.4, 14.5, 14.6):
        f.observe(t)
    late = f.stamp(request("c3", 1), 14.65)
    assert not f.too_late(late, 18.5)


def test_an_answer_to_a_request_its_client_has_moved_on_from_is_dropped() -> None:
    f = watched()
    old = f.stamp(request("c1", 7), 0.05)
    f.stamp(request("c1", 8), 0.06)  # c1 gave up on 7 (its timeout) and went on
    assert f.too_late(old, 0.07)


def test_a_client_s_timeout_bounds_when_its_next_request_was_sent() -> None:
    f = watched()
    f.observe(10.0)
    first = f.stamp(request("c1", 1), 14.0)  # read after a stall from 10.0
    assert first.received == 10.0  # type: ignore[attr-defined]
    f.answered["c1"] = (1, 40.0, 10.0)  # suppose its answer had gone out very late
    # its next request was sent after our answer or after its timeout, 15.0, whichever first
    nxt = f.stamp(request("c1", 2), 14.1)
    assert nxt.received == 15.0  # type: ignore[attr-defined]


def test_a_timer_on_time_is_no_stall() -> None:
    f = watched()
    t = 0.0
    for _ in range(50):
        t += 0.1 + 0.2  # late, but within TICK + STALL
        f.observe(t)
    assert f.stall_end == float("-inf")
    r = f.stamp(request("c1"), t + 0.01)
    assert not f.too_late(r, t + 3.9)


def test_a_stall_s_drain_ends_with_a_whole_tick_of_no_input() -> None:
    f = watched()
    f.tick(10.0)
    f.tick(15.0)  # the timer, 5 s late: a stall from 10.0
    f.heard()
    backlog = f.stamp(request("c1", 1), 15.0)  # what waited is read at once
    f.tick(15.1)  # input since the last tick: the backlog may go on
    f.heard()
    also = f.stamp(request("c2", 1), 15.12)
    f.tick(15.2)
    f.tick(15.3)  # a whole tick with nothing read: the backlog is over
    f.heard()
    fresh = f.stamp(request("c3", 1), 15.34)
    assert f.too_late(backlog, 15.4) and f.too_late(also, 15.4)
    assert not f.too_late(fresh, 15.4)
    assert fresh.received == 15.3  # type: ignore[attr-defined]  # the last observation


def test_without_a_quiet_tick_the_drain_lasts_its_full_length() -> None:
    f = watched()
    f.tick(10.0)
    f.tick(15.0)
    t = 15.0
    while t < 15.0 + _Freshness.DRAIN - 0.1:  # a peer's messages keep coming
        f.heard()
        t = round(t + 0.1, 3)
        f.tick(t)
    f.heard()
    inside = f.stamp(request("c1", 1), t + 0.05)
    assert inside.received == 10.0  # type: ignore[attr-defined]
    f.tick(15.6)
    f.heard()
    after = f.stamp(request("c2", 1), 15.65)
    assert after.received == 15.6  # type: ignore[attr-defined]
