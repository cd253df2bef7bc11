#!/usr/bin/env python3
"""Wrong types: a unique-ids node that hands out n and then n.0 (equal in Python, distinct
under Clojure's =), so only a type-blind checker sees duplicates."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run  # noqa: E402

count = [0]


def handle(me, msg):
    if msg["body"]["type"] == "generate":
        n = count[0]
        count[0] += 1
        reply(me, msg, {"type": "generate_ok", "id": n // 2 if n % 2 == 0 else float(n // 2)})


run(handle)
