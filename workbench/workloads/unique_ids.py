"""unique-ids (Maelstrom's src/maelstrom/workload/unique_ids.clj): every `generate` must return an
id no other call returned.

    request  {"type": "generate"}
    response {"type": "generate_ok", "id": <any JSON value>}

Ids are compared with Clojure's = (1, 1.0, true and "1" are four ids) and ordered with its
compare, which throws on ids of two kinds (numbers beside booleans or strings): then the
result is :unknown, as Maelstrom's. The checker reports attempted/acknowledged counts, the
duplicated ids (up to 48, most repeated first) and the range of ids.
"""

from __future__ import annotations

import collections
import functools
import random
from typing import Any

from ..client import Client, Reply, is_any, with_errors
from ..generator import Stream
from ..history import Op
from ..validity import UNKNOWN
from ..values import ClassCastException, compare, freeze, value_key
from . import Workload

GENERATE_OK = Reply("generate_ok", {"id": is_any}, "a unique id")
IDEMPOTENT: frozenset[str] = frozenset()


class UniqueIdsClient:
    async def invoke(self, rpc: Client, op: Op) -> Op:
        async def call() -> Op:
            body = await rpc.call({"type": "generate"}, reply=GENERATE_OK)
            return dict(op, type="ok", value=body["id"])
        return await with_errors(op, IDEMPOTENT, call())


def check(opts: object, history: list[Op]) -> dict[str, Any]:
    """Jepsen's unique-ids checker (jepsen/src/jepsen/checker.clj): ids counted by Clojure's =
    (the values come wrapped by workbench.values, so 1, 1.0 and true are three ids), the range
    by Clojure's compare, as tesser's extremum takes it (nils skipped), and the duplicated ids
    into a sorted map. Where compare throws (ids of two kinds, say numbers and booleans, or
    maps), Maelstrom's checker throws and the result is :unknown with the error."""
    ops = [op for op in history if op.get("f") == "generate" and op["process"] != "nemesis"]
    attempted = sum(1 for op in ops if op["type"] == "invoke")
    acked = [op["value"] for op in ops if op["type"] == "ok"]
    counts = collections.Counter(value_key(v) for v in acked)
    example: dict[Any, Any] = {}  # value_key -> the first value with it
    for v in acked:
        example.setdefault(value_key(v), v)
    try:
        id_range = _range(acked)
        by_id = functools.cmp_to_key(compare)
        dups = sorted(((example[k], n) for k, n in counts.items() if n > 1),
                      key=lambda kv: by_id(kv[0]))  # (into (sorted-map))
        top = sorted(dups, key=lambda kv: kv[1])[::-1][:48]  # sort-by val, reverse, take 48
        shown = sorted(top, key=lambda kv: by_id(kv[0]))
    except ClassCastException as err:
        return {"valid?": UNKNOWN, "error": f"java.lang.ClassCastException: {err}"}
    return {
        "valid?": not dups,
        "attempted-count": attempted,
        "acknowledged-count": len(acked),
        "duplicated-count": len(dups),
        "duplicated": {_hashable(v): n for v, n in shown},
        "range": id_range,
    }


def _range(ids: list[Any]) -> list[Any]:
    """tesser's range: [min max] by compare(x, current), a nil id skipped, ties to the later."""
    low = high = None
    for x in ids:
        if x is None:
            continue
        if low is None or compare(x, low) <= 0:
            low = x
        if high is None or compare(x, high) >= 0:
            high = x
    return [low, high]


def _hashable(v: Any) -> Any:
    """An id as a key of :duplicated: a vector stays a vector ([1 2], as Maelstrom prints it)."""
    return freeze(v)


def workload(opts: object, rng: random.Random) -> Workload:
    return Workload(name="unique-ids", client=UniqueIdsClient,
                    generator=Stream(lambda r: {"f": "generate", "value": None}, rng),
                    check=check, reusable=True)
