"""workbench.elle.models: the spec's table of prohibited anomalies, names and boundaries."""

from __future__ import annotations

import pytest

from workbench.elle.models import (
    UnknownModel,
    boundary,
    needs_order,
    prohibited,
    validate_models,
)


def test_read_uncommitted_prohibits_only_g0_family() -> None:
    p = prohibited(["read-uncommitted"])
    assert {"G0", "cyclic-versions"} <= p
    assert not {"G1a", "G1b", "G1c", "internal", "lost-update"} & p


def test_read_committed_adds_g1_but_not_internal() -> None:
    p = prohibited(["read-committed"])
    assert {"G0", "G1a", "G1b", "G1c"} <= p
    assert "internal" not in p and "G-single" not in p


def test_read_atomic_adds_internal() -> None:
    assert prohibited(["read-atomic"]) - prohibited(["read-committed"]) == {"internal"}


def test_snapshot_isolation_and_serializable() -> None:
    si = prohibited(["snapshot-isolation"])
    assert {"lost-update", "G-single", "G-nonadjacent", "internal"} <= si
    assert "G2-item" not in si
    ser = prohibited(["serializable"])
    assert si < ser and "G2-item" in ser
    assert not any(a.endswith(("-process", "-realtime")) for a in ser)


def test_strict_serializable_has_every_variant() -> None:
    p = prohibited(["strict-serializable"])
    for base in ("G0", "G1c", "G-single", "G-nonadjacent", "G2-item"):
        assert {base, base + "-process", base + "-realtime"} <= p


def test_strong_session_read_committed() -> None:
    p = prohibited(["strong-session-read-committed"])
    assert {"G0-process", "G1c-process"} <= p and "G1c-realtime" not in p


def test_non_transactional_models_prohibit_nothing() -> None:
    assert prohibited(["linearizable", "causal", "sequential", "PRAM"]) == frozenset()


def test_aliases() -> None:
    assert validate_models(["PL-2", "PL-SS", "conflict-serializable"]) == [
        "read-committed", "strict-serializable", "serializable"]
    assert prohibited(["PL-3"]) == prohibited(["serializable"])


def test_unknown_model_is_named() -> None:
    with pytest.raises(UnknownModel, match="'read-comitted'"):
        validate_models(["read-committed", "read-comitted"])


def test_order_graph_needed() -> None:
    assert needs_order(["read-committed"]) is None
    assert needs_order(["strong-session-read-committed"]) == "process"
    assert needs_order(["strict-serializable"]) == "realtime"


def test_boundary_names_weakest_violated() -> None:
    not_, also = boundary(["G1c"])
    assert not_ == ["read-committed"]
    assert "serializable" in also and "read-uncommitted" not in also
    not_, also = boundary(["G0"])
    assert not_ == ["read-uncommitted"] and "read-committed" in also
    assert boundary(["lost-update"])[0] == ["cursor-stability", "snapshot-isolation"]
