#!/usr/bin/env python3
"""Not linearizable with several nodes: each node keeps its own copy of every key and never
talks to the others (lin_kv_single.py's handlers, one dict per node)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lin_kv_single import node  # noqa: E402

if __name__ == "__main__":
    node.run()
