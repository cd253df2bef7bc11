#!/usr/bin/env python3
"""Item 7 (issue 11): every node but n0 forwards client echoes to n0 unchanged, keeping the
client as src; n0 answers the client directly. Maelstrom never checks a node's src."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run, send  # noqa: E402


def handle(me, msg):
    if msg["body"]["type"] != "echo":
        return
    if me != "n0":
        send(msg["src"], "n0", msg["body"])
        return
    reply(me, msg, {"type": "echo_ok", "echo": msg["body"]["echo"]})


run(handle)
