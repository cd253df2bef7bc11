#!/usr/bin/env python3
"""A broken node: answers init, then exits on its first request."""
import json
import sys

for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    if body["type"] == "init":
        out = {"src": body["node_id"], "dest": msg["src"],
               "body": {"type": "init_ok", "in_reply_to": body["msg_id"]}}
        print(json.dumps(out), flush=True)
    else:
        print("giving up on", body["type"], file=sys.stderr, flush=True)
        sys.exit(3)
