"""A bare stdin/stdout Maelstrom loop for the fidelity nodes: they need to send what
maelstrom_node.py never would (float ids, another node's src, replies after a delay)."""
import json
import sys
import threading

_lock = threading.Lock()


def send(src: str, dest: str, body: dict) -> None:
    with _lock:
        sys.stdout.write(json.dumps({"src": src, "dest": dest, "body": body}) + "\n")
        sys.stdout.flush()


def reply(me: str, msg: dict, body: dict) -> None:
    send(me, msg["src"], dict(body, in_reply_to=msg["body"]["msg_id"]))


def run(handle) -> None:
    """Calls handle(me, msg) for every message after init (init is answered here)."""
    me = None
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["body"].get("type") == "init":
            me = msg["body"]["node_id"]
            reply(me, msg, {"type": "init_ok"})
            continue
        handle(me, msg)
