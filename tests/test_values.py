"""workbench.values: decoded JSON with Clojure's = and compare (issue 23)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from workbench import edn
from workbench.edn import Keyword
from workbench.history import read_edn, write_edn
from workbench.values import FALSE, TRUE, ClassCastException, Float, clojure, compare, freeze


def test_floats_and_booleans_are_not_equal_to_ints() -> None:
    seven, true, false = clojure(7.0), clojure(True), clojure(False)
    assert isinstance(seven, Float) and true is TRUE and false is FALSE
    assert seven != 7 and 7 != seven and seven == 7.0 and seven == clojure(7.0)
    assert true != 1 and 1 != true and false != 0 and true != clojure(1.0)
    assert len({7, seven, 1, true, 0, false}) == 6  # hashing agrees with =
    assert 7 not in {seven} and seven not in {7} and true not in {1: "x"}
    assert {7: "int"}.get(seven) is None and {seven: "float"}[clojure(7.0)] == "float"


def test_floats_still_do_arithmetic_and_booleans_do_not() -> None:
    assert clojure(2.5) + 1 == 3.5 and clojure(1.5) < 2
    assert sorted([3, clojure(1.5), 2]) == [clojure(1.5), 2, 3]
    with pytest.raises(TypeError):
        sum([1, TRUE])
    with pytest.raises(TypeError):
        max([1, TRUE])
    assert sorted([TRUE, FALSE]) == [FALSE, TRUE] and bool(TRUE) and not FALSE


def test_nested_values_are_wrapped_and_plain_ones_kept() -> None:
    plain = [[Keyword("poll"), {"1": [[0, 7], [1, 8]]}]]
    assert clojure(plain) is plain  # nothing to wrap: the same object, nothing copied
    got = clojure([[Keyword("poll"), {"1": [[0, 7.0], [1, 8]]}]])
    assert got[0][1]["1"][0][1] != 7 and got[0][1]["1"][1] == [1, 8]
    assert clojure({"a": [1, {"b": True}]}) == {"a": [1, {"b": TRUE}]}
    assert clojure({"a": [1, {"b": True}]}) != {"a": [1, {"b": 1}]}
    assert freeze([1, {"a": [2]}]) == (1, {"a": (2,)}) and hash(freeze({"a": [2]}))


def test_written_as_maelstrom_writes_them_and_read_back_alike(tmp_path: Path) -> None:
    value = clojure([7.0, True, False, {"a": [1.5, None]}, 7])
    assert edn.dumps(value) == '[7.0 true false {:a [1.5 nil]} 7]'
    ops = [{"index": 0, "time": 0, "type": "ok", "process": 0, "f": "read", "value": value}]
    write_edn(tmp_path / "history.edn", ops)
    back = read_edn(tmp_path / "history.edn")[0]["value"]
    assert back == value and back[0] != 7 and back[1] is TRUE
    assert pickle.loads(pickle.dumps(value)) == value  # runs pickle their histories
    assert pickle.loads(pickle.dumps(TRUE)) is TRUE


def test_compare_is_clojures() -> None:
    assert compare(1, clojure(1.0)) == 0 and compare(1, clojure(1.5)) < 0
    assert compare(None, 1) < 0 and compare("a", None) > 0 and compare(FALSE, TRUE) < 0
    assert compare([9], [1, 2]) < 0  # vectors: shorter first
    assert compare([1, 3], [1, 2]) > 0 and compare("b", "a") > 0
    with pytest.raises(ClassCastException, match="Boolean cannot be cast to class java.lang"
                                                 ".Number"):
        compare(1, TRUE)
    with pytest.raises(ClassCastException, match="Long cannot be cast to class java.lang"
                                                 ".Boolean"):
        compare(TRUE, 1)
    with pytest.raises(ClassCastException, match="String"):
        compare(1, "1")
    with pytest.raises(ClassCastException, match="Comparable"):
        compare({"a": 1}, {"a": 2})


def test_results_json_writes_booleans_as_json_booleans() -> None:
    from workbench.report.results import to_json
    assert json.dumps(to_json({"ids": [TRUE, clojure(1.0)], "dups": {TRUE: 2}})) == \
        '{"ids": [true, 1.0], "dups": {"true": 2}}'
