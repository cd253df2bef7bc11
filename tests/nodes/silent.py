#!/usr/bin/env python3
"""A broken node: reads everything and never answers, not even init."""
import sys

for _line in sys.stdin:
    pass
