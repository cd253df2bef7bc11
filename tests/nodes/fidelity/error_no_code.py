#!/usr/bin/env python3
"""Error bodies without an integer code (issue 11): a single-node broadcast store that answers
every other read with an error whose code is argv[1] as JSON ("null" drops the key, "\\"11\\"",
"11.0"). Maelstrom looks the code up in its error table, finds nothing, and treats the error
as an indefinite one named :unknown (a :fail for an idempotent read)."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawnode import reply, run  # noqa: E402

CODE = json.loads(sys.argv[1]) if len(sys.argv) > 1 else None
seen = []
reads = [0]


def handle(me, msg):
    t = msg["body"]["type"]
    if t == "topology":
        reply(me, msg, {"type": "topology_ok"})
    elif t == "broadcast":
        seen.append(msg["body"]["message"])
        reply(me, msg, {"type": "broadcast_ok"})
    elif t == "read":
        reads[0] += 1
        if reads[0] % 2:
            err = {"type": "error", "text": "no code"}
            if CODE is not None:
                err["code"] = CODE
            reply(me, msg, err)
        else:
            reply(me, msg, {"type": "read_ok", "messages": list(seen)})


run(handle)
