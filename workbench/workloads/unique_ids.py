"""unique-ids (Maelstrom's src/maelstrom/workload/unique_ids.clj): every `generate` must return an
id no other call returned.

    request  {"type": "generate"}
    response {"type": "generate_ok", "id": <any JSON value>}

Ids are compared with type-sensitive equality (1, 1.0 and "1" are three ids). The checker
reports attempted/acknowledged counts, the duplicated ids (up to 48, most repeated first)
and the range of ids.
"""

from __future__ import annotations

import collections
import json
import random
from typing import Any

from ..client import Client, Reply, is_any, with_errors
from ..generator import Stream
from ..history import Op
from ..message import value_key
from ..validity import UNKNOWN
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
    ops = [op for op in history if op.get("f") == "generate" and op["process"] != "nemesis"]
    attempted = sum(1 for op in ops if op["type"] == "invoke")
    acked = [op["value"] for op in ops if op["type"] == "ok"]
    counts = collections.Counter(value_key(v) for v in acked)
    example: dict[Any, Any] = {}  # value_key -> the first value with it
    for v in acked:
        example.setdefault(value_key(v), v)
    dups = [(example[k], n) for k, n in counts.items() if n > 1]
    dups.sort(key=lambda kv: -kv[1])
    shown = dups[:48]
    try:
        shown.sort(key=lambda kv: kv[0])
        id_range = [min(acked), max(acked)] if acked else [None, None]
    except TypeError:
        return {"valid?": UNKNOWN, "error": "ids are not mutually comparable "
                "(e.g. numbers mixed with strings), so Maelstrom's checker fails on them",
                "attempted-count": attempted, "acknowledged-count": len(acked),
                "duplicated-count": len(dups)}
    return {
        "valid?": not dups,
        "attempted-count": attempted,
        "acknowledged-count": len(acked),
        "duplicated-count": len(dups),
        "duplicated": {_hashable(v): n for v, n in shown},
        "range": id_range,
    }


def _hashable(v: Any) -> Any:
    return json.dumps(v) if isinstance(v, (dict, list)) else v


def workload(opts: object, rng: random.Random) -> Workload:
    return Workload(name="unique-ids", client=UniqueIdsClient,
                    generator=Stream(lambda r: {"f": "generate", "value": None}, rng),
                    check=check, reusable=True)
