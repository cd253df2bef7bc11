"""Benchmark: how often a start-up race fires in real mode. tests/nodes/gossip_at_init.py has
the race of Maelstrom's demo/ruby/pn_counter.rb (a peer's `merge` read before the node's own
init: it answers with "src": null, and the run breaks, exit 255). Whether it fires depends on
when each node is started and sent init (db.py's setup). Prints, per node count, how many
seeded real runs of a short echo test broke so, out of how many.

Maelstrom's ruby demo itself can be measured the same way where ruby is installed, from a
copy of Maelstrom's demo/ruby/ (not in this repository): `--bin DIR/pn_counter.rb -w
g-counter --time-limit 2` (its race is also inside the node: each message is handled on a
thread of its own, so a merge read just after init can still be answered first).

    .venv/bin/python bench/startup_race.py [--seeds 20] [--nodes 3,25] [--time-limit 1]
                                           [--bin NODE] [-w WORKLOAD]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import LOCK, ROOT

NODE = "tests/nodes/gossip_at_init.py"


def run(flags: list[str], seed: int, store: Path) -> tuple[int, str]:
    """One real run (under the shared lock, as bench/common.py's run_test): (exit, stderr)."""
    cmd = [sys.executable, "-m", "workbench", "test", *flags, "--seed", str(seed),
           "--store", str(store), "--quiet"]
    if shutil.which("flock"):
        cmd = ["flock", LOCK, *cmd]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    return proc.returncode, proc.stderr


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--nodes", default="3,25")
    parser.add_argument("--time-limit", default="1")
    parser.add_argument("--bin", default=NODE)
    parser.add_argument("-w", "--workload", default="echo")
    args = parser.parse_args()
    print(f"{args.bin} ({args.workload})")
    print(f"{'nodes':>5} {'runs':>5} {'broken (src null)':>18} {'other exits':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for count in (int(n) for n in args.nodes.split(",")):
            broken, other = 0, []
            for seed in range(1, args.seeds + 1):
                code, err = run(["-w", args.workload, "--bin", args.bin, "--node-count",
                                 str(count), "--time-limit", args.time_limit, "--rate", "10"],
                                seed, Path(tmp) / f"{count}-{seed}")
                if code == 255 and '"src":null' in err.replace(" ", ""):
                    broken += 1
                elif code not in (0, 1):
                    other.append(code)
            print(f"{count:>5} {args.seeds:>5} {broken:>18} {','.join(map(str, other)) or '-':>12}")


if __name__ == "__main__":
    main()
