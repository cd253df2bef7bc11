"""State in a module beside tests/nodes/isolated.py: what a node imports from its own
directory is its own under --sim."""

seen: list[int] = []
