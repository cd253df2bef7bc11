"""txn-list-append: transactions over named lists, checked by Elle's list-append analysis
(Maelstrom's src/maelstrom/workload/txn_list_append.clj).

    request  {"type": "txn", "txn": [["r", 1, null], ["append", 1, 6], ["append", 2, 9]]}
    response {"type": "txn_ok", "txn": [["r", 1, [3, 8]], ["append", 1, 6], ["append", 2, 9]]}

A read `["r", k, null]` is answered with the key's whole list, or null for a key nobody has
appended to; an append `["append", k, v]` adds v to the end of k's list (creating it) and
comes back unchanged. Each micro-op is exactly three elements and starts with "r" or
"append"; whatever the node returns becomes the op's value, so a reply that reorders or drops
micro-ops corrupts the analysis. Keys and elements are integers here; a key never sees the
same element appended twice.

The generator is the txn-rw-register one (Elle's wr-txns) with appends in place of writes:
--key-count keys active at a time (default 10), 1 to --max-txn-length micro-ops per txn
(default 4), keys retired after --max-writes-per-key appends (default 16). There is no final
phase. The client is reusable (same client id after an :info); no f is idempotent, so a
timeout or an indefinite error leaves the txn :info and a definite one (30 txn-conflict,
14 abort, ...) makes it :fail.

The checker is `workbench.elle.list_append` with --consistency-models (default
strict-serializable), with no Maelstrom wrapper: an empty transaction graph or a cycle search
that ran out of time makes the result :unknown. Anomalies it reports: G0, G1a, G1b, G1c,
G-single-item, G-nonadjacent-item, G2-item (and -process / -realtime variants), internal,
future-read, dirty-update, duplicate-elements, incompatible-order, lost-update, as far as the
models forbid them; each case holds its ops. `explain` (`append_text.case_text`) renders a case in
words: the results writer puts it beside the case in results.edn and writes one text file per
anomaly type to the run's `elle/` folder.
"""

from __future__ import annotations

import random
from typing import Any

from ..client import Client, Reply, with_errors
from ..edn import Keyword
from ..elle import append_text, list_append
from ..history import Op
from . import Workload
from .txn_rw_register import TxnGenerator

IDEMPOTENT: frozenset[str] = frozenset()  # Maelstrom's client: no f is idempotent
APPEND, R = Keyword("append"), Keyword("r")


def _is_mop(m: Any) -> bool:
    if not (isinstance(m, list) and len(m) == 3 and isinstance(m[0], str)):
        return False
    if m[0] == "r":
        return m[2] is None or isinstance(m[2], list)
    return m[0] == "append"


def is_txn(value: Any) -> bool:
    """The reply schema: a list of ["r", k, list-or-null] and ["append", k, v]."""
    return isinstance(value, list) and all(_is_mop(m) for m in value)


TXN_OK = Reply("txn_ok", {"txn": is_txn},
               'the micro-ops in order, each ["r", k, [elements] or null] or ["append", k, v]')
RPCS = [
    {"type": "txn", "fields": {"txn": "[[f k v] ...], f is r or append"}, "reply": TXN_OK,
     "doc": "Perform the micro-ops as one transaction, in order."},
]


class AppendClient:
    """Reusable: the same client keeps serving after an :info."""

    async def invoke(self, rpc: Client, op: Op) -> Op:
        async def call() -> Op:
            txn = [[str(f), k, v] for f, k, v in op["value"]]
            body = await rpc.call({"type": "txn", "txn": txn}, reply=TXN_OK)
            value = [[Keyword(f), k, v] for f, k, v in body["txn"]]
            return dict(op, type="ok", value=value)
        return await with_errors(op, IDEMPOTENT, call())


class AppendGenerator(TxnGenerator):
    """Elle's append-txns: wr-txns with every write turned into an append."""

    def txn(self) -> list[list[Any]]:
        return [[APPEND if f == "w" else f, k, v] for f, k, v in super().txn()]


def check(opts: Any, history: list[Op], budget: float = 1.0) -> dict[str, Any]:
    """Elle's list-append result, as is (no wrapper: Maelstrom's
    src/maelstrom/workload/txn_list_append.clj)."""
    models = getattr(opts, "consistency_models", None) or ["strict-serializable"]
    return list_append.check(history, models, budget)


def workload(opts: Any, rng: random.Random) -> Workload:
    gen = AppendGenerator(rng, opts.key_count or 10, opts.max_txn_length,
                          opts.max_writes_per_key)
    return Workload(name="txn-list-append", client=AppendClient, generator=gen, check=check,
                    reusable=True, explain=append_text.case_text)
