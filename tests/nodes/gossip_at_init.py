#!/usr/bin/env python3
"""The start-up race of Maelstrom's demo/ruby/pn_counter.rb, in the fewest lines: on init this
node sends `merge` to every peer before it answers init_ok, and it answers a `merge` with
its own id as src, which is null until its own init has arrived. A peer's merge read before
this node's init makes it write "src": null, a line Maelstrom cannot route: a broken run.
Whether that happens depends only on when each node is started and sent its init. Answers
`echo` too, so an echo test can run it. Standard library only, no node library."""
import json
import sys

node_id = None


def send(dest: str, body: dict) -> None:
    print(json.dumps({"src": node_id, "dest": dest, "body": body}), flush=True)


for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    if body["type"] == "init":
        node_id = body["node_id"]
        for peer in body["node_ids"]:
            if peer != node_id:
                send(peer, {"type": "merge", "value": {}})
        send(msg["src"], {"type": "init_ok", "in_reply_to": body["msg_id"]})
    elif body["type"] == "merge":
        send(msg["src"], {"type": "merge_ok"})
    elif body["type"] == "echo":
        send(msg["src"], {"type": "echo_ok", "echo": body["echo"],
                          "in_reply_to": body["msg_id"]})
