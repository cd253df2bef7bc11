"""A stage's flags from stages.txt (the one stage table), shortened for an end-to-end test."""

from __future__ import annotations

from workbench.stages import stages


def stage_flags(name: str, drop: tuple[str, ...] = (), **changes: str) -> list[str]:
    """The workbench flags of stage `name`: `changes` sets flags (time_limit="4" is
    --time-limit 4; a flag the stage lacks is added), `drop` removes flags with their values;
    the script's arguments (after "--") come last."""
    stage = stages()[name]
    flags = list(stage.flags)
    for flag in drop:
        if flag in flags:
            i = flags.index(flag)
            del flags[i:i + 2]
    for key, value in changes.items():
        flag = "--" + key.replace("_", "-")
        if flag in flags:
            flags[flags.index(flag) + 1] = value
        else:
            flags += [flag, value]
    tail = ["--", *stage.args] if stage.args else []
    return ["-w", stage.workload, "--bin", stage.script, *flags, *tail]
