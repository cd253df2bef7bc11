#!/usr/bin/env python3
"""A broken node: answers init, then prints a log line to stdout instead of stderr."""
import json
import sys

node = None
for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    if body["type"] == "init":
        node = body["node_id"]
        out = {"src": node, "dest": msg["src"],
               "body": {"type": "init_ok", "in_reply_to": body["msg_id"]}}
        print(json.dumps(out), flush=True)
    else:
        print(f"DEBUG got {body['type']}", flush=True)
