"""EDN writer and reader."""

from __future__ import annotations

from pathlib import Path

from workbench import edn
from workbench.edn import Keyword

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "unique-ids-results.edn"


def test_round_trip_of_a_results_shaped_map() -> None:
    value = {"valid?": True, "net": {"msgs-per-op": 2.5}, "unseen": {"0": 3},
             "error": [Keyword("net-timeout"), "text with \"quotes\"\n"], "range": [None, 7],
             "set": {1, 2}}
    text = edn.pretty(value, width=30)
    back = edn.loads(text)
    assert back["valid?"] is True
    assert back["net"]["msgs-per-op"] == 2.5
    assert back["unseen"] == {"0": 3}  # keys that are not keyword-like stay strings
    assert back["error"] == ["net-timeout", "text with \"quotes\"\n"]
    assert isinstance(back["error"][0], Keyword)
    assert back["range"] == [None, 7]
    assert back["set"] == frozenset({1, 2})


def test_keywords_and_strings_are_written_differently() -> None:
    assert edn.dumps([Keyword("ok"), "ok"]) == '[:ok "ok"]'
    assert edn.dumps({"valid?": False}) == "{:valid? false}"


def test_reads_real_maelstrom_results() -> None:
    if not REFERENCE.exists():
        import pytest
        pytest.skip("shared/reference is not beside this checkout")
    results = edn.loads(REFERENCE.read_text())
    assert results["net"]["servers"]["msgs-per-op"] == 6.493867
    assert results["workload"]["range"] == [0, 27310]
    assert results["stats"]["by-f"]["generate"]["ok-count"] == 27311
