"""The simulation's event loop and how a test runs on it: clock.py's VirtualLoop with a gate
on everything scheduled (what a node schedules runs through its SimNode, so the nemesis can
drop a killed node's callbacks and hold a paused node's), and `simulate`, which runs a test's
coroutine on that loop with the process-wide hooks installed."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Coroutine

from ..clock import SimulationStalled, VirtualLoop, close
from ..errors import NodeError
from .hooks import CURRENT, Hooks, exception_handler

if TYPE_CHECKING:
    from typing_extensions import TypeVarTuple, Unpack

    _Ts = TypeVarTuple("_Ts")  # asyncio's callback arguments, as typeshed spells them

log = logging.getLogger("maelstrom.core")


def gate(callback: Any, args: tuple[Any, ...],
         context: contextvars.Context | None) -> tuple[Any, tuple[Any, ...]]:
    """What a node schedules runs through its `gated`, so the nemesis can drop (kill) or
    hold (pause) it; anything else runs as it is."""
    node = context.get(CURRENT) if context is not None else CURRENT.get()
    if node is None:
        return callback, args
    return node.gated, (node.incarnation, callback, *args)


class SimLoop(VirtualLoop):
    """A VirtualLoop whose callbacks and timers pass through `gate`."""

    def call_soon(self, callback: Callable[[Unpack[_Ts]], object], *args: Unpack[_Ts],
                  context: contextvars.Context | None = None) -> asyncio.Handle:
        gated, gated_args = gate(callback, args, context)
        return super().call_soon(gated, *gated_args, context=context)

    def call_at(self, when: float, callback: Callable[[Unpack[_Ts]], object], *args: Unpack[_Ts],
                context: contextvars.Context | None = None) -> asyncio.TimerHandle:
        gated, gated_args = gate(callback, args, context)
        return super().call_at(when, gated, *gated_args, context=context)


def simulate(main: Callable[[], Coroutine[Any, Any, None]], log_dir: Path) -> None:
    """Run the coroutine `main()` makes on a SimLoop, with the simulation's hooks installed
    (and removed after); a stall or a node's stray SystemExit becomes a NodeError."""
    hooks = Hooks()
    loop = SimLoop()
    loop.set_exception_handler(exception_handler)
    asyncio.set_event_loop(loop)
    hooks.install()
    try:
        try:
            loop.run_until_complete(main())
        except SimulationStalled as err:
            raise NodeError(f"The simulation stalled: {err}. Every node is waiting and no "
                            "timer is set.") from None
        except SystemExit as err:
            raise NodeError(f"A simulated node raised SystemExit({err.code}) outside a "
                            f"handler; see the node logs in {log_dir}") from None
    finally:
        try:
            close(loop)
        except BaseException as err:  # a node's clean-up must not hide the result
            log.warning("while stopping the simulation: %r", err)
        finally:
            hooks.remove()
            asyncio.set_event_loop(None)
