"""EDN writer and reader."""

from __future__ import annotations

from workbench import edn
from workbench.edn import Keyword


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


# results.edn as Maelstrom writes it (Clojure's pprint: keywords, nested maps split over lines,
# commas between entries, a vector range, an empty map); the figures are a unique-ids run's
MAELSTROM_RESULTS = """{:perf {:latency-graph {:valid? true},
        :rate-graph {:valid? true},
        :valid? true},
 :stats {:valid? true,
         :count 27311,
         :by-f {:generate {:valid? true,
                           :count 27311,
                           :ok-count 27311}}},
 :availability {:valid? true, :ok-fraction 1.0},
 :net {:servers {:send-count 177354,
                 :msg-count 177354,
                 :msgs-per-op 6.493867},
       :valid? true},
 :workload {:valid? true,
            :duplicated {},
            :range [0 27310]},
 :valid? true}
"""


def test_reads_results_as_maelstrom_writes_them() -> None:
    results = edn.loads(MAELSTROM_RESULTS)
    assert results["net"]["servers"]["msgs-per-op"] == 6.493867
    assert results["workload"]["range"] == [0, 27310]
    assert results["workload"]["duplicated"] == {}
    assert results["stats"]["by-f"]["generate"]["ok-count"] == 27311
    assert results["availability"]["ok-fraction"] == 1.0 and results["valid?"] is True
