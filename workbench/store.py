"""The store: store/<workload>/<timestamp>/ per run, with latest/current links (Jepsen's
jepsen/store.clj)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path


def new_run_dir(root: Path, workload: str) -> Path:
    stamp = datetime.datetime.now().astimezone().strftime("%Y%m%dT%H%M%S.%f")[:-3]
    stamp += datetime.datetime.now().astimezone().strftime("%z")
    run_dir = root / workload / stamp
    n = 1
    while run_dir.exists():
        run_dir = root / workload / f"{stamp}-{n}"
        n += 1
    (run_dir / "node-logs").mkdir(parents=True)
    link(root / "current", run_dir)
    return run_dir


def new_stamped_dir(root: Path) -> Path:
    """A new folder root/<local time to the second> (with -1, -2, ... if taken): where a
    sweep or a shrink keeps what it writes."""
    stamp = datetime.datetime.now().astimezone().strftime("%Y%m%dT%H%M%S")
    path = root / stamp
    n = 1
    while path.exists():
        path = root / f"{stamp}-{n}"
        n += 1
    path.mkdir(parents=True)
    return path


def link(at: Path, target: Path) -> None:
    """Point the symlink `at` at `target` (relative), replacing it atomically."""
    rel = os.path.relpath(target, at.parent)
    tmp = at.with_name(at.name + ".tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(rel, tmp)
    os.replace(tmp, at)


def mark_latest(root: Path, run_dir: Path) -> None:
    link(root / "latest", run_dir)
    link(run_dir.parent / "latest", run_dir)
    link(root / "current", run_dir)
