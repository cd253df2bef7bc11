"""One random stream per concern, each derived from the run's seed.

With a single shared generator, a timing difference anywhere (one more latency draw because
a message was sent a little earlier) shifts every later draw of every other concern. Here
each concern draws from its own stream, so the op values, the nemesis schedule and its
targets depend only on the seed and on how many draws that concern made before:

    workload   op values and mixes (the workload's generators)
    stagger    gaps between ops under --rate
    threads    which free worker thread takes an op
    nemesis    the partition schedule (gaps, kinds of partition)
    db-nemesis the kill and pause schedule (gaps, which fault, target specs)
    targets    what each fault hits (partition grudges, nodes to kill or pause)
    latency    network latencies
    services   seq-kv and lww-kv's choices
    node:<id>:<n>  a simulated node's `random` (incarnation n)

A stream is `random.Random` seeded with a string, which Python hashes with SHA-512: the same
in every process, whatever PYTHONHASHSEED is.
"""

from __future__ import annotations

import random

CONCERNS = ("workload", "stagger", "threads", "nemesis", "db-nemesis", "targets", "latency",
            "services")


class Seeds:
    def __init__(self, seed: int) -> None:
        self.seed = seed

    def stream(self, concern: str) -> random.Random:
        """A fresh generator for `concern`; the same seed and concern give the same draws."""
        return random.Random(f"workbench/{self.seed}/{concern}")
