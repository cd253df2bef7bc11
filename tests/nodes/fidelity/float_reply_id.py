#!/usr/bin/env python3
"""Item 3 (issue 11): an echo node whose in_reply_to is the request's msg_id as a float
(3.0 for 3). Clojure's = tells 3 from 3.0, so Maelstrom matches no request."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import run, send  # noqa: E402


def handle(me, msg):
    if msg["body"]["type"] == "echo":
        send(me, msg["src"], {"type": "echo_ok", "echo": msg["body"]["echo"],
                              "in_reply_to": float(msg["body"]["msg_id"])})


run(handle)
