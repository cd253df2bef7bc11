"""The simulator (`--sim`), all of it: every node runs inside the workbench's own process, on the
run's virtual-time event loop, so a whole test takes as long as its work, and the same seed
gives the same run, message for message.

Each node executes the script afresh, as `__main__`, with its own module globals, its own
`sys.argv` while the script loads, and its own private copies of `maelstrom_node` and of any
module imported from the script's own directory (so no state is shared between nodes by
reference). The private `maelstrom_node` gets its `Node.run` replaced, so that the node is
handed to its `SimNode` (which serves it through `Node.serve_on`/`Node.receive`) instead of
reading stdin; the node library itself knows nothing of the simulator. Messages still cross
the network as JSON text in both directions: a line that is not a Maelstrom message, or a
send to nobody, breaks the run exactly as it does in real mode, with the same errors and
exit codes.

While a node's code runs (its script, its handlers, its timers and tasks, which all carry its
`contextvars` context), the process-wide functions below answer for that node:

    time.monotonic/perf_counter   virtual seconds (and the _ns forms)
    time.time                     2026-01-01T00:00:00Z plus virtual seconds
    time.sleep                    moves virtual time on (the node stalls the whole cluster)
    random.*, os.urandom          the node's own stream, seeded from the run's seed
    sys.stdout / sys.stderr       the node's protocol output / its node log
    sys.exit, os._exit            the node exits (a broken run, as in real mode)
    threading.Thread.start        refused: threads cannot be simulated

Outside a node's code they are the real ones. Python's string hashing must also be fixed for
byte-for-byte repeatable runs: `python -m workbench test --sim` re-executes itself with
PYTHONHASHSEED=0 (see __main__.py).

Each message a node handles costs it `NODE_COST` of virtual time, one message at a time (a
serial CPU per node; see network.py), so ops sent to a busy node queue, and a client op
against a node with no latency costs about two deliveries' worth, not zero.

The package:

    scripts.py   can a script be simulated (read, not run)
    hooks.py     the process-wide replacements above, and the loop's exception handler
    node.py      SimNode: one node's script, modules, incarnations, kill and pause
    loop.py      SimLoop (VirtualLoop with the kill/pause gate) and `simulate`, which runs a
                 test on it
"""

from __future__ import annotations

from .hooks import EPOCH, NodeExit
from .loop import SimLoop, simulate
from .node import NODE_COST, SimNode
from .scripts import unsimulable

__all__ = ["EPOCH", "NODE_COST", "NodeExit", "SimLoop", "SimNode", "simulate", "unsimulable"]
