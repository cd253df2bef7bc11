"""One random stream per concern, each derived from the run's seed, each handed out once.

With a single shared generator, a timing difference anywhere (one more latency draw because
a message was sent a little earlier) shifts every later draw of every other concern. Here
each concern draws from its own stream, so the op values, the nemesis schedule and its
targets depend only on the seed and on how many draws that concern made before. The
concerns (CONCERNS):

    workload   op values and mixes (the workload's generators)
    stagger    gaps between ops under --rate
    threads    which free worker thread takes an op
    nemesis    the partition schedule (gaps, kinds of partition)
    db-nemesis the kill and pause schedule (gaps, which fault, target specs)
    targets    what each fault hits (partition grudges, nodes to kill or pause)
    latency    network latencies
    services   seq-kv and lww-kv's choices

and one family, `node:<id>:<n>`, a simulated node's `random` (incarnation n).

A stream is `random.Random` seeded with a string, which Python hashes with SHA-512: the same
in every process, whatever PYTHONHASHSEED is. A name outside these is refused (a misspelt
one would silently start a stream of its own), and so is a name already taken (a second
stream of it would repeat the first one's draws).
"""

from __future__ import annotations

import random
import re

CONCERNS = ("workload", "stagger", "threads", "nemesis", "db-nemesis", "targets", "latency",
            "services")
NODE_STREAM = re.compile(r"node:[^:\s]+:\d+")  # node:<id>:<incarnation>


class Seeds:
    """The run's streams: `stream(concern)` once per concern."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.taken: set[str] = set()

    def stream(self, concern: str) -> random.Random:
        """The generator for `concern`; the same seed and concern give the same draws.

        Raises:
            ValueError: `concern` is neither in CONCERNS nor `node:<id>:<n>`, or was taken.
        """
        if concern not in CONCERNS and not NODE_STREAM.fullmatch(concern):
            raise ValueError(f"no random stream named {concern!r}: the streams are "
                             f"{', '.join(CONCERNS)} and node:<id>:<n>")
        if concern in self.taken:
            raise ValueError(f"the random stream {concern!r} was already handed out; a second "
                             f"one would repeat its draws (give the new use a name of its own)")
        self.taken.add(concern)
        return random.Random(f"workbench/{self.seed}/{concern}")
