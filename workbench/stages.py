"""The Gossip Glomers stages and their official flags, read from the one table, stages.txt at
the repository's root (also read by run.sh): one stage a line,

    stage  workload  script  flags... [-- arguments for the script]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "stages.txt"


@dataclass(frozen=True)
class Stage:
    name: str
    workload: str
    script: str
    flags: list[str]
    args: list[str]  # for the script, after --

    def command(self) -> list[str]:
        """The workbench flags for this stage (the script by its path in the repository)."""
        return ["-w", self.workload, "--bin", self.script, *self.flags]

    def flag(self, name: str) -> str | None:
        """The value given to flag `name` (e.g. "--nemesis"), or None."""
        if name in self.flags:
            i = self.flags.index(name)
            return self.flags[i + 1] if i + 1 < len(self.flags) else None
        return None


def stages(table: Path = TABLE) -> dict[str, Stage]:
    """Every stage of `table`, in its order."""
    out: dict[str, Stage] = {}
    for line in table.read_text().splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        name, workload, script, *rest = words
        cut = rest.index("--") if "--" in rest else len(rest)
        out[name] = Stage(name, workload, script, rest[:cut], rest[cut + 1:])
    return out
