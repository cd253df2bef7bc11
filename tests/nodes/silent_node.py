#!/usr/bin/env python3
"""A broken node built on maelstrom_node: it never answers init."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from maelstrom_node import Node  # noqa: E402

node = Node()
node._init = lambda msg: None  # type: ignore[method-assign]  # the breakage under test
node.run()
