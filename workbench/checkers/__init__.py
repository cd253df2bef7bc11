"""Checkers shared by every workload (Maelstrom's src/maelstrom/core.clj composes them): perf,
stats, availability, exceptions, and the
validity rule that combines them."""
