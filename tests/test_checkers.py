"""Shared checkers (stats, availability, exceptions, perf, validity) and the echo and
unique-ids workload checkers, on hand-made histories."""

from __future__ import annotations

from builders import H

from workbench.checkers.compose import UNKNOWN, guarded, merge_valid
from workbench.checkers.perf import perf, quantiles
from workbench.checkers.stats import availability, exceptions, stats
from workbench.edn import Keyword
from workbench.values import FALSE, TRUE, clojure
from workbench.workloads import echo, unique_ids


def test_merge_valid_false_beats_unknown_beats_true() -> None:
    assert merge_valid([True, True]) is True
    assert merge_valid([True, UNKNOWN]) == UNKNOWN
    assert merge_valid([UNKNOWN, False, True]) is False
    assert merge_valid([]) is True


def test_a_throwing_checker_is_unknown_not_a_crash() -> None:
    result = guarded(lambda: {}["missing"])
    assert result["valid?"] == UNKNOWN and "KeyError" in result["error"]


def test_echo_checker_accepts_matching_echoes() -> None:
    h = H()
    h.call(0, "echo", "Please echo 1", {"type": "echo_ok", "echo": "Please echo 1",
                                         "in_reply_to": 1})
    h.call(1, "echo", "Please echo 2", "Please echo 2", type_="info")  # timeouts are skipped
    assert echo.check(None, h.ops) == {"valid?": True, "errors": []}


def test_echo_checker_reports_wrong_echo_and_fail() -> None:
    h = H()
    h.call(0, "echo", "Please echo 1", {"type": "echo_ok", "echo": "Please echo 9"})
    h.call(0, "echo", "Please echo 2", "Please echo 2", type_="fail")
    result = echo.check(None, h.ops)
    assert result["valid?"] is False
    assert [e[1] for e in result["errors"]] == ["Please echo 1", "Please echo 2"]
    assert result["errors"][0][0] == "Expected a message with :echo"


def test_unique_ids_checker_finds_type_sensitive_duplicates() -> None:
    h = H()
    for p, v in enumerate([1, 1.0, 2, 2, 3]):  # 1 and 1.0 are two ids
        h.call(p, "generate", None, clojure(v))  # as the interpreter records a reply
    h.call(9, "generate", None, None, type_="info")
    result = unique_ids.check(None, h.ops)
    assert result["valid?"] is False
    assert result["attempted-count"] == 6 and result["acknowledged-count"] == 5
    assert result["duplicated-count"] == 1 and result["duplicated"] == {2: 2}
    assert result["range"] == [clojure(1.0), 3]  # compare(1.0, 1) is 0: ties go to the later


def test_unique_ids_checker_cannot_order_a_boolean_among_numbers() -> None:
    # Jepsen's range takes compare(id, extremum): a Boolean beside a Long throws, whichever
    # comes first, so Maelstrom's result is :unknown with the ClassCastException.
    for ids, cast in (([1, True, 2], "Long cannot be cast to class java.lang.Boolean"),
                      ([True, 1], "Boolean cannot be cast to class java.lang.Number"),
                      ([1, True], "Long cannot be cast to class java.lang.Boolean")):
        h = H()
        for p, v in enumerate(ids):
            h.call(p, "generate", None, clojure(v))
        result = unique_ids.check(None, h.ops)
        assert result["valid?"] == UNKNOWN and cast in result["error"], (ids, result)
    h = H()
    for p, v in enumerate([True, False, None]):  # booleans order among themselves
        h.call(p, "generate", None, clojure(v))
    result = unique_ids.check(None, h.ops)
    assert result["valid?"] is True and result["range"] == [FALSE, TRUE]


def test_unique_ids_checker_clean_history() -> None:
    h = H()
    for p, v in enumerate(["a", "b", "c"]):
        h.call(p, "generate", None, v)
    result = unique_ids.check(None, h.ops)
    assert result["valid?"] is True and result["range"] == ["a", "c"]
    assert result["duplicated"] == {}


def test_unique_ids_checker_mixed_types_is_unknown() -> None:
    h = H()
    h.call(0, "generate", None, 1)
    h.call(1, "generate", None, "x")
    assert unique_ids.check(None, h.ops)["valid?"] == UNKNOWN


def test_stats_fail_when_some_f_never_succeeds_except_crash() -> None:
    h = H()
    h.call(0, "read", None, [1])
    h.call(1, "broadcast", 3, 3, type_="info")
    h.call(2, "crash", None, None, type_="info")
    h.invoke("nemesis", "start-partition", None)
    result = stats(h.ops)
    assert result["valid?"] is False
    assert result["by-f"]["broadcast"] == {"valid?": False, "count": 1, "ok-count": 0,
                                           "fail-count": 0, "info-count": 1}
    assert result["by-f"]["crash"]["valid?"] is False
    assert result["count"] == 3
    h.call(3, "broadcast", 4, 4)
    assert stats(h.ops)["valid?"] is True  # crash alone never succeeding is exempt


def test_availability_total_and_fraction() -> None:
    h = H()
    h.call(0, "generate", None, 1)
    h.call(1, "generate", None, None, type_="info")
    assert availability(h.ops, None) == {"valid?": True, "ok-fraction": 0.5}
    assert availability(h.ops, "total")["valid?"] is False
    assert availability(h.ops, 0.5)["valid?"] is True
    assert availability(h.ops, 0.51)["valid?"] is False
    assert availability([], "total") == {"valid?": True, "ok-fraction": 1.0}


def test_exceptions_group_info_ops_by_class() -> None:
    h = H()
    exc = {"type": Keyword("MalformedReply"), "message": "extra key"}
    h.call(0, "echo", "x", "x", type_="info", exception=exc, error="indeterminate: extra key")
    h.call(1, "echo", "y", "y", type_="info", exception=exc, error="indeterminate: extra key")
    result = exceptions(h.ops)
    assert result["valid?"] is True
    assert result["exceptions"][0]["count"] == 2
    assert result["exceptions"][0]["class"] == "MalformedReply"


def test_quantiles_use_jepsens_index_rule() -> None:
    values = list(range(10))
    assert quantiles(values) == {0: 0, 0.5: 5, 0.95: 9, 0.99: 9, 1: 9}
    assert quantiles([]) == {}


def test_perf_reports_latency_quantiles_in_ms() -> None:
    h = H()
    h.call(0, "echo", "a", "a")
    result = perf(h.ops)
    assert result["valid?"] is True
    assert result["latency-quantiles"][0.5] == 1.0
