#!/usr/bin/env python3
"""Duplicates: an echo node that sends every echo_ok twice."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run  # noqa: E402


def handle(me, msg):
    if msg["body"]["type"] == "echo":
        for _ in range(2):
            reply(me, msg, {"type": "echo_ok", "echo": msg["body"]["echo"]})


run(handle)
