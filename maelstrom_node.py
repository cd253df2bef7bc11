"""A small Maelstrom node: the stdin/stdout JSON message loop every challenge script shares.

A script makes a `Node`, registers one handler per message type and calls `run()`:

    node = Node()

    @node.handler("echo")
    def echo(msg):
        return {"type": "echo_ok", "echo": msg["body"]["echo"]}

    node.run()

A handler gets the whole message (`src`, `dest`, `body`) and returns the reply body, or
`None` when it replies later (`node.reply`) or never. It may be `async def`: it then runs as
a task and may `await node.call(...)`. Raising `RPCError(code, text)` answers with an error
body. `init` is handled here; unknown types get error 10 (not-supported); a handler that
crashes is logged to stderr and answered with error 13 (crash); a line that is not a JSON
message is logged to stderr and skipped. Nothing but protocol messages is ever written to
stdout.

Standard library only. One thread, one asyncio loop, no busy waiting: stdin is read when the
kernel says it is readable, and everything written during one turn of the loop leaves in one
write.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import sys
import time
import traceback
from typing import Any, Awaitable, Callable, Coroutine, cast

# Maelstrom's error codes (its resources/errors.edn).
TIMEOUT = 0
NODE_NOT_FOUND = 1
NOT_SUPPORTED = 10
TEMPORARILY_UNAVAILABLE = 11
MALFORMED_REQUEST = 12
CRASH = 13
ABORT = 14
KEY_DOES_NOT_EXIST = 20
KEY_ALREADY_EXISTS = 21
PRECONDITION_FAILED = 22
TXN_CONFLICT = 30

Body = dict[str, Any]
Message = dict[str, Any]
Handler = Callable[[Message], Any]

# One message as one compact JSON line (an encoder made once: json.dumps with separators
# builds a new one per call)
_encode = json.JSONEncoder(separators=(",", ":")).encode

class RPCError(Exception):
    """An error reply: raised by a handler to answer with it, or by `Node.call` on receipt."""

    def __init__(self, code: int, text: str = "") -> None:
        super().__init__(f"error {code}: {text}" if text else f"error {code}")
        self.code = code
        self.text = text

    def body(self) -> Body:
        return {"type": "error", "code": self.code, "text": self.text}


def log(*parts: Any) -> None:
    """Write one line to stderr (Maelstrom keeps it in node-logs/<node>.log)."""
    print(*parts, file=sys.stderr, flush=True)


class Node:
    """One Maelstrom node: handlers by message type, replies, sends, RPCs and timers."""

    def __init__(self) -> None:
        self.node_id: str = ""
        self.node_ids: list[str] = []
        self._handlers: dict[str, Handler] = {}
        self._on_init: list[Callable[[], None]] = []
        # This incarnation's msg_ids start past any an earlier one could have used (1,000 a
        # millisecond since its start), so that a peer's late reply to a request of a killed
        # incarnation never completes one of ours; and a reply counts only from the node we
        # asked.
        self._next_msg_id = time.time_ns() // 1_000_000 * 1000
        self._pending: dict[int, tuple[Callable[[Body], None], asyncio.TimerHandle | None,
                                       str]] = {}
        self._out: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._partial = b""
        self._sink: Callable[[list[str]], None] | None = None  # --sim: where lines go
        self._freshness: _Freshness | None = None  # see answer_clients_within

    # ---- registration ------------------------------------------------------------------

    def handler(self, msg_type: str) -> Callable[[Handler], Handler]:
        """Decorator: handle messages whose body type is `msg_type`."""

        def register(fn: Handler) -> Handler:
            self._handlers[msg_type] = fn
            return fn

        return register

    def on_init(self, fn: Callable[[], None]) -> Callable[[], None]:
        """Decorator: call `fn()` once `init` has set the node id (timers usually start here)."""
        self._on_init.append(fn)
        return fn

    # ---- sending -----------------------------------------------------------------------

    def send(self, dest: str, body: Body) -> None:
        """Fire and forget."""
        self._out.append(_encode({"src": self.node_id, "dest": dest, "body": body}))
        if len(self._out) == 1 and self._loop is not None:
            self._loop.call_soon(self._flush)

    def reply(self, request: Message, body: Body) -> None:
        """Answer `request` with `body` (adds `in_reply_to`); under `answer_clients_within`,
        not if the request comes from a client that may have given up on it."""
        if self._freshness is not None and self._freshness.too_late(request, self.now()):
            return
        msg_id = request["body"].get("msg_id")
        if msg_id is not None:
            body = dict(body, in_reply_to=msg_id)
        self.send(request["src"], body)

    def rpc(self, dest: str, body: Body, on_reply: Callable[[Body], None],
            timeout: float | None = None) -> int:
        """Send a request; call `on_reply(reply_body)` once, with the reply or, after
        `timeout` seconds, with an error body of code 0 (timeout). Returns the msg_id."""
        self._next_msg_id += 1
        msg_id = self._next_msg_id
        timer = None
        if timeout is not None:
            timer = self._require_loop().call_later(timeout, self._expire, msg_id)
        self._pending[msg_id] = (on_reply, timer, dest)
        self.send(dest, dict(body, msg_id=msg_id))
        return msg_id

    async def call(self, dest: str, body: Body, timeout: float = 1.0) -> Body:
        """`await` an RPC: the reply body, or RPCError for an error reply or a timeout."""
        future: asyncio.Future[Body] = self._require_loop().create_future()

        def resolve(reply: Body) -> None:
            if not future.done():
                future.set_result(reply)

        self.rpc(dest, body, resolve, timeout)
        reply = await future
        if reply.get("type") == "error":
            raise RPCError(reply.get("code", CRASH), reply.get("text", ""))
        return reply

    def answer_clients_within(self, seconds: float) -> None:
        """From now on, drop (and log) every answer to a client request (`src` starting with
        "c") that may be older than `seconds` by this node's clock, counting any stall of the
        node's loop (a SIGSTOP, a long handler) that the request may have waited through,
        and every answer to a request its client has sent a newer one after.

        A Maelstrom client gives up on a request after 5 s, and in the workloads whose clients
        are not reusable (broadcast, g-set, g-counter, pn-counter, kafka, echo) a client whose
        op ended indefinite leaves the network; a node that then answers it is cut off: its
        stdout is no longer read (Maelstrom's net.clj refuses a message to an unknown client,
        which ends process.clj's reader). Dropping the answer is always safe (the client's op
        is indefinite), and costs an answer the client might still have taken only when one
        comes within `5 - seconds` s of the deadline, or after a stall of about `seconds` or
        more (see _Freshness). Reusable clients (unique-ids, txn-rw-register, lin-kv) never
        leave, so their nodes need none of this."""
        self._freshness = _Freshness(seconds)
        if self._loop is not None:
            self._freshness.watch(self._loop)

    # ---- timers and tasks --------------------------------------------------------------

    def every(self, interval: float, fn: Callable[[], Any]) -> None:
        """Call `fn()` every `interval` seconds (first call after one interval)."""
        loop = self._require_loop()

        def tick() -> None:
            loop.call_later(interval, tick)
            self._run_guarded(fn)

        loop.call_later(interval, tick)

    def after(self, delay: float, fn: Callable[[], Any]) -> asyncio.TimerHandle:
        """Call `fn()` once, `delay` seconds from now."""
        return self._require_loop().call_later(delay, self._run_guarded, fn)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine in the background; a crash is logged, never silent."""
        task = self._require_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    # ---- the loop ----------------------------------------------------------------------

    def run(self) -> None:
        """Serve until stdin closes. (The workbench's --sim replaces this method on its own
        private copy of the module and serves the node through `serve_on` and `receive`.)"""
        asyncio.run(self._serve())

    def serve_on(self, loop: asyncio.AbstractEventLoop,
                 write: Callable[[list[str]], None]) -> None:
        """Serve on `loop`, which someone else runs (the workbench's --sim): input lines
        come through `receive`, and output lines go to `write(lines)` instead of stdout."""
        self._loop = loop
        self._sink = write

    def now(self) -> float:
        """Seconds on the node's event loop clock (monotonic; virtual under --sim)."""
        return self._require_loop().time()

    async def _serve(self) -> None:
        self._loop = loop = asyncio.get_running_loop()
        closed: asyncio.Future[None] = loop.create_future()
        fd = sys.stdin.fileno()
        os.set_blocking(fd, False)

        def readable() -> None:
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                loop.remove_reader(fd)
                if not closed.done():
                    closed.set_result(None)
                return
            lines = (self._partial + chunk).split(b"\n")
            self._partial = lines.pop()
            for line in lines:
                if line.strip():
                    self.receive(line)

        loop.add_reader(fd, readable)
        await closed
        self._flush()

    def receive(self, line: bytes | str) -> None:
        """Handle one input line: a reply to one of our RPCs, init, or a request for a
        handler (anything else is logged and skipped)."""
        try:
            msg = json.loads(line)
            body = msg["body"]
            msg_type = body["type"]
        except (ValueError, KeyError, TypeError):
            raw = line if isinstance(line, bytes) else line.encode()
            log(f"skipping a line that is not a Maelstrom message: {raw[:200]!r}")
            return
        if self._freshness is None:
            self._dispatch(msg, body, msg_type)
            return
        self._freshness.heard(self.now())
        try:
            self._dispatch(msg, body, msg_type)
        finally:
            self._freshness.handled(self.now())

    def _dispatch(self, msg: Message, body: Body, msg_type: str) -> None:
        in_reply_to = body.get("in_reply_to")
        if in_reply_to is not None and in_reply_to in self._pending \
                and self._pending[in_reply_to][2] == msg.get("src"):
            on_reply, timer, _ = self._pending.pop(in_reply_to)
            if timer is not None:
                timer.cancel()
            self._run_guarded(on_reply, body)
            return
        if msg_type == "init":
            self._init(msg)
            return
        if self._freshness is not None:
            msg = self._freshness.stamp(msg, self.now())
        fn = self._handlers.get(msg_type)
        if fn is None:
            if in_reply_to is None:  # a late reply is dropped quietly, a request answered
                err = RPCError(NOT_SUPPORTED, f"unknown message type {msg_type!r}")
                self._answer_error(msg, err)
            return
        try:
            result = fn(msg)
        except RPCError as err:
            self._answer_error(msg, err)
            return
        except Exception:
            log(f"handler for {msg_type!r} crashed on {msg!r}\n{traceback.format_exc()}")
            self._answer_error(msg, RPCError(CRASH, f"handler for {msg_type} crashed"))
            return
        if inspect.isawaitable(result):
            self.spawn(self._finish(msg, result))
        elif result is not None:
            self.reply(msg, result)

    async def _finish(self, msg: Message, pending: Awaitable[Any]) -> None:
        try:
            result = await pending
        except RPCError as err:
            self._answer_error(msg, err)
            return
        except Exception:
            log(f"handler for {msg['body']['type']!r} crashed\n{traceback.format_exc()}")
            self._answer_error(msg, RPCError(CRASH, "handler crashed"))
            return
        if result is not None:
            self.reply(msg, result)

    def _init(self, msg: Message) -> None:
        body = msg["body"]
        self.node_id = body["node_id"]
        self.node_ids = list(body["node_ids"])
        self.reply(msg, {"type": "init_ok"})
        if self._freshness is not None:
            self._freshness.watch(self._require_loop())
        for fn in self._on_init:
            self._run_guarded(fn)

    def _answer_error(self, msg: Message, err: RPCError) -> None:
        if msg["body"].get("msg_id") is not None:
            self.reply(msg, err.body())

    def _expire(self, msg_id: int) -> None:
        entry = self._pending.pop(msg_id, None)
        if entry is not None:
            self._run_guarded(entry[0], {"type": "error", "code": TIMEOUT, "text": "timed out"})

    def _run_guarded(self, fn: Callable[..., Any], *args: Any) -> None:
        try:
            result = fn(*args)
            if inspect.isawaitable(result):
                # create_task takes coroutines only: another awaitable raises TypeError,
                # logged below like any crash
                self.spawn(cast("Coroutine[Any, Any, Any]", result))
        except Exception:
            log(f"{getattr(fn, '__name__', fn)} crashed\n{traceback.format_exc()}")

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        exc = None if task.cancelled() else task.exception()
        if exc is not None:
            log("background task crashed\n"
                + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))

    def _flush(self) -> None:
        if not self._out:
            return
        if self._sink is not None:
            lines, self._out = self._out, []
            self._sink(lines)
            return
        data = ("\n".join(self._out) + "\n").encode()
        self._out.clear()
        fd = sys.stdout.fileno()
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(fd, view):]
            except BlockingIOError:  # stdout is a blocking pipe; this only guards odd setups
                continue

    def _require_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("the node is not running yet: call this from a handler or on_init")
        return self._loop


class _Request(dict[str, Any]):
    """A client request as a handler gets it, with the earliest time (node clock) at which
    it may have been sent."""

    received = 0.0


class _Freshness:
    """How old a client request may be, for `Node.answer_clients_within`.

    The loop is observed every TICK seconds (a timer) and at every message; a gap of more
    than TICK + STALL between two observations is a stall (the process was stopped, or
    busy). A request is stamped with a time no later than its sending:

    - normally the previous observation (it was read promptly);
    - after a stall, the stall's start (it may have waited in the pipe, or, simulated, in
      the node's queue, all along), until the backlog is read: until input pauses for
      QUIET seconds (what waited is readable at once when the node resumes, in the pipe or
      in a writer that refills the pipe as fast as it is read, so input that stops for a
      moment has run dry; simulated, it all comes at the instant of resuming), and at most
      DRAIN seconds. QUIET is shorter than any period at which a node's peers talk (kafka's
      syncs every 50 ms held a 50 ms QUIET's drain open to its end, and every request sent
      in it was dropped), and longer than a writer takes to refill the pipe;
    - but never earlier than our last answer to that client, when the request is newer than
      the one answered: a client sends its next request only once the previous one is done,
      by our answer or by its own timeout (5 s after it sent it, so after its stamp + 5 s).

    An answer goes out only to the client's newest request (it has given up on the others,
    so an answer to them is of no use and may be to a client that has left) and within
    `limit` seconds of its stamp. Cost: one timer every TICK; answers are dropped only in
    the last `5 - limit` seconds before the client's deadline, after a stall of about
    `limit` seconds or more, when it cannot be told whether the client is still there, and
    to requests read in a stall's drain (until input pauses, at most DRAIN s)."""

    TICK = 0.1
    STALL = 0.25
    QUIET = 0.02
    DRAIN = 0.5
    CLIENT_TIMEOUT = 5.0  # Maelstrom's client.clj default-timeout

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.seen = -1.0  # the last observation of the loop running (node clock)
        self.stall_from = self.stall_end = float("-inf")
        self.drained = float("-inf")  # when the last stall's backlog was read
        self.idle_from = float("-inf")  # when the last input was handled
        self.watching = False
        self.newest: dict[str, int] = {}  # client -> highest msg_id heard from it
        self.answered: dict[str, tuple[int, float, float]] = {}  # client -> (msg_id, when,
        #                                                            that request's stamp)

    def watch(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.watching:
            return
        self.watching = True
        self.seen = loop.time()

        def tick() -> None:
            self.observe(loop.time())
            loop.call_later(self.TICK, tick)

        loop.call_later(self.TICK, tick)

    def heard(self, now: float) -> None:
        """An input line is read (a request, a reply, a peer's message): if none came for
        QUIET seconds since the last stall ended, its backlog is over (unless this line
        ends a new stall, which its request's stamp or the next timer will note)."""
        if self.drained < self.stall_end <= now and now - self.seen <= self.TICK + self.STALL \
                and now - max(self.idle_from, self.stall_end) >= self.QUIET:
            self.drained = now

    def handled(self, now: float) -> None:
        """That input's handling is done: the node waits for input from now on."""
        self.idle_from = now

    def observe(self, now: float) -> float:
        """Note that the loop runs at `now`; the previous observation."""
        before = self.seen
        if self.watching and now - before > self.TICK + self.STALL:
            self.stall_from, self.stall_end = before, now
        self.seen = now
        return before

    def stamp(self, msg: Message, now: float) -> Message:
        src = msg.get("src")
        msg_id = msg["body"].get("msg_id")
        if not isinstance(src, str) or not src.startswith("c") or not isinstance(msg_id, int):
            return msg
        before = self.observe(now)
        if not self.watching:
            sent = now
        elif now - self.stall_end < self.DRAIN and self.drained < self.stall_end:
            sent = self.stall_from
        else:
            sent = min(before, now)
        last = self.answered.get(src)
        if last is not None and msg_id > last[0]:
            sent = max(sent, min(last[1], last[2] + self.CLIENT_TIMEOUT))
        if msg_id > self.newest.get(src, -1):
            self.newest[src] = msg_id
        request = _Request(msg)
        request.received = sent
        return request

    def too_late(self, request: Message, now: float) -> bool:
        """True (and logged) if the answer to `request` must not go out; else noted."""
        sent = getattr(request, "received", None)
        if sent is None:
            return False
        src, body = request["src"], request["body"]
        msg_id = body.get("msg_id")
        if msg_id < self.newest.get(src, -1):
            why = f"{src} has sent a newer request since"
        elif now - sent > self.limit:
            why = f"it may be {now - sent:.2f} s old, and a client gives up after 5 s"
        else:
            self.answered[src] = (msg_id, now, sent)
            return False
        log(f"not answering {src}'s {body.get('type')} (msg_id {msg_id}): {why}")
        return True


class KV:
    """A client for Maelstrom's key-value services: `lin-kv`, `seq-kv`, `lww-kv`."""

    def __init__(self, node: Node, service: str, timeout: float = 1.0) -> None:
        self.node = node
        self.service = service
        self.timeout = timeout

    async def read(self, key: Any, default: Any = KeyError) -> Any:
        """The value at `key`; `default` if it does not exist (else RPCError 20)."""
        try:
            reply = await self.node.call(self.service, {"type": "read", "key": key}, self.timeout)
        except RPCError as err:
            if err.code == KEY_DOES_NOT_EXIST and default is not KeyError:
                return default
            raise
        return reply["value"]

    async def write(self, key: Any, value: Any) -> None:
        await self.node.call(self.service, {"type": "write", "key": key, "value": value},
                             self.timeout)

    async def cas(self, key: Any, from_: Any, to: Any, create_if_not_exists: bool = False) -> None:
        """Set `key` to `to` if it holds `from_`; RPCError 22 (or 20) otherwise."""
        body = {"type": "cas", "key": key, "from": from_, "to": to}
        if create_if_not_exists:
            body["create_if_not_exists"] = True
        await self.node.call(self.service, body, self.timeout)


class WriteAheadLog:
    """A node's write-ahead log in a key-value service: record i under `<prefix>/<i>`.

    `append(entry)` returns once the entry is logged. Entries waiting together go out as one
    record, at most every `gap` seconds with one write in flight, and a failed write is
    retried as the same write (a timeout may have written it). Each record, once written, is
    handed to `on_logged(record)`. `start(replay)` (from `on_init`) reads the records back,
    hands each to `replay(record)`, then fences the first free index with an empty record
    written only if that key is free, so a dead incarnation's late write is found, replayed
    and passed over rather than lost. `ready` is done from then on."""

    def __init__(self, kv: KV, prefix: str, on_logged: Callable[[list[Any]], None],
                 gap: float = 0.01, window: int = 64) -> None:
        self.kv = kv
        self.prefix = prefix
        self.on_logged = on_logged
        self.gap = gap
        self.window = window  # records read back in parallel
        self.next = 0  # index of our next record
        self.ready: asyncio.Future[None] | None = None
        self._waiting: list[tuple[Any, asyncio.Future[None]]] = []
        self._busy = False
        self._timer: Any = None
        self._last = -1.0

    def key(self, i: int) -> str:
        return f"{self.prefix}/{i}"

    async def append(self, entry: Any) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((entry, done))
        self._schedule()
        await done

    def _schedule(self) -> None:
        if self._timer is None and not self._busy and self._waiting:
            delay = max(0.0, self._last + self.gap - self.kv.node.now())
            self._timer = self.kv.node.after(delay, self._write)  # after() runs it as a task

    async def _write(self) -> None:
        self._timer = None
        if self._busy or not self._waiting:
            return
        self._busy = True
        batch = list(self._waiting)
        self._waiting.clear()
        record = [e for e, _ in batch]
        try:
            while True:
                self._last = self.kv.node.now()
                try:
                    await self.kv.write(self.key(self.next), record)
                    break
                except RPCError as err:  # a timeout may have written it: the same write again
                    log(f"log write {self.key(self.next)} failed: {err}; again")
            self.next += 1
            self.on_logged(record)
            for _, done in batch:
                if not done.done():
                    done.set_result(None)
        finally:
            self._busy = False
        self._schedule()

    def start(self, replay: Callable[[list[Any]], None]) -> None:
        """Read the log back (in the background) and serve once it is fenced."""
        self.ready = asyncio.get_running_loop().create_future()
        self.kv.node.spawn(self._recover(replay))

    async def _recover(self, replay: Callable[[list[Any]], None]) -> None:
        i = 0
        while True:
            got = await asyncio.gather(*(self.read(k) for k in range(i, i + self.window)))
            for record in got:
                if record is None:
                    break
                replay(record)
                i += 1
            else:
                continue
            break
        while True:  # the fence: an empty record at the first free index, only if it is free
            try:
                await self.kv.cas(self.key(i), None, [], create_if_not_exists=True)
                break
            except RPCError as err:
                if err.code == PRECONDITION_FAILED:  # a dead incarnation's write landed
                    replay(await self.read(i) or [])
                    i += 1
                else:
                    log(f"fence {self.key(i)} failed: {err}; again")
        self.next = i + 1
        assert self.ready is not None
        self.ready.set_result(None)

    async def read(self, i: int) -> list[Any] | None:
        """Record i, or None if it was never written (retried until the service answers)."""
        while True:
            try:
                record: list[Any] | None = await self.kv.read(self.key(i), None)
                return record
            except RPCError as err:
                log(f"reading {self.key(i)} failed: {err}; again")
