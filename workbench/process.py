"""Node processes: spawn the binary, pipe messages in and out, keep its stderr in
node-logs/<node>.log, and turn every way a node can break the run into a NodeError that
names the node, quotes the line and points at the log. `NodeHost` holds what a simulated
node (sim/node.py) shares with a real one: reading its output, and the fault verbs under
Jepsen's names (kill, start, pause, resume), which the two kinds carry out each their way."""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import signal
import tempfile
from pathlib import Path

from .errors import NodeError
from .incidents import Incidents
from .message import BadLine, Message, parse_message
from .network import Network, UnknownParticipant

LINE_LIMIT = 64 * 1024 * 1024
KEEP_LINES = 32
READ_SIZE = 1 << 18  # bytes of a node's stdout taken per wakeup

log = logging.getLogger("workbench.process")


def _trim(line: str, limit: int = 300) -> str:
    return line if len(line) <= limit else line[:limit] + f"... ({len(line)} chars)"


class NodeHost:
    """What every host of a node shares, real process or simulated: its id on the network,
    its log, the last lines it wrote, and turning each line it writes to stdout into a
    message on the network, or into the NodeError that ends the run."""

    def __init__(self, node_id: str, network: Network, log_dir: Path,
                 incidents: Incidents) -> None:
        self.id = node_id
        self.network = network
        self.log_path = log_dir / f"{node_id}.log"
        self.incidents = incidents
        self.fail = incidents.fail
        self.warn = incidents.warn
        self.stdout_tail: collections.deque[str] = collections.deque(maxlen=KEEP_LINES)
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=KEEP_LINES)
        self.stopping = False
        self.spoofed: set[str] = set()  # srcs other than its own it has sent as
        self.muted = False  # its stdout is no longer read (this incarnation)
        self.incarnation = 0  # how many times the nemesis restarted it
        self.running = False  # its process is up (not killed by the nemesis)
        self.paused = False

    def handle_line(self, line: str) -> bool:
        """Send what one stdout line says; False when the line broke the run (the host
        then stops reading this node)."""
        self.stdout_tail.append(line)
        if not line.strip():
            self.fail(self.error("wrote a blank line to stdout", line,
                                 "Maelstrom cannot parse an empty line; write one JSON "
                                 "message per line"))
            return False
        try:
            msg = parse_message(line)
        except BadLine as err:
            self.fail(self.error(f"wrote a line that is not a Maelstrom message "
                                 f"({err.reason}: {err.detail})", line,
                                 "stdout is for protocol messages only; log to stderr"))
            return False
        src, dest = msg["src"], msg["dest"]
        if src != self.id and src not in self.spoofed:
            # Maelstrom checks only that src is on the network (net.clj), so a proxy may
            # pass a client's message on as the client (its demo raft.py does): allowed,
            # and noted once per src.
            self.spoofed.add(src)
            self.warn(f"{self.id} sent a message as {src!r} (not its own id); Maelstrom "
                      f"allows this, and so does the workbench. Line: {_trim(line)}")
        try:
            self.network.send(src, dest, msg["body"], None if "id" in msg else line)
        except UnknownParticipant as err:
            if self.stopping:
                return False  # teardown: its peers are being killed and unregistered
            if err.role == "sender":
                self.fail(self.error(f"sent a message as {src!r}, which is not on the "
                                     "network", line, "use the node_id from init as src"))
                return False
            if err.was_registered:
                # As Maelstrom: the node's stdout reader fails on a message to a closed
                # client and nothing this node writes is read again (maelstrom.process).
                self.mute(f"it sent to {dest}, a client that had already closed (its "
                          "request had timed out)", line)
                return False
            self.fail(self.error(f"sent a message to {dest!r}, which does not exist",
                                 line, "valid destinations are the node ids from init, "
                                 "the src of a request, and the services"))
            return False
        return True

    def mute(self, why: str, line: str) -> None:
        """Stop reading this node's stdout, as Maelstrom does after a line it cannot send,
        and say so in the result."""
        self.muted = True
        note = {"node": self.id, "time": round(self.network.clock.now(), 6), "why": why,
                "line": _trim(line)}
        self.incidents.mute(note)
        self.warn(f"{self.id} is muted from {note['time']:.3f} s on: {why}; as Maelstrom "
                  f"does, nothing it writes is read after this line: {_trim(line)}")

    def log_stderr_line(self, line: str) -> None:
        self.stderr_tail.append(line)

    def error(self, what: str, line: str | None = None, hint: str = "") -> NodeError:
        """A NodeError naming this node, quoting `line`, with the likely cause and the
        last lines it wrote."""
        parts = [f"Node {self.id} {what}."]
        if line is not None:
            parts.append(f"  line: {_trim(line)}")
        if hint:
            parts.append(f"  likely cause: {hint}")
        parts.append(f"  node log: {self.log_path}")
        if self.stderr_tail:
            parts.append("  last stderr lines:\n" + "\n".join("    " + _trim(s)
                                                             for s in self.stderr_tail))
        if self.stdout_tail and line is None:
            parts.append("  last stdout lines:\n" + "\n".join("    " + _trim(s)
                                                             for s in self.stdout_tail))
        return NodeError("\n".join(parts))

    def exited(self, status: int) -> None:
        """The node ended by itself: a broken run unless the test is stopping."""
        if not self.stopping:
            self.fail(self.error(f"exited with status {status} before the test ended",
                                 hint="a node must keep running until it is killed, even "
                                      "when stdin closes or a handler fails"))

    # ---- set-up and teardown ----

    async def launch(self) -> None:
        """The first incarnation: start the node and put it on the network."""
        raise NotImplementedError

    async def stop(self) -> None:
        """Teardown: stop for good and leave the network."""
        raise NotImplementedError

    # ---- the faults, under Jepsen's names; each says what it did ----

    async def kill(self) -> str:
        """Kill the node outright; what reaches it until `start` is lost."""
        if not self.running:
            return "already-dead"
        self.running = self.paused = False
        self.network.down(self.id)
        await self._halt()
        self.mark("killed by the nemesis")
        return "killed"

    async def start(self) -> str:
        """A fresh incarnation of a killed node (nothing kept); not yet initialised."""
        if self.running:
            return "already-running"
        self.incarnation += 1
        self._renew()
        self.network.up(self.id)
        self.mark("started again by the nemesis")
        await self._begin()
        return "started"

    async def pause(self) -> str:
        """Stop the node: it takes and sends nothing; what is sent to it waits."""
        if not self.running or self.paused:
            return "not-running" if not self.running else "already-paused"
        self._freeze()
        self.network.pause(self.id)
        self.paused = True
        self.mark("paused by the nemesis")
        return "paused"

    async def resume(self) -> str:
        if not self.paused:
            return "not-paused"
        self.paused = False
        await self._wake()
        self.mark("resumed by the nemesis")
        return "resumed"

    # ---- what each kind of host does for them ----

    async def _halt(self) -> None:
        """End this incarnation at once."""
        raise NotImplementedError

    def _renew(self) -> None:
        """Forget the last incarnation (before `_begin`)."""

    async def _begin(self) -> None:
        """Start an incarnation (sets `running`; clears it if the node ended at once)."""
        raise NotImplementedError

    def _freeze(self) -> None:
        """Stop the node's code from running (pause)."""

    def _thaw(self) -> None:
        """Let it run again (resume)."""

    async def _wake(self) -> None:
        """Resume: let it run again, then let the network deliver to it again."""
        self._thaw()
        self.network.resume(self.id)

    def mark(self, what: str) -> None:
        """A line in the node's log between incarnations (kill, restart, pause, resume)."""
        try:
            with self.log_path.open("ab") as f:
                f.write(f"=== {self.id} {what} (incarnation {self.incarnation}) at "
                        f"{self.network.clock.now():.3f} s ===\n".encode())
        except OSError:
            pass


class NodeProcess(NodeHost):
    """One copy of the node binary in its own process, registered as `node_id`."""

    def __init__(self, node_id: str, command: list[str], network: Network, log_dir: Path,
                 incidents: Incidents, log_stderr: bool = False) -> None:
        super().__init__(node_id, network, log_dir, incidents)
        self.command = command
        self.log_stderr = log_stderr
        self.proc: asyncio.subprocess.Process | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._early: list[Message] = []  # delivered before the first process was up
        # lines for its stdin, written together at the loop's next turn: one write for all
        # the messages delivered to it in one turn, not one each
        self._out: list[bytes] = []
        self._out_proc: asyncio.subprocess.Process | None = None

    async def launch(self) -> None:
        # on the network first, as Maelstrom's process.clj adds the node before it spawns
        # the binary; what reaches it before the process is up waits for it (_early)
        self.network.register(self.id, self.deliver)
        await self._begin()
        early, self._early = self._early, []
        for msg in early:
            self.deliver(msg)

    async def _begin(self) -> None:
        self.muted = False  # a new process's output is read again
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, limit=LINE_LIMIT, start_new_session=True,
                cwd=tempfile.gettempdir())  # as Maelstrom: nodes run in the temp directory
        except OSError as err:
            raise NodeError(f"could not start node {self.id}: {' '.join(self.command)}: "
                            f"{err.strerror or err}") from None
        self.running = True
        loop = asyncio.get_running_loop()
        proc = self.proc
        self._tasks = [loop.create_task(self._read_stdout(proc)),
                       loop.create_task(self._read_stderr(proc)),
                       loop.create_task(self._watch(proc))]

    def deliver(self, msg: Message) -> None:
        proc = self.proc
        if proc is None and not self.stopping and self.incarnation == 0:
            self._early.append(msg)
            return
        if proc is None or proc.stdin is None or proc.returncode is not None:
            return
        if self._out_proc is not proc:  # lines queued for an earlier process are lost with it
            self._out.clear()
            self._out_proc = proc
        if not self._out:
            asyncio.get_running_loop().call_soon(self._flush)
        self._out.append(msg.to_json().encode())

    def _flush(self) -> None:
        proc, lines = self._out_proc, self._out
        if not lines:
            return
        self._out = []
        if proc is not self.proc or proc is None or proc.stdin is None \
                or proc.returncode is not None:
            return
        lines.append(b"")
        try:
            proc.stdin.write(b"\n".join(lines))
        except (ConnectionError, RuntimeError):
            pass  # the exit watcher reports the crash

    async def _read_stdout(self, proc: asyncio.subprocess.Process) -> None:
        """Every complete line that has arrived, in order, per wakeup."""
        assert proc.stdout is not None
        reader = proc.stdout
        partial = b""
        while True:
            chunk = await reader.read(READ_SIZE)
            if not chunk:  # EOF: an unterminated last line is still a line
                if partial:
                    self.handle_line(partial.decode(errors="replace"))
                return
            lines = chunk.split(b"\n")
            if partial:
                lines[0] = partial + lines[0]
            partial = lines.pop()
            if len(lines[0] if lines else partial) > LINE_LIMIT:
                self.fail(self.error(f"wrote a stdout line longer than {LINE_LIMIT} bytes"))
                return
            for raw in lines:
                if not self.handle_line(raw.decode(errors="replace")):
                    return

    async def _read_stderr(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stderr is not None
        reader = proc.stderr
        with self.log_path.open("ab", buffering=0) as out:
            while True:
                try:
                    raw = await reader.readline()
                except ValueError:
                    raw = await reader.read(LINE_LIMIT)
                if not raw:
                    return
                out.write(raw)
                line = raw.decode(errors="replace").rstrip("\n")
                self.log_stderr_line(line)
                if self.log_stderr:
                    logging.getLogger(f"{self.id} stderr").info(line)

    async def _watch(self, proc: asyncio.subprocess.Process) -> None:
        status = await proc.wait()
        if not self.stopping and proc is self.proc and self.running:
            await asyncio.sleep(0.05)  # let the readers catch the last lines
            self.exited(status)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def _halt(self) -> None:
        await self._stop_process()

    def _freeze(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def _thaw(self) -> None:
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, signal.SIGCONT)
        except ProcessLookupError:
            pass

    async def _wake(self) -> None:
        """What waited for the node goes into its stdin before it runs again: in Maelstrom
        the node's stdin thread goes on writing into the pipe while the process is stopped
        (src/maelstrom/process.clj), so a resumed node finds its backlog there at once, and
        a node that tells its backlog by the pause in input after it (maelstrom_node.py's
        drain) must not see fresh-looking input arrive after its first timer has run."""
        self.network.resume(self.id)
        await asyncio.sleep(0)  # the network hands over everything due (inline, one turn)
        self._flush()
        self._thaw()

    async def _stop_process(self) -> None:
        """SIGKILL the process group and let the readers drain what it wrote."""
        proc = self.proc
        if proc is not None and proc.returncode is None:
            try:
                os.killpg(proc.pid, 9)
            except ProcessLookupError:
                pass
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except asyncio.TimeoutError:
                log.warning("node %s did not die within 5 s of SIGKILL", self.id)
        for task in self._tasks:
            if not task.done():
                try:
                    await asyncio.wait_for(task, 1)
                except (asyncio.TimeoutError, asyncio.CancelledError):
                    task.cancel()

    async def stop(self) -> None:
        self.stopping = True
        await self._stop_process()
        self.network.unregister(self.id)
