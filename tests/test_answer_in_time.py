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


def read(f: _Freshness, src: str, msg_id: int, now: float) -> dict:
    """One input line as the node's loop takes it: heard, stamped, handled at once."""
    f.heard(now)
    r = f.stamp(request(src, msg_id), now)
    f.handled(now)
    return r


def test_a_stall_s_drain_ends_when_input_pauses() -> None:
    f = watched()
    f.observe(10.0)
    f.observe(15.0)  # the timer, 5 s late: a stall from 10.0
    backlog = read(f, "c1", 1, 15.0)  # what waited is read at once
    also = read(f, "c2", 1, 15.0 + _Freshness.QUIET / 2)  # no pause yet: it may have waited
    f.observe(15.1)
    fresh = read(f, "c3", 1, 15.12)  # input paused for more than QUIET: the backlog is over
    assert f.too_late(backlog, 15.2) and f.too_late(also, 15.2)
    assert not f.too_late(fresh, 15.2)
    assert fresh.received == 15.1  # type: ignore[attr-defined]  # the last observation


def test_a_reply_s_handling_is_no_pause_in_input() -> None:
    f = watched()
    f.observe(10.0)
    f.observe(15.0)
    f.heard(15.0)  # a backlog line whose handler takes 0.2 s
    f.handled(15.2)
    nxt = read(f, "c1", 1, 15.2)  # read as soon as the loop is free: still the backlog
    assert nxt.received == 10.0  # type: ignore[attr-defined]


def test_without_a_pause_in_input_the_drain_lasts_its_full_length() -> None:
    f = watched()
    f.observe(10.0)
    f.observe(15.0)
    t = 15.0
    while t < 15.0 + _Freshness.DRAIN - 0.05:  # a peer's messages keep coming
        f.heard(t)
        f.handled(t)
        t = round(t + _Freshness.QUIET * 0.8, 3)
        f.observe(t)
    inside = read(f, "c1", 1, t)
    assert inside.received == 10.0  # type: ignore[attr-defined]
    f.observe(15.6)
    after = read(f, "c2", 1, 15.61)
    assert after.received == 15.6  # type: ignore[attr-defined]


def test_the_line_that_ends_a_new_stall_does_not_end_the_old_drain() -> None:
    f = watched()
    f.observe(10.0)
    f.observe(15.0)  # a stall whose backlog is still being read ...
    read(f, "c1", 1, 15.0)
    # ... when the node stops again, from 15.0 to 22.0; the first line read on resuming
    # comes long after the last one, but it is this stall's backlog, not fresh input
    first = read(f, "c2", 1, 22.0)
    second = read(f, "c3", 1, 22.0)
    assert first.received == 15.0  # type: ignore[attr-defined]
    assert second.received == 15.0  # type: ignore[attr-defined]


def test_peers_that_talk_every_50_ms_do_not_hold_the_drain_open() -> None:
    """Kafka's seed 975 under pause (`--nemesis-interval 4.9`): both nodes paused until
    14.948 s, then each heard the other's sync every 50 ms (handled 0.2 ms after it came),
    and every client re-sent 57 ms after the resume; a drain that needed input to pause
    for 50 ms lasted 0.5 s and dropped them all, and no op of the run succeeded."""
    f = watched()
    f.observe(8.2)
    f.observe(14.948)  # resumed: a stall from 8.2
    backlog = read(f, "c14", 1, 14.948)
    for t in (14.9482, 14.9982):  # the peer's syncs
        f.heard(t)
        f.handled(t + 0.0002)
    f.observe(15.0)
    fresh = read(f, "c18", 1, 15.005)
    assert f.too_late(backlog, 15.01)
    assert not f.too_late(fresh, 15.01)
