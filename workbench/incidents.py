"""What goes wrong during a run, as the node hosts report it: the warnings results.edn
keeps (the first 100), the nodes muted (as Maelstrom stops reading a node's stdout), and the
first NodeError, which ends the run (`guard` awaits a step unless that comes first)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable

from .errors import NodeError

log = logging.getLogger("maelstrom.core")
MAX_WARNINGS = 100


class Incidents:
    """The run's warnings, mutes and failure, shared by everything that runs its nodes."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.warnings: list[str] = []
        self.muted: list[dict[str, Any]] = []  # nodes whose output Maelstrom would stop reading
        self._failure: asyncio.Future[None] = loop.create_future()

    def fail(self, err: NodeError) -> None:
        """`err` ends the run (the first one does; later ones are the same breakage)."""
        if not self._failure.done():
            self._failure.set_exception(err)

    @property
    def failure(self) -> BaseException | None:
        """The NodeError that ended the run, if one did."""
        return self._failure.exception() if self._failure.done() else None

    def warn(self, text: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)
        log.warning(text)

    def mute(self, note: dict[str, Any]) -> None:
        self.muted.append(note)

    async def guard(self, step: Awaitable[Any]) -> Any:
        """Await `step`, unless a node breaks the run first (then raise its NodeError)."""
        task = asyncio.ensure_future(step)
        await asyncio.wait([task, self._failure], return_when=asyncio.FIRST_COMPLETED)
        if self._failure.done():
            task.cancel()
            try:
                await task
            except BaseException:
                pass
            self._failure.result()
        return task.result()
