#!/usr/bin/env python3
"""Item 1 (issue 11): an echo node that answers its first echo 5.5 s late, after the client
gave up (Maelstrom's echo client is not reusable, so it was closed), then answers at once."""
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run  # noqa: E402

first = [True]


def handle(me, msg):
    if msg["body"]["type"] != "echo":
        return
    body = {"type": "echo_ok", "echo": msg["body"]["echo"]}
    if first[0]:
        first[0] = False
        threading.Timer(5.5, reply, (me, msg, body)).start()
        return
    reply(me, msg, body)


run(handle)
