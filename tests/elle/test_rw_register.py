"""workbench.elle.rw_register: non-cycle anomalies, version orders, dependency edges."""

from __future__ import annotations

import pytest

from workbench.elle.rw_register import (
    PROCESS,
    REALTIME,
    RW,
    WR,
    WW,
    AnalysisError,
    dependencies,
    g1a_cases,
    g1b_cases,
    internal_cases,
    lost_update_cases,
    parse,
    version_orders,
)

from .txn_builders import history


def split(*specs, sequential: bool = False):
    txns = parse(history(*specs, sequential=sequential))
    return ([t for t in txns if t.type == "ok"], [t for t in txns if t.type == "fail"],
            [t for t in txns if t.type == "info"])


@pytest.mark.parametrize("specs, expected", [
    ((), []),
    (("wx1rx1", "rx_rx_", "rx_wx2rx2ry3ry3"), []),
    (("wx1rx2",), [("x", 2, 1)]),
    (("rx1rx2",), [("x", 2, 1)]),
    (("rx_rx1rx2",), [("x", 2, 1)]),
    (("wx1rx_",), [("x", None, 1)]),
])
def test_internal(specs, expected) -> None:
    oks, _, _ = split(*specs)
    cases = internal_cases(oks)
    assert [(c["mop"][1], c["mop"][2], c["expected"]) for c in cases] == expected


def test_g1a() -> None:
    oks, failed, _ = split(("wx1", "fail"), "rx1", "rx_")
    cases = g1a_cases(oks, failed)
    assert len(cases) == 1 and cases[0]["mop"] == ["r", "x", 1]
    assert cases[0]["writer"]["type"] == "fail"
    oks, failed, _ = split(("wx1", "info"), "rx1")
    assert g1a_cases(oks, failed) == []


def test_g1b() -> None:
    oks, _, infos = split("wx1wx2", "rx1", "rx2")
    cases = g1b_cases(oks, oks + infos)
    assert [c["mop"] for c in cases] == [["r", "x", 1]]
    oks, _, infos = split("wx1wx2rx2")
    assert g1b_cases(oks, oks + infos) == []  # its own writes are not intermediate reads


def test_lost_update() -> None:
    oks, _, _ = split("rx_wx1", "rx_wx2", "rx1wx3")
    cases = lost_update_cases(oks)
    assert [(c["key"], c["value"], len(c["txns"])) for c in cases] == [("x", None, 2)]
    oks, _, _ = split("rx_wx1", "rx1wx2", "rx_")
    assert lost_update_cases(oks) == []


def test_version_orders_nil_first_and_writes_follow_reads() -> None:
    oks, _, infos = split("wx1", "rx1wx2", ("wx3", "info"), "rx4")
    v = version_orders(oks, infos)
    assert v.after["x"][None] == {1, 2, 3, 4}
    assert v.after["x"][1] == {2}
    assert 3 not in v.after["x"]
    assert v.cyclic == []


def test_cyclic_versions_drop_the_inference() -> None:
    oks, _, infos = split("rx1wx2", "rx2wx1")
    v = version_orders(oks, infos)
    assert v.cyclic and v.cyclic[0]["key"] == "x" and sorted(v.cyclic[0]["scc"]) == [1, 2]
    assert set(v.after["x"]) == {None}


def test_edges_and_reasons() -> None:
    h = history("wx1", "rx1wx2", "rx_")
    oks = [t for t in parse(h) if t.type == "ok"]
    deps = dependencies(oks, version_orders(oks, []), None, h)
    t1, t2, t3 = (t.id for t in oks)
    g = deps.graph
    assert g.tags(t1, t2) == WW | WR
    assert g.tags(t3, t1) == RW and g.tags(t3, t2) == RW
    assert deps.explain(t1, t2, WW) == {"type": "ww", "key": "x", "value": 1, "value'": 2}
    assert g.edge_count() == 3


def test_duplicate_writes_throw() -> None:
    h = history("wx1", "wx1")
    oks = parse(h)
    with pytest.raises(AnalysisError, match="written by two"):
        dependencies(oks, version_orders(oks, []), None, h)


def test_mixed_key_types_throw() -> None:
    h = history("wx1")
    h[1]["value"] = [["w", "x", 1], ["w", 3, 1]]
    with pytest.raises(AnalysisError, match="one key type"):
        parse(h)


def test_realtime_edges_are_a_transitive_reduction() -> None:
    h = history("rx_", "ry_", "rz_", sequential=True)
    oks = parse(h)
    deps = dependencies(oks, version_orders(oks, []), "realtime", h)
    a, b, c = (t.id for t in oks)
    assert deps.graph.tags(a, b) == REALTIME and deps.graph.tags(b, c) == REALTIME
    assert deps.graph.tags(a, c) == 0  # implied through b


def test_process_edges() -> None:
    h = history(("rx_", "ok", 0), ("ry_", "ok", 1), ("rz_", "ok", 0), sequential=True)
    oks = parse(h)
    deps = dependencies(oks, version_orders(oks, []), "process", h)
    a, b, c = (t.id for t in oks)
    assert deps.graph.tags(a, c) == PROCESS and deps.graph.tags(a, b) == 0
