"""The one writer of results: checkers and Elle return plain Python data (dicts, lists, sets,
strings, numbers, the history's op records, validity True / False / "unknown"); this module
turns that data into results.edn (Maelstrom's spelling: keywords, ops in history order) and
into its JSON twin results.json, which the benchmarks and the summary read back. It also
renders the workload's anomaly explanations, which are presentation, never part of the data:
one "explanation" per case in results.edn (as before), and one text file per anomaly type in
the run's elle/ folder, as Elle's txn.clj `cycles!` writes `<type>.txt`.

Which plain strings are EDN keywords is decided here, by the key they sit under (KEYWORD_KEYS),
so that no checker needs to know EDN.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable

from .. import edn
from ..history import edn_op
from ..values import Bool

# A str (or the str items of a list or set) under one of these keys is a keyword.
KEYWORD_KEYS = frozenset({
    "type", "outcome", "analyzer", "not", "also-not", "anomaly-types",
    "undecided-cycle-search", "error-types", "bad-error-types", "subgraph", "sources"})
# The first item of a micro-op under these keys is its keyword f (`[:r 1 2]`).
MOP_KEYS = frozenset({"mop"})
# Jepsen's kafka checker spells the real-time step's "a'" as a keyword; our Elle port writes
# the primed keys as strings (edn.py's keyword rule has no '). Both kept as they were.
KAFKA_MARK = "error-types"
ELLIPSIS = edn.Symbol("...")  # Elle's marker for an unknown prefix; `...` in the data

Explainer = Callable[[str, Any], str]


def _is_op(value: dict[Any, Any]) -> bool:
    return "index" in value and "type" in value and "process" in value


def to_edn(value: Any, explain: Explainer | None = None) -> Any:
    """A results map as EDN-typed data (Keywords where Maelstrom writes keywords); with
    `explain`, each anomaly case of the workload's result gets its "explanation" text."""
    if not isinstance(value, dict):
        return _convert(value, False)
    out: dict[Any, Any] = {}
    for k, v in value.items():
        if k == "workload" and isinstance(v, dict):
            out[k] = _workload(v, explain)
        elif _is_validity_key(k):
            out[k] = _validity(v)
        else:
            out[k] = _section(v)
    return out


def _section(value: Any) -> Any:
    """A section other than the workload's (perf, stats, exceptions, net, ...): written as it
    is, but for its validity values (an exception's example op stays as recorded)."""
    if isinstance(value, dict):
        return {k: _validity(v) if _is_validity_key(k) else _section(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_section(v) for v in value]
    return value


def _workload(result: dict[Any, Any], explain: Explainer | None) -> Any:
    kafka = KAFKA_MARK in result
    anomalies = result.get("anomalies")
    if explain is None or not isinstance(anomalies, dict):
        return _convert(result, kafka)
    out = _convert(result, kafka)
    out["anomalies"] = {kind: _explained(str(kind), cases, kafka, explain)
                        for kind, cases in anomalies.items()}
    return out


def _explained(kind: str, cases: Any, kafka: bool, explain: Explainer) -> Any:
    if not isinstance(cases, list):
        return _convert(cases, kafka)
    out = []
    for case in cases:
        written = _convert(case, kafka)
        if isinstance(written, dict):
            written["explanation"] = explain(kind, written)
        out.append(written)
    return out


def _is_validity_key(key: Any) -> bool:
    return isinstance(key, str) and key.endswith("?")


def _validity(value: Any) -> Any:
    return edn.Keyword(value) if value == "unknown" and type(value) is str else value


def _keywords(value: Any) -> Any:
    if type(value) is str:
        return edn.Keyword(value)
    if isinstance(value, list):
        return [_keywords(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_keywords(v) for v in value)
    if isinstance(value, frozenset):
        return frozenset(_keywords(v) for v in value)
    if isinstance(value, set):
        return {_keywords(v) for v in value}
    return _convert(value, False)


def _convert(value: Any, kafka: bool) -> Any:
    if isinstance(value, dict):
        if _is_op(value):
            return edn_op(value)
        out: dict[Any, Any] = {}
        for k, v in value.items():
            if kafka and k == "a'":
                k = edn.Keyword(k)
            if k in KEYWORD_KEYS:
                out[k] = _keywords(v)
            elif k in MOP_KEYS and isinstance(v, list) and v and type(v[0]) is str:
                out[k] = [edn.Keyword(v[0]), *(_convert(x, kafka) for x in v[1:])]
            elif _is_validity_key(k):
                out[k] = _validity(v)
            else:
                out[k] = _convert(v, kafka)
        return out
    if isinstance(value, list):
        return [_convert(v, kafka) for v in value]
    if isinstance(value, tuple):
        return tuple(_convert(v, kafka) for v in value)
    if isinstance(value, (set, frozenset)):
        return type(value)(_convert(v, kafka) for v in value)
    if value is Ellipsis:
        return ELLIPSIS
    return value


def edn_text(results: dict[str, Any], explain: Explainer | None = None) -> str:
    """results.edn's text (Clojure pprint's shape, a final newline)."""
    return edn.pretty(to_edn(results, explain)) + "\n"


def to_json(value: Any) -> Any:
    """The JSON twin of plain result data: sets as sorted lists, keys as strings (a non-string
    key written as EDN), `...` as "...", NaN and infinities as null; validity stays
    true / false / "unknown"."""
    if isinstance(value, dict):
        if _is_op(value):
            value = {k: v for k, v in value.items() if not str(k).startswith("_")}
        return {_json_key(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [to_json(v) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return sorted(items, key=repr)
    if value is Ellipsis:
        return "..."
    if isinstance(value, Bool):
        return value.value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float)):
        return value
    return edn.dumps(value) if isinstance(value, edn.TaggedValue) else repr(value)


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return str(key)
    if isinstance(key, bool) or key is None or isinstance(key, (int, float)):
        return json.dumps(key)
    if isinstance(key, Bool):
        return json.dumps(key.value)
    return edn.dumps(to_edn(key))


def write(run_dir: Path, results: dict[str, Any], explain: Explainer | None = None) -> str:
    """Write results.edn and results.json into `run_dir`; returns results.edn's text."""
    text = edn_text(results, explain)
    run_dir = Path(run_dir)
    (run_dir / "results.edn").write_text(text)
    (run_dir / "results.json").write_text(json.dumps(to_json(results), indent=1) + "\n")
    return text


def write_anomaly_files(directory: Path, result: dict[str, Any], explain: Explainer
                        ) -> list[Path]:
    """Each anomaly type of an Elle `result` in words, one file `<directory>/<type>.txt`
    (Elle's txn.clj `cycles!` writes one per cycle type; here every type gets one), its cases
    numbered `<type> #i` and parted by two blank lines as Elle's core.clj `write-cycles!`
    does. Returns the files written."""
    anomalies = result.get("anomalies") or {}
    if not isinstance(anomalies, dict) or not anomalies:
        return []
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, cases in anomalies.items():
        cases = cases if isinstance(cases, list) else [cases]
        texts = [f"{kind} #{i}\n{explain(str(kind), _convert(case, False))}"
                 for i, case in enumerate(cases)]
        path = directory / f"{kind}.txt"
        path.write_text("\n\n\n".join(texts) + "\n")
        written.append(path)
    return written


def read(run_dir: Path) -> dict[str, Any]:
    """A run's results as plain data: results.json, or for a folder without one (a real
    Maelstrom run, an older workbench run) results.edn with its keywords as plain strings.

    Raises:
        OSError: neither file can be read.
        ValueError: the file is not JSON (EDN) or not a map.
    """
    run_dir = Path(run_dir)
    twin = run_dir / "results.json"
    if twin.exists():
        value = json.loads(twin.read_text())
    else:
        value = plain(edn.loads((run_dir / "results.edn").read_text()))
    if not isinstance(value, dict):
        raise ValueError(f"{run_dir}: the results are not a map")
    return value


def plain(value: Any) -> Any:
    """EDN-typed data as plain data: keywords and symbols as str, keys as str where they
    were keywords (as in results.json)."""
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    if isinstance(value, frozenset):
        return frozenset(plain(v) for v in value)
    if isinstance(value, str):
        return str(value)
    return value


def quantile(qs: Any, q: float, default: Any = None) -> Any:
    """The value at quantile `q` of a quantile map ({0.5 ..., 1 ...}), whether its keys are
    numbers (in memory, results.edn) or their text (results.json); `default` when absent."""
    if not isinstance(qs, dict):
        return default
    for k, v in qs.items():
        try:
            if not isinstance(k, bool) and abs(float(k) - q) < 1e-9:
                return v
        except (TypeError, ValueError):
            continue
    return default
