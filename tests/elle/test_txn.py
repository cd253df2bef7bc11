"""workbench.elle.txn: Elle's result map (txn.clj `result-map`), one builder for rw-register and
list-append: what is reported, the verdict, the redundant cycle-exists kinds, and the
boundary of everything found."""

from __future__ import annotations

from workbench import elle
from workbench.elle import list_append
from workbench.elle.txn import result_map
from workbench.validity import UNKNOWN

from .txn_builders import append_txn, history

CASE = [{"op": {"index": 1}}]


def test_nothing_reportable_is_valid_even_with_allowed_anomalies_found() -> None:
    assert result_map({}, ["serializable"]) == {"valid?": True}
    assert result_map({"G1a": CASE}, ["read-uncommitted"]) == {"valid?": True}


def test_a_prohibited_anomaly_is_invalid_and_only_reportable_ones_are_listed() -> None:
    r = result_map({"G1a": CASE, "G0": CASE}, ["read-uncommitted"])
    assert r["valid?"] is False
    assert r["anomaly-types"] == ["G0"] and set(r["anomalies"]) == {"G0"}
    assert r["not"] == {"read-uncommitted"}


def test_only_undecidable_kinds_are_unknown() -> None:
    r = result_map({"cycle-search-timeout": CASE}, ["serializable"])
    assert r["valid?"] == UNKNOWN and r["anomaly-types"] == ["cycle-search-timeout"]
    assert r["not"] == set() and r["also-not"] == set()


def test_the_boundary_is_of_every_anomaly_found_not_only_the_reported() -> None:
    # Elle passes the whole anomaly map to friendly-boundary: a G1a, allowed at
    # read-uncommitted, still names read-committed as ruled out.
    r = result_map({"G1a": CASE, "empty-transaction-graph": True}, ["read-uncommitted"])
    assert r["valid?"] == UNKNOWN and r["anomaly-types"] == ["empty-transaction-graph"]
    assert r["not"] == {"read-committed"}
    assert {"serializable", "snapshot-isolation"} <= r["also-not"]
    assert "read-uncommitted" not in r["not"] | r["also-not"]


def test_a_cycle_exists_kind_another_anomaly_rules_out_is_dropped() -> None:
    r = result_map({"G1c": CASE, "PL-2-cycle-exists": CASE}, ["read-committed"])
    assert r["anomaly-types"] == ["G1c"]
    # nothing else rules serializable out: its cycle-exists finding stays
    r = result_map({"PL-3-cycle-exists": CASE, "cycle-search-timeout": CASE}, ["serializable"])
    assert r["valid?"] is False
    assert r["anomaly-types"] == ["PL-3-cycle-exists", "cycle-search-timeout"]


def test_both_checkers_build_the_same_map() -> None:
    # An ok read of a failed write, alone: G1a (allowed at read-uncommitted) and no edges.
    reg = elle.check(history(("wx1", "fail"), "rx1", sequential=True), ["read-uncommitted"])
    app = list_append.check(history(("ax1", "fail"), "rx1", sequential=True, parse=append_txn),
                            ["read-uncommitted"])
    for r in (reg, app):
        assert r["valid?"] == UNKNOWN
        assert r["anomaly-types"] == ["empty-transaction-graph"]
        assert r["not"] == {"read-committed"}
    assert reg["also-not"] == app["also-not"]
