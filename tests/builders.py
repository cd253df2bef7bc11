"""Compact history builders for checker tests."""

from __future__ import annotations

from typing import Any, Callable


class H:
    """Build a history op by op: h.invoke(0, "read"); h.ok(0, "read", [1, 2])."""

    def __init__(self) -> None:
        self.ops: list[dict] = []
        self.t = 0

    def _add(self, type_: str, process: Any, f: str, value: Any, **extra: Any) -> dict:
        self.t += 1_000_000
        op = {"index": len(self.ops), "time": self.t, "type": type_, "process": process,
              "f": f, "value": value, **extra}
        self.ops.append(op)
        return op

    def invoke(self, p: Any, f: str, value: Any = None, **extra: Any) -> dict:
        return self._add("invoke", p, f, value, **extra)

    def ok(self, p: Any, f: str, value: Any = None, **extra: Any) -> dict:
        return self._add("ok", p, f, value, **extra)

    def fail(self, p: Any, f: str, value: Any = None, **extra: Any) -> dict:
        return self._add("fail", p, f, value, **extra)

    def info(self, p: Any, f: str, value: Any = None, **extra: Any) -> dict:
        return self._add("info", p, f, value, **extra)

    def call(self, p: Any, f: str, value: Any, result: Any, type_: str = "ok",
             **extra: Any) -> None:
        """An invocation and its completion, back to back."""
        self.invoke(p, f, value, **extra)
        self._add(type_, p, f, result, **extra)


class FakeRPC:
    """A workload client's RPC end (what workbench.client.Client offers): each call is answered
    with the next scripted reply, or with `answer(body)` for one made by `FakeRPC.answering`.
    A reply is a body, checked against the reply schema as the real client does, or an
    exception to raise. `sent` holds the request bodies, `timeouts` their timeouts."""

    def __init__(self, *replies: object) -> None:
        self.node = "n0"
        self.replies = list(replies)
        self.answer: Callable[[dict], object] | None = None
        self.sent: list[dict] = []
        self.timeouts: list[float] = []

    @classmethod
    def answering(cls, answer: Callable[[dict], object]) -> FakeRPC:
        """A FakeRPC that answers every body with `answer(body)`."""
        rpc = cls()
        rpc.answer = answer
        return rpc

    async def call(self, body: dict, timeout: float = 5.0, reply: Any = None) -> dict:
        self.sent.append(body)
        self.timeouts.append(timeout)
        got = self.answer(body) if self.answer is not None else self.replies.pop(0)
        if isinstance(got, BaseException):
            raise got
        if reply is not None:
            reply.check(got)
        return got  # type: ignore[return-value]
