"""Maelstrom's RPC client (Maelstrom's src/maelstrom/client.clj): one request at a time, replies
matched by in_reply_to,
reply bodies checked against the workload's closed schema, errors turned into op outcomes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable, TypeGuard

from .edn import Keyword
from .errors import error_code
from .message import Body, Message
from .network import Network

if TYPE_CHECKING:
    from .history import Op

DEFAULT_TIMEOUT = 5.0


class RPCTimeout(Exception):
    """Raised when no reply arrived before the deadline."""


class RPCError(Exception):
    """Raised for an error reply; `definite` from Maelstrom's error table."""

    def __init__(self, code: int, text: Any, body: Body) -> None:
        entry = error_code(code)
        super().__init__(f"{entry.name} ({code}): {text}")
        self.code, self.text, self.body = code, text, body
        self.name, self.definite = entry.name, entry.definite


class MalformedReply(Exception):
    """Raised when a reply does not fit the workload's schema (extra keys, wrong types)."""


# ---- schemas ------------------------------------------------------------------------------

Check = Callable[[Any], bool]


def is_int(x: Any) -> TypeGuard[int]:
    return isinstance(x, int) and not isinstance(x, bool)


def is_any(x: Any) -> bool:
    return True


def is_str(x: Any) -> bool:
    return isinstance(x, str)


def list_of(check: Check) -> Check:
    return lambda x: isinstance(x, list) and all(check(i) for i in x)


def list_or_nil(check: Check) -> Check:
    """A list of `check`, or null: a Prismatic Schema vector schema such as `[s/Any]` accepts
    nil (Maelstrom's replies from Go nodes send null for an empty slice). A vector schema with
    required `s/one` elements (a fixed-length tuple) does not; use list_of there."""
    inner = list_of(check)
    return lambda x: x is None or inner(x)


def map_of(key: Check, value: Check) -> Check:
    return lambda x: isinstance(x, dict) and all(key(k) and value(v) for k, v in x.items())


@dataclass(frozen=True)
class Reply:
    """A reply schema: its type and its fields (name -> check). Maps are closed."""

    type: str
    fields: dict[str, Check]
    doc: str = ""

    def check(self, body: Body) -> None:
        if body.get("type") != self.type:
            raise MalformedReply(f"expected a reply of type {self.type!r}, got "
                                 f"{body.get('type')!r} in {body!r}")
        allowed = set(self.fields) | {"type", "in_reply_to", "msg_id"}
        extra = sorted(set(body) - allowed)
        if extra:
            raise MalformedReply(f"{self.type} has unexpected key(s) {', '.join(extra)}: "
                                 f"{body!r}; Maelstrom's schemas are closed, allowed keys are "
                                 f"{sorted(allowed)}")
        for name, check in self.fields.items():
            if name not in body:
                raise MalformedReply(f"{self.type} lacks {name!r}: {body!r}")
            if not check(body[name]):
                raise MalformedReply(f"{self.type} field {name!r} has the wrong type: "
                                     f"{body[name]!r}")
        if "msg_id" in body and not is_int(body["msg_id"]):
            raise MalformedReply(f"msg_id must be an integer: {body!r}")


# ---- the client -----------------------------------------------------------------------------


class Client:
    """A network participant `cN` talking to one node."""

    def __init__(self, network: Network, client_id: str, node: str) -> None:
        self.network = network
        self.id = client_id
        self.node = node
        self._next_msg_id = 0
        self._waiting: tuple[int, asyncio.Future[Body | None]] | None = None
        network.register(client_id, self._deliver)

    def _deliver(self, msg: Message) -> None:
        waiting = self._waiting
        in_reply_to = msg.body.get("in_reply_to") if isinstance(msg.body, dict) else None
        # As Clojure's =: 3.0 is not 3, so a float in_reply_to answers nothing (the request
        # times out, as in Maelstrom)
        if waiting is not None and type(in_reply_to) is int and in_reply_to == waiting[0]:
            if not waiting[1].done():
                waiting[1].set_result(msg.body)

    async def call(self, body: Body, timeout: float = DEFAULT_TIMEOUT,
                   reply: Reply | None = None) -> Body:
        """Send `body` to the node; the reply body, or RPCTimeout / RPCError / MalformedReply."""
        if self._waiting is not None:
            raise RuntimeError(f"client {self.id} already has a request in flight")
        self._next_msg_id += 1
        msg_id = self._next_msg_id
        future: asyncio.Future[Body | None] = asyncio.get_running_loop().create_future()
        self._waiting = (msg_id, future)
        timeouts = self.network.clock.timeouts(timeout)
        timer = timeouts.add(lambda: _expire(future))
        try:
            self.network.send(self.id, self.node, dict(body, msg_id=msg_id))
            got = await future
        finally:
            timeouts.cancel(timer)
            self._waiting = None
        if got is None:
            raise RPCTimeout(f"no reply from {self.node} to {body.get('type')} within "
                             f"{timeout * 1000:.0f} ms")
        if got.get("type") == "error":
            code = got.get("code")
            # Maelstrom takes an error without an integer code as an unknown, indefinite
            # error (a :fail for idempotent ops, else :info)
            raise RPCError(code if is_int(code) else -1, got.get("text"), got)
        if reply is not None:
            reply.check(got)
        return got

    def close(self) -> None:
        self.network.unregister(self.id)


def _expire(future: asyncio.Future[Body | None]) -> None:
    if not future.done():
        future.set_result(None)


# ---- outcomes -------------------------------------------------------------------------------


def exception_data(err: BaseException) -> dict[str, Any]:
    """What the history keeps of an exception (Maelstrom keeps Java's :via/:cause)."""
    return {"type": Keyword(type(err).__name__), "message": str(err)}


def indeterminate(op: Op, err: BaseException) -> Op:
    """An :info completion for an exception outside error mapping (Maelstrom's
    src/maelstrom/client.clj with-errors)."""
    return dict(op, type="info", exception=exception_data(err),
                error=f"indeterminate: {err}")


async def with_errors(op: Op, idempotent: frozenset[str], invoke: Awaitable[Op]) -> Op:
    """Await `invoke` (a coroutine giving the :ok completion) and map failures as Maelstrom's
    with-errors does: timeouts and indefinite errors are :fail for idempotent fs, else :info;
    definite errors are :fail; malformed replies are :info with the exception."""
    try:
        return await invoke
    except RPCTimeout:
        return dict(op, type="fail" if op["f"] in idempotent else "info",
                    error=Keyword("net-timeout"))
    except RPCError as err:
        kind = "fail" if err.definite or op["f"] in idempotent else "info"
        return dict(op, type=kind, error=[Keyword(err.name), err.text])
    except MalformedReply as err:
        return indeterminate(op, err)
