"""txn-rw-register (Maelstrom's src/maelstrom/workload/txn_rw_register.clj): transactions over
integer registers, checked by Elle.

    request  {"type": "txn", "txn": [["r", 1, null], ["w", 1, 6], ["w", 2, 9]]}
    response {"type": "txn_ok", "txn": [["r", 1, 3], ["w", 1, 6], ["w", 2, 9]]}

Each micro-op is exactly three elements and starts with "r" or "w". The reply repeats the
micro-ops in order, reads filled in with the value observed (null for a key never written),
writes unchanged; whatever comes back becomes the op's value, so a reply that reorders or
drops micro-ops corrupts the analysis. Error 30 (txn-conflict) or 14 (abort) is a definite
abort (:fail); a timeout or an indefinite error leaves the txn :info.

The checker is our Elle (workbench.elle) with the models from --consistency-models; as
Maelstrom's wrapper does, :cycle-search-timeout is dropped and the result is valid iff no
prohibited anomaly remains. Each anomaly carries the ops that show it; its explanation in
words (`elle.explain.case_text`) is rendered by the results writer, beside the case in
results.edn and in the run's elle/<type>.txt.
"""

from __future__ import annotations

import math
import random
from typing import Any

from .. import elle
from .. import generator as gen
from ..client import Client, Reply, with_errors
from ..edn import Keyword
from ..elle import explain
from ..history import Op
from ..validity import UNKNOWN
from . import Workload

IDEMPOTENT: frozenset[str] = frozenset()  # Maelstrom's client: no f is idempotent
R, W = Keyword("r"), Keyword("w")


def is_txn(value: Any) -> bool:
    """The reply schema: a list of [f k v] with f exactly "r" or "w", or null (Maelstrom's
    `[(s/either ReadRes Write)]` is a vector schema, which accepts nil; each micro-op has three
    required elements, so a null micro-op is still malformed)."""
    return value is None or isinstance(value, list) and all(
        isinstance(m, list) and len(m) == 3 and m[0] in ("r", "w")
        and isinstance(m[0], str) for m in value)


TXN_OK = Reply("txn_ok", {"txn": is_txn},
               'the micro-ops in order, each ["r", k, value] or ["w", k, v]')
RPCS = [
    {"type": "txn", "fields": {"txn": "[[f k v] ...], f is r or w"}, "reply": TXN_OK,
     "doc": "Perform the micro-ops as one transaction, in order."},
]


class TxnClient:
    """Reusable (Maelstrom's src/maelstrom/workload/txn_rw_register.clj): the same client keeps
    serving after an :info."""

    async def invoke(self, rpc: Client, op: Op) -> Op:
        async def call() -> Op:
            txn = [[str(f), k, v] for f, k, v in op["value"]]
            body = await rpc.call({"type": "txn", "txn": txn}, reply=TXN_OK)
            # A null txn becomes [], as Maelstrom's client maps over it (mapv over nil).
            value = [[Keyword(f), k, v] for f, k, v in body["txn"] or ()]
            return dict(op, type="ok", value=value)
        return await with_errors(op, IDEMPOTENT, call())


class TxnGenerator(gen.Stream):
    """Elle's wr-txns: a window of active keys chosen exponentially (hot newest positions),
    reads and writes half and half, unique write values per key, keys retired after
    --max-writes-per-key writes and replaced by a fresh key."""

    def __init__(self, rng: random.Random, key_count: int = 10, max_txn_length: int = 4,
                 max_writes_per_key: int = 16) -> None:
        super().__init__(lambda r: {}, rng)
        self.active = list(range(key_count))
        self.next_value: dict[int, int] = {}
        self.max_len = max_txn_length
        self.max_writes = max_writes_per_key
        self.scale = (2 ** key_count - 1) * 2

    def _position(self) -> int:
        x = self.rng.random() * self.scale
        i = math.floor(math.log2(x + 2) - 1)
        return min(max(i, 0), len(self.active) - 1)

    def txn(self) -> list[list[Any]]:
        length = self.rng.randint(1, self.max_len)
        mops: list[list[Any]] = []
        while len(mops) < length:
            write = self.rng.random() < 0.5
            i = self._position()
            k = self.active[i]
            if not write:
                mops.append([R, k, None])
                continue
            v = self.next_value.get(k, 1)
            if v > self.max_writes:
                self.active[i] = max(self.active) + 1
                continue
            self.next_value[k] = v + 1
            mops.append([W, k, v])
        return mops

    def next_op(self, ctx: gen.Context) -> Op:
        return {"f": "txn", "value": self.txn()}


def check(opts: Any, history: list[Op], budget: float = 1.0) -> dict[str, Any]:
    """Elle's result wrapped as Maelstrom does (txn_rw_register.clj)."""
    models = getattr(opts, "consistency_models", None) or ["strict-serializable"]
    ops = [op for op in history if op.get("process") != "nemesis"]
    result = elle.check(ops, models, budget)
    types = [t for t in result.get("anomaly-types", []) if t != "cycle-search-timeout"]
    anomalies = {k: v for k, v in (result.get("anomalies") or {}).items()
                 if k != "cycle-search-timeout"}
    out: dict[str, Any] = {"valid?": not types, "anomaly-types": types,
                           "anomalies": anomalies or None}
    undecided = result.get("undecided-cycle-search")
    if undecided and not types:
        # Maelstrom would drop the timeout, but Elle decides these cycles without one: a
        # search we could not finish, and no exact check covers, is no pass.
        out["valid?"] = UNKNOWN
        out["undecided-cycle-search"] = undecided
    for key in ("not", "also-not"):
        if key in result:
            out[key] = result[key]
    timeouts = (result.get("anomalies") or {}).get("cycle-search-timeout")
    if timeouts:  # Maelstrom hides these; we keep a trace of them aside
        out["dropped-cycle-search-timeouts"] = len(timeouts)
    out["blind-spot"] = result["blind-spot"]
    return out


def workload(opts: Any, rng: random.Random) -> Workload:
    gen = TxnGenerator(rng, opts.key_count or 10, opts.max_txn_length, opts.max_writes_per_key)
    return Workload(name="txn-rw-register", client=TxnClient, generator=gen, check=check,
                    reusable=True, explain=explain.case_text)
