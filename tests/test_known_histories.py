"""Stored histories with known verdicts, replayed through each checker's public entry point (as
Porcupine's test_data/ and Elle's histories/ keep theirs).

Layout: tests/data/<checker>/<case>/history.edn (one op a line, as the workbench writes it) and
expected.edn next to it:

    {:valid? false                     ; true, false or :unknown
     :anomalies [:lost]                ; the kinds of error the checker reports (see ANOMALIES)
     :flags "--consistency-models read-committed"   ; optional: the test flags the checker reads
     :source "..."}                    ; how the history was made (a workbench run or by hand)

<case> is ok-..., unknown-... or bad-<anomaly>... (one of the expected anomalies, then anything).
Adding a directory adds a test. Older single-file cases (tests/data/lin_kv/<ok|bad>-*.edn, also
replayed by tests/test_linearizable.py) carry only their verdict, in the file name.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

from workbench import edn
from workbench.checkers.compose import UNKNOWN
from workbench.checkers.linear import check_register
from workbench.checkers.stats import availability, stats
from workbench.cli import Options, parse
from workbench.history import read_edn
from workbench.workloads import (
    broadcast,
    echo,
    g_counter,
    g_set,
    kafka,
    lin_kv,
    txn_list_append,
    txn_rw_register,
    unique_ids,
)

DATA = Path(__file__).parent / "data"

Check = Callable[[Options, list[dict], Path], dict]
Names = Callable[[dict], list[str]]


def _names(values: Any) -> list[str]:
    return sorted(str(v) for v in values or ())


@dataclass(frozen=True)
class Checker:
    workload: str  # the -w the flags are parsed with
    check: Check
    anomalies: Names  # the kinds of error a result reports, as names
    flags: str = ""  # flags every case starts from (a case's own :flags come after)


def _one(name: str) -> Names:
    """For a checker with one kind of error: named when the result is invalid."""
    return lambda r: [name] if r["valid?"] is False else []


def _types(key: str) -> Names:
    return lambda r: _names(r.get(key))

CHECKERS: dict[str, Checker] = {
    "echo": Checker("echo", lambda o, h, _: echo.check(o, h), _one("wrong-echo")),
    "unique_ids": Checker("unique-ids", lambda o, h, _: unique_ids.check(o, h),
                          _one("duplicated")),
    # set-full: invalid only for lost elements (:unknown when none became stable)
    "broadcast": Checker("broadcast", lambda o, h, _: broadcast.check(o, h), _one("lost")),
    "g_set": Checker("g-set", lambda o, h, _: g_set.check(o, h), _one("lost")),
    "g_counter": Checker("g-counter", lambda o, h, _: g_counter.check(o, h),
                         _one("wrong-final-read")),
    "pn_counter": Checker("pn-counter", lambda o, h, _: g_counter.check(o, h),
                          _one("wrong-final-read")),
    # Maelstrom's and Elle's own spellings of what they found
    "kafka": Checker("kafka", lambda o, h, _: kafka.check(o, h), _types("error-types")),
    "txn_rw_register": Checker("txn-rw-register", lambda o, h, _: txn_rw_register.check(o, h),
                               _types("anomaly-types")),
    "txn_list_append": Checker("txn-list-append", lambda o, h, _: txn_list_append.check(o, h),
                               _types("anomaly-types")),
    "lin_kv": Checker("lin-kv", lambda o, h, tmp: lin_kv.check(o, h, out_dir=tmp),
                      _one("nonlinearizable"), "--concurrency 2n"),
    # one register, values not wrapped in [k v]: the checker lin-kv runs per key
    "cas_register": Checker("echo", lambda o, h, _: check_register(h), _one("nonlinearizable")),
    # the :stats and :availability entries of every run's results.edn
    "stats": Checker("echo", lambda o, h, _: stats(h),
                     lambda r: [f"no-ok-{f}" for f, v in sorted(r["by-f"].items())
                                if not v["valid?"]]),
    "availability": Checker("echo", lambda o, h, _: availability(h, o.availability),
                            _one("below-availability")),
}

@dataclass(frozen=True)
class Case:
    checker: str
    history: Path
    expected: dict

    @property
    def name(self) -> str:
        return self.history.parent.name if self.history.name == "history.edn" \
            else self.history.stem

def _expected(path: Path) -> dict:
    return {str(k): v for k, v in edn.loads(path.read_text()).items()}

def discover(root: Path = DATA) -> list[Case]:
    cases = []
    for top in sorted(p for p in root.iterdir() if p.is_dir()):
        for hist in sorted(top.glob("*/history.edn")):
            cases.append(Case(top.name, hist, _expected(hist.parent / "expected.edn")))
        for hist in sorted(top.glob("*.edn")):  # single-file cases: the verdict in the name
            ok = hist.name.startswith("ok-")
            cases.append(Case(top.name, hist, {"valid?": ok, "anomalies": None}))
    return cases

CASES = discover()

def test_every_checker_has_a_valid_and_an_invalid_history() -> None:
    verdicts: dict[str, set] = {name: set() for name in CHECKERS}
    for case in CASES:
        verdicts[case.checker].add(case.expected["valid?"])
    assert {k for k, v in verdicts.items() if not {True, False} <= v} == set()

@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.checker}/{c.name}")
def test_stored_history_keeps_its_verdict(case: Case, tmp_path: Path) -> None:
    checker = CHECKERS[case.checker]
    want = case.expected
    flags = shlex.split(checker.flags) + shlex.split(want.get("flags") or "")
    opts = parse(["--bin", "node", "-w", checker.workload, *flags])
    result = checker.check(opts, read_edn(case.history), tmp_path)
    valid = want["valid?"]
    assert result["valid?"] is (UNKNOWN if valid == UNKNOWN else valid), result
    prefix = case.name.split("-", 1)[0]
    assert prefix == {True: "ok", False: "bad"}.get(valid, "unknown")
    if want["anomalies"] is None:
        return
    expected = _names(want["anomalies"])
    assert checker.anomalies(result) == expected, result
    if prefix == "bad":
        what = case.name.split("-", 1)[1].lower()
        assert any(what.startswith(a.lower()) for a in expected), "name the anomaly"
    else:
        assert expected == []
