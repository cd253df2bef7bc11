"""The fault packages a run can use, in order (partition, then kill and pause), and lookups
over them: which package serves a --nemesis fault, which carries out an :f, every Perf.
Adding a fault is `register(package)`; tests that add one remove it with `unregister`."""

from __future__ import annotations

from . import kill_pause, partition
from .package import Op, Package, Perf

PACKAGES: list[Package] = [partition.PACKAGE, kill_pause.PACKAGE]


def register(package: Package) -> Package:
    """Add `package` after the others; its faults and :f's must be new."""
    taken = set(fault_names()) & set(package.faults)
    clash = set(op_names()) & set(package.ops)
    if taken or clash:
        raise ValueError(f"already registered: {', '.join(sorted(taken | clash))}")
    PACKAGES.append(package)
    return package


def unregister(package: Package) -> None:
    PACKAGES.remove(package)


def fault_names() -> list[str]:
    """Every --nemesis fault, in package order."""
    return [f for p in PACKAGES for f in p.faults]


def op_names() -> list[str]:
    """Every nemesis :f a package carries out."""
    return [f for p in PACKAGES for f in p.ops]


def op(f: str) -> Op | None:
    """How :f is carried out (None: no package does it)."""
    for p in PACKAGES:
        if f in p.ops:
            return p.ops[f]
    return None


def package_of(f: str) -> Package | None:
    for p in PACKAGES:
        if f in p.ops:
            return p
    return None


def perfs() -> list[Perf]:
    """Every fault's Perf, in package order (the report draws them so)."""
    return [perf for p in PACKAGES for perf in p.perf]


def fault_of(f: str) -> str:
    """The --nemesis fault that op :f belongs to (kill and start: kill)."""
    package = package_of(f)
    if package is None:
        raise KeyError(f)
    for perf in package.perf:
        if f in perf.start | perf.stop and perf.name in package.faults:
            return perf.name
    return package.faults[0]
