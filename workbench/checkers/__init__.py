"""Checkers shared by every workload (spec 8): perf, stats, availability, exceptions, and the
validity rule that combines them."""
