"""Compact history builders for checker tests."""

from __future__ import annotations

from typing import Any


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
