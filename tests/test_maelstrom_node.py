"""maelstrom_node.py, driven through a real process's stdin and stdout."""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def test_rpc_timeout_raises_code_0(probe: Proc) -> None:
    probe.init()
    probe.send("c1", {"type": "probe", "msg_id": 5, "timeout": 0.2})
    assert probe.recv()["body"]["type"] == "ping"
    started = time.monotonic()
    reply = probe.recv()
    assert reply["body"] == {"type": "probe_ok", "code": 0, "in_reply_to": 5}
    assert time.monotonic() - started >= 0.15


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


def test_periodic_timer_fires(probe: Proc) -> None:
    probe.init()
    time.sleep(0.4)
    probe.send("c1", {"type": "ticks", "msg_id": 9})
    ticks = probe.recv()["body"]["ticks"]
    assert 3 <= ticks <= 12


def test_node_keeps_running_when_stdin_has_no_data_and_uses_no_cpu(probe: Proc) -> None:
    probe.init()
    time.sleep(0.5)
    assert probe.p.poll() is None
    cpu = _cpu_seconds(probe.p.pid)
    time.sleep(0.5)
    assert _cpu_seconds(probe.p.pid) - cpu < 0.1  # no busy loop


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0
