"""maelstrom_node.py, driven through a real process's stdin and stdout, and (for what takes
time: RPC timeouts, timers) run in this process on a VirtualLoop through Node.serve_on and
Node.receive, so that time is virtual and the assertions exact."""

from __future__ import annotations

import asyncio
import json
import runpy
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

import maelstrom_node
from workbench.clock import VirtualLoop, close

ROOT = Path(__file__).resolve().parent.parent
NODES = Path(__file__).resolve().parent / "nodes"


class Proc:
    """A node process with line-level helpers."""

    def __init__(self, script: Path) -> None:
        self.p = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        self._buf = b""

    def send(self, src: str, body: dict, dest: str = "n0") -> None:
        assert self.p.stdin is not None
        self.p.stdin.write(json.dumps({"src": src, "dest": dest, "body": body}).encode() + b"\n")
        self.p.stdin.flush()

    def send_raw(self, line: bytes) -> None:
        assert self.p.stdin is not None
        self.p.stdin.write(line)
        self.p.stdin.flush()

    def recv(self, timeout: float = 5.0) -> dict:
        assert self.p.stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no line from the node")
            ready, _, _ = select.select([self.p.stdout], [], [], left)
            if ready:
                chunk = self.p.stdout.read1(65536)  # type: ignore[attr-defined]
                if not chunk:
                    raise EOFError("node closed stdout")
                self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def init(self, node_id: str = "n0", node_ids: tuple = ("n0", "n1")) -> dict:
        self.send("c0", {"type": "init", "msg_id": 1, "node_id": node_id,
                         "node_ids": list(node_ids)})
        return self.recv()

    def close(self) -> str:
        self.p.kill()
        self.p.wait()
        assert self.p.stderr is not None and self.p.stdin and self.p.stdout
        err = self.p.stderr.read().decode()
        for pipe in (self.p.stdin, self.p.stdout, self.p.stderr):
            pipe.close()
        return err


class VirtualNode:
    """A node script run in this process on a VirtualLoop, through Node.serve_on and
    Node.receive: `send` hands it a line, `run_until(t)` runs the loop to virtual time t, and
    `out` holds each line it wrote, with the virtual time it was written."""

    def __init__(self, script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(maelstrom_node.Node, "run", lambda self: None)  # serve_on instead
        monkeypatch.setattr(sys, "path", list(sys.path))  # the script adds the root to it
        self.node: maelstrom_node.Node = runpy.run_path(str(script))["node"]
        self.loop = VirtualLoop()
        self.out: list[tuple[float, dict[str, Any]]] = []
        self.node.serve_on(self.loop, lambda lines: self.out.extend(
            (self.loop.time(), json.loads(line)) for line in lines))

    def send(self, src: str, body: dict, dest: str = "n0") -> None:
        self.node.receive(json.dumps({"src": src, "dest": dest, "body": body}))

    def init(self) -> None:
        self.send("c0", {"type": "init", "msg_id": 1, "node_id": "n0", "node_ids": ["n0", "n1"]})
        self.run_until(self.loop.time())

    def run_until(self, t: float) -> None:
        self.loop.run_until_complete(asyncio.sleep(t - self.loop.time()))

    def bodies(self) -> list[dict[str, Any]]:
        return [msg["body"] for _, msg in self.out]


@pytest.fixture
def virtual_probe(monkeypatch: pytest.MonkeyPatch) -> Iterator[VirtualNode]:
    node = VirtualNode(NODES / "probe.py", monkeypatch)
    yield node
    close(node.loop)


@pytest.fixture
def probe():
    proc = Proc(NODES / "probe.py")
    yield proc
    if proc.p.returncode is None:
        proc.close()


def test_init_ok_echoes_msg_id_and_sets_ids(probe: Proc) -> None:
    reply = probe.init("n0")
    assert reply == {"src": "n0", "dest": "c0", "body": {"type": "init_ok", "in_reply_to": 1}}


def test_echo_node_answers_with_the_same_value() -> None:
    proc = Proc(ROOT / "echo.py")
    try:
        proc.init()
        proc.send("c3", {"type": "echo", "msg_id": 0, "echo": {"nested": [1, "x"]}})
        reply = proc.recv()
        assert reply["dest"] == "c3"
        assert reply["body"] == {"type": "echo_ok", "echo": {"nested": [1, "x"]}, "in_reply_to": 0}
    finally:
        proc.close()


def test_unknown_type_gets_error_10_and_late_replies_are_ignored(probe: Proc) -> None:
    probe.init()
    probe.send("c1", {"type": "frobnicate", "msg_id": 7})
    assert probe.recv()["body"] == {"type": "error", "code": 10, "in_reply_to": 7,
                                    "text": "unknown message type 'frobnicate'"}
    # a reply nobody waits for is dropped, not answered with an error
    probe.send("n1", {"type": "whatever_ok", "in_reply_to": 99})
    probe.send("c1", {"type": "ticks", "msg_id": 8})
    assert probe.recv()["body"]["type"] == "ticks_ok"


def test_garbage_lines_are_logged_and_skipped(probe: Proc) -> None:
    probe.init()
    probe.send_raw(b"this is not json\n")
    probe.send_raw(b'{"src": "c1", "dest": "n0"}\n')
    probe.send("c1", {"type": "ticks", "msg_id": 2})
    assert probe.recv()["body"]["type"] == "ticks_ok"
    stderr = probe.close()
    assert "this is not json" in stderr


def test_rpc_reply_resolves_await(probe: Proc) -> None:
    probe.init()
    probe.send("c1", {"type": "probe", "msg_id": 5, "timeout": 2.0})
    ping = probe.recv()
    assert ping["dest"] == "n1" and ping["body"]["type"] == "ping"
    probe.send("n1", {"type": "pong", "in_reply_to": ping["body"]["msg_id"]})
    assert probe.recv()["body"] == {"type": "probe_ok", "got": "pong", "in_reply_to": 5}


def test_a_reply_counts_only_from_the_node_asked(probe: Proc) -> None:
    """A late reply from a peer to an earlier incarnation's request may carry one of our
    msg_ids: it must not complete our request to someone else."""
    probe.init()
    probe.send("c1", {"type": "probe", "msg_id": 5, "timeout": 2.0})
    ping = probe.recv()
    probe.send("lin-kv", {"type": "read_ok", "value": 1, "in_reply_to": ping["body"]["msg_id"]})
    probe.send("n1", {"type": "pong", "in_reply_to": ping["body"]["msg_id"]})
    assert probe.recv()["body"] == {"type": "probe_ok", "got": "pong", "in_reply_to": 5}


def test_a_later_incarnation_numbers_its_requests_past_an_earlier_one_s(monkeypatch) -> None:
    monkeypatch.setattr(maelstrom_node.time, "time_ns", lambda: 10 * 10**9)
    first = maelstrom_node.Node()  # started at 10 s, killed at 12 s after 50,000 requests
    ids = [first.rpc("n1", {"type": "ping"}, lambda _: None) for _ in range(50_000)]
    monkeypatch.setattr(maelstrom_node.time, "time_ns", lambda: 12 * 10**9)
    second = maelstrom_node.Node()
    assert second.rpc("n1", {"type": "ping"}, lambda _: None) > max(ids)


def test_rpc_timeout_raises_code_0_exactly_when_it_expires(virtual_probe: VirtualNode) -> None:
    v = virtual_probe
    v.init()
    v.send("c1", {"type": "probe", "msg_id": 5, "timeout": 0.2})
    v.run_until(0.199)
    assert [b["type"] for b in v.bodies()] == ["init_ok", "ping"]
    v.run_until(1.0)
    assert v.out[-1] == (0.2, {"src": "n0", "dest": "c1",
                               "body": {"type": "probe_ok", "code": 0, "in_reply_to": 5}})
    assert len(v.out) == 3


def test_rpc_reply_before_the_timeout_cancels_it(virtual_probe: VirtualNode) -> None:
    v = virtual_probe
    v.init()
    v.send("c1", {"type": "probe", "msg_id": 5, "timeout": 0.2})
    v.run_until(0.1)
    ping = v.bodies()[-1]
    v.send("n1", {"type": "pong", "in_reply_to": ping["msg_id"]})
    v.run_until(1.0)
    assert v.out[2:] == [(0.1, {"src": "n0", "dest": "c1",
                                "body": {"type": "probe_ok", "got": "pong", "in_reply_to": 5}})]


def test_kv_client_maps_missing_key_to_default(probe: Proc) -> None:
    probe.init()
    probe.send("c1", {"type": "kv_read", "msg_id": 3})
    req = probe.recv()
    assert req["dest"] == "seq-kv" and req["body"]["type"] == "read"
    assert req["body"]["key"] == "k"
    probe.send("seq-kv", {"type": "error", "code": 20, "text": "missing",
                          "in_reply_to": req["body"]["msg_id"]})
    assert probe.recv()["body"] == {"type": "kv_read_ok", "value": -1, "in_reply_to": 3}


def test_rpc_error_raised_by_handler_becomes_error_reply(probe: Proc) -> None:
    probe.init()
    probe.send("c1", {"type": "refuse", "msg_id": 4})
    assert probe.recv()["body"] == {"type": "error", "code": 22, "text": "no", "in_reply_to": 4}


def test_crashing_handler_answers_13_and_keeps_serving(probe: Proc) -> None:
    probe.init()
    probe.send("c1", {"type": "boom", "msg_id": 4})
    body = probe.recv()["body"]
    assert body["code"] == 13 and body["in_reply_to"] == 4
    probe.send("c1", {"type": "ticks", "msg_id": 5})
    assert probe.recv()["body"]["type"] == "ticks_ok"
    assert "ZeroDivisionError" in probe.close()


def test_periodic_timer_fires_once_per_interval(virtual_probe: VirtualNode) -> None:
    v = virtual_probe
    v.init()  # every(0.05) starts here, at 0: ticks at 0.05, 0.10, ...
    v.run_until(0.425)
    v.send("c1", {"type": "ticks", "msg_id": 9})
    v.run_until(1.025)
    v.send("c1", {"type": "ticks", "msg_id": 10})
    v.run_until(1.025)
    assert [b["ticks"] for b in v.bodies() if b["type"] == "ticks_ok"] == [8, 20]


def test_idle_node_waits_in_the_kernel_not_in_a_busy_loop() -> None:
    """With stdin open and nothing on it, the node sleeps in the kernel (process state S,
    waiting in select/epoll) instead of spinning; it is read from /proc, no time measured."""
    proc = Proc(ROOT / "echo.py")  # no timers of its own, so nothing wakes it
    try:
        proc.init()
        proc.send("c1", {"type": "echo", "msg_id": 2, "echo": 1})
        assert proc.recv()["body"]["type"] == "echo_ok"
        deadline = time.monotonic() + 10  # a guard against a hang, not a measurement
        while _state(proc.p.pid) != "S":
            assert time.monotonic() < deadline, "the idle node never went to sleep"
        assert {_state(proc.p.pid) for _ in range(200)} == {"S"}
        assert proc.p.poll() is None
    finally:
        proc.close()


def _state(pid: int) -> str:
    """The process state letter in /proc/<pid>/stat (R running, S sleeping, ...)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
