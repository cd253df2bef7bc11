#!/usr/bin/env python3
"""Issue 23: unique-ids where n1 hands out true and then false before its integers, n0
counts up from 0 and n2 down from -1: every id is distinct under Clojure's = (Python's
True == 1). Maelstrom's checker orders the ids with compare, which throws (a Boolean cannot
be cast to a Number): :unknown, exit 2. argv[1] "floats": n1 hands out n.0 beside n0's n,
distinct ids under =, a valid run in both (exit 0)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from maelstrom_node import Node  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else "bools"
node = Node()
count = [0]


@node.handler("generate")
def generate(msg):
    n = count[0]
    count[0] += 1
    if node.node_id != "n1":  # n0 counts up from 0, n2 down from -1
        return {"type": "generate_ok", "id": n if node.node_id == "n0" else -1 - n}
    if MODE == "floats":
        return {"type": "generate_ok", "id": float(n)}
    return {"type": "generate_ok", "id": [True, False][n] if n < 2 else 10**9 + n}


node.run()
