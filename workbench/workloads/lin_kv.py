"""lin-kv (Maelstrom's default workload): a linearizable key-value store of registers.

    {"type": "read", "key": 3}                       -> {"type": "read_ok", "value": 4}
    {"type": "write", "key": 3, "value": 1}          -> {"type": "write_ok"}
    {"type": "cas", "key": 3, "from": 1, "to": 4}    -> {"type": "cas_ok"}

`read` returns the key's current value. `write` overwrites it, creating the key. `cas` sets it
to `to` if it currently equals `from`. Expected errors: 20 (key-does-not-exist) for a read or
cas of a key never written, 22 (precondition-failed) when `from` does not match; both are
definite, so the op becomes :fail (it did not happen), as does any other definite error
(e.g. 11, temporarily-unavailable). A timeout or an indefinite error (e.g. 13, crash) leaves a
write or cas :info (it may have happened, now or later); reads are idempotent, so such a read
is :fail. Replies are checked against closed schemas: `read_ok` must carry `value` (null is
allowed) and nothing but type/msg_id/in_reply_to; `write_ok` and `cas_ok` carry nothing.

Workload (Maelstrom's src/maelstrom/workload/lin_kv.clj over Jepsen's
jepsen/tests/linearizable_register.clj and jepsen/independent.clj concurrent-generator):
worker threads form groups of 2 x node-count; each group works on one key at a time (keys
0, 1, 2, ...). In a group the first node-count threads only read; the others write a random
value 0..4 or cas [from to] (each 0..4), writes and cas 1:2. A key is abandoned when a 21st
distinct process would work on it (a process is replaced after each :info op), and the
group takes the next unused key; there is no other per-key limit. --concurrency must be a
multiple of 2 x node-count (Maelstrom's generator asserts it; here it is a usage error, exit
254): use `--concurrency 2n`. Note that Maelstrom's defaults (5 nodes, concurrency 1n)
do not satisfy this. The client is reused after :info ops; its timeout is
max(10 x --latency, 1000) ms. History ops carry [key value] pairs:
`{:f :read :value [3 4]}`, `{:f :write :value [3 1]}`, `{:f :cas :value [3 [1 4]]}`. No final
phase.

Checker (workbench/checkers/linear/): per key, linearizability of a compare-and-set
register starting at nil, as Knossos decides it (:fail ops did not happen, :info ops may
have happened at any time after their invocation, or never), except that a read of null is
checked strictly (Knossos accepts it from any state; such keys are marked "blind-spot").
Result under :workload, as Jepsen's independent checker shapes it:
`{:valid? .. :results {k {:valid? .. :linearizable {..} :timeline {..}}} :failures [k ..]}`.
A failing key's :linearizable map has Knossos's :op, :previous-ok and :final-paths, plus the
longest linearizable prefix found (:linearized-prefix-length, :linearized-tail) and the op
that cannot follow it (:cannot-follow). Per key, the run directory gets
`independent/<k>/results.edn` and `history.edn`, and for a failing key `linear.html`: the
counterexample drawn (Maelstrom draws `linear.svg` there). A key whose search runs out of
budget is :unknown, never valid.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Sequence, cast

from .. import edn
from .. import generator as gen
from ..checkers.linear import VIEW_ONLY, check_register, subhistories, write_view
from ..client import Client, Reply, is_any, with_errors
from ..errors import UsageError
from ..history import Op, write_edn
from ..validity import merge_valid
from . import Workload

IDEMPOTENT = frozenset({"read"})
PROCESS_LIMIT = 20  # Jepsen's linearizable-register default :process-limit
VALUES = 5  # values 0..4
MAX_STEPS_PER_KEY = 5_000_000  # search budget; beyond it a key is :unknown

READ_OK = Reply("read_ok", {"value": is_any}, "the key's current value")
WRITE_OK = Reply("write_ok", {}, "an acknowledgement")
CAS_OK = Reply("cas_ok", {}, "an acknowledgement")
RPCS = [
    {"type": "read", "fields": {"key": "any"}, "reply": READ_OK,
     "doc": "Read the current value of a key (error 20 if it does not exist)."},
    {"type": "write", "fields": {"key": "any", "value": "any"}, "reply": WRITE_OK,
     "doc": "Overwrite the value of a key, creating it if needed."},
    {"type": "cas", "fields": {"key": "any", "from": "any", "to": "any"}, "reply": CAS_OK,
     "doc": "Set the key to `to` if it holds `from` (error 20 if missing, 22 if not `from`)."},
]


class LinKvClient:
    """Maelstrom's lin-kv client: reusable, reads idempotent, a latency-scaled timeout."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    async def invoke(self, rpc: Client, op: Op) -> Op:
        async def call() -> Op:
            k, v = op["value"]
            f = op["f"]
            if f == "read":
                body = await rpc.call({"type": "read", "key": k}, self.timeout, READ_OK)
                return dict(op, type="ok", value=[k, body["value"]])
            if f == "write":
                await rpc.call({"type": "write", "key": k, "value": v}, self.timeout, WRITE_OK)
                return dict(op, type="ok")
            frm, to = v
            await rpc.call({"type": "cas", "key": k, "from": frm, "to": to}, self.timeout,
                           CAS_OK)
            return dict(op, type="ok")
        return await with_errors(op, IDEMPOTENT, call())


def client_timeout(latency_ms: float) -> float:
    """Seconds: max(10 x mean latency, 1000 ms), as lin_kv.clj sets it."""
    return max(10 * latency_ms, 1000) / 1000


class KeyGroups:
    """Which key each thread works on (Jepsen's independent/concurrent-generator with a
    process limit per key), kept apart from op making so that it ports to any generator API.

    Threads 0..concurrency-1 are split into groups of `group_size` consecutive threads;
    group g starts on key g, later keys are handed out in order. A group's key is abandoned
    once more than `process_limit` distinct processes have been in the group while it worked
    on that key, counting every thread's current process, busy or not (Jepsen's
    process-limit); the group then takes the next unused key. A thread's process starts as
    its number and grows by `concurrency` after each :info completion (the interpreter's
    rule), which is all that `completed` needs to know.
    """

    def __init__(self, concurrency: int, group_size: int,
                 process_limit: int = PROCESS_LIMIT) -> None:
        if group_size <= 0 or concurrency % group_size or concurrency < group_size:
            raise ValueError(f"concurrency {concurrency} is not a positive multiple of the "
                             f"group size {group_size}")
        self.concurrency = concurrency
        self.group_size = group_size
        self.process_limit = process_limit
        groups = concurrency // group_size
        self.process = list(range(concurrency))
        self.key = list(range(groups))
        self.next_key = groups
        self.seen: list[set[int]] = [set() for _ in range(groups)]

    def group(self, thread: int) -> int:
        return thread // self.group_size

    def position(self, thread: int) -> int:
        """The thread's place in its group, 0..group_size-1."""
        return thread % self.group_size

    def key_for(self, thread: int) -> Any:
        """The key `thread` works on next (moving its group to a new key when needed)."""
        g = self.group(thread)
        first = g * self.group_size
        current = {self.process[t] for t in range(first, first + self.group_size)}
        if len(self.seen[g] | current) > self.process_limit:
            self.key[g] = self.next_key
            self.next_key += 1
            self.seen[g] = set()
        self.seen[g] |= current
        return self.key[g]

    def completed(self, completion: Op) -> None:
        """Follow process changes: an :info completion retires its process."""
        p = completion.get("process")
        if completion.get("type") == "info" and isinstance(p, int):
            self.process[p % self.concurrency] = p + self.concurrency


class LinKvGenerator(gen.Base):
    """Per thread: readers (the first node-count threads of each group) read their group's
    key; the others write or cas it, 1:2. Never exhausted; an op depends on its thread, so
    the thread is chosen first, then the op drawn (once, kept until emitted)."""

    def __init__(self, rng: random.Random, node_count: int, concurrency: int,
                 process_limit: int = PROCESS_LIMIT) -> None:
        self.rng = rng
        self.readers = node_count
        self.groups = KeyGroups(concurrency, 2 * node_count, process_limit)
        self._next: tuple[int, Op] | None = None  # (thread, op) drawn, not yet emitted
        self._since: float | None = None

    def op_for(self, thread: int) -> Op:
        """The next op for `thread`."""
        k = self.groups.key_for(thread)
        if self.groups.position(thread) < self.readers:
            return {"f": "read", "value": [k, None]}
        rng = self.rng
        if rng.randrange(3) == 0:
            return {"f": "write", "value": [k, rng.randrange(VALUES)]}
        return {"f": "cas", "value": [k, [rng.randrange(VALUES), rng.randrange(VALUES)]]}

    def op(self, ctx: gen.Context) -> gen.Answer:
        if not ctx.free:
            self._since = None
            return gen.PENDING
        if self._next is None:
            # client threads only (the runner wraps this generator in gen.clients)
            thread = cast(int, ctx.choose(ctx.free))
            self._next = (thread, self.op_for(thread))
        thread, op = self._next
        if thread not in ctx.free:
            return gen.PENDING
        if self._since is None:
            self._since = ctx.time
        return gen.Emit(self._since, thread, op)

    def emitted(self, ctx: gen.Context, emit: gen.Emit) -> None:
        self._next = self._since = None

    def update(self, ctx: gen.Context, thread: gen.Thread, completion: Op) -> None:
        self.groups.completed(completion)


def check_options(opts: Any) -> None:
    """Refuse a --concurrency the generator cannot split into groups of 2 x node-count."""
    group = 2 * opts.node_count
    if opts.concurrency < group:
        raise UsageError(
            f"lin-kv runs each key with 2 x node-count = {group} threads, but --concurrency "
            f"is {opts.concurrency}; raise it to at least {group} (e.g. --concurrency 2n). "
            "Maelstrom's generator asserts this at the first op and the test crashes.")
    if opts.concurrency % group:
        raise UsageError(
            f"lin-kv runs each key with 2 x node-count = {group} threads, so --concurrency "
            f"must be a multiple of {group}, not {opts.concurrency} (e.g. --concurrency 2n). "
            "Maelstrom's generator asserts this at the first op and the test crashes.")


def run_dir_of(opts: Any) -> Path | None:
    """Where per-key files go: opts.run_dir when the runner provides it, else the store's
    `current` link, which points at the running test's directory."""
    if opts is None:
        return None
    run_dir = getattr(opts, "run_dir", None)
    if run_dir is not None:
        return Path(run_dir)
    current = Path(getattr(opts, "store", "store")) / "current"
    return current.resolve() if current.exists() else None


def _sort_key(k: Any) -> tuple[str, Any]:
    return (type(k).__name__, k) if isinstance(k, (int, float, str)) else ("~", repr(k))


def check(opts: Any, history: Sequence[Op], out_dir: Path | None = None,
          max_steps: int = MAX_STEPS_PER_KEY) -> dict[str, Any]:
    """Jepsen's independent checker over a linearizable cas-register per key."""
    if out_dir is None:
        out_dir = run_dir_of(opts)
    results: dict[Any, dict[str, Any]] = {}
    failures: list[Any] = []
    by_key = subhistories(h for h in history if h.get("f") in ("read", "write", "cas")
                          or h.get("process") == "nemesis")
    for k in sorted(by_key, key=_sort_key):
        sub = by_key[k]
        lin = check_register(sub, max_steps=max_steps)
        shown = {name: v for name, v in lin.items() if name not in VIEW_ONLY}
        result = {"valid?": lin["valid?"], "linearizable": shown, "timeline": {"valid?": True}}
        results[k] = result
        if lin["valid?"] is not True:
            failures.append(k)
        if out_dir is not None:
            _write_key(out_dir / "independent" / str(k), k, sub, lin, result)
    valid = merge_valid(r["valid?"] for r in results.values()) if results else True
    return {"valid?": valid, "results": results, "failures": failures}


def _write_key(where: Path, k: Any, sub: list[Op], lin: dict[str, Any],
               result: dict[str, Any]) -> None:
    where.mkdir(parents=True, exist_ok=True)
    (where / "results.edn").write_text(edn.pretty(result) + "\n")
    write_edn(where / "history.edn", sub)
    if lin["valid?"] is False:
        write_view(where / "linear.html", k, sub, lin)


def workload(opts: Any, rng: random.Random) -> Workload:
    check_options(opts)
    timeout = client_timeout(opts.latency)
    gen = LinKvGenerator(rng, opts.node_count, opts.concurrency)
    return Workload(name="lin-kv", client=lambda: LinKvClient(timeout), generator=gen,
                    check=check, reusable=True)

