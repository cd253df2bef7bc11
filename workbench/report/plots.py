"""The perf plots (Jepsen's jepsen/checker/perf.clj): latency-raw.png, latency-quantiles.png and
rate.png, drawn with matplotlib's Agg backend, each fault's periods (partition, kill, pause,
any registered package's) shaded in the colour of its Perf (workbench/nemesis/package.py).

Jepsen buckets quantiles by 30 s and rates by 10 s; runs here are often 20 s long, so the
bucket shrinks with the run (about 20 quantile and 40 rate buckets) and never grows past
Jepsen's. Every op counts in the quantiles and rates; only latency-raw thins its points when
there are very many (a uniform stride per series, said in the title)."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator  # noqa: E402

from .ops import PARTITION_COLOUR, TYPE_COLOURS, Done, fault_colour, fault_perf  # noqa: E402

MARKERS = ("o", "^", "s", "D", "v", "P", "X", "*", "<", ">")
QUANTILE_LINES = ((0.5, "#4C72B0"), (0.95, "#DD8452"), (0.99, "#C44E52"), (1.0, "#222222"))
MAX_RAW_POINTS = 30_000
SIZE = (9, 4.5)
DPI = 100


def nice_bucket(span: float, buckets: int, largest: float) -> float:
    """A round bucket width (1, 2 or 5 x 10^k s) giving about `buckets` buckets over `span`."""
    raw = max(span, 1e-3) / buckets
    exp = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        width = m * 10.0 ** exp
        if width >= raw:
            return min(width, largest)
    return largest


def write_all(run_dir: Path, done: Sequence[Done], periods: Sequence[tuple[float, float]],
              end: float) -> None:
    """All three plots into `run_dir`."""
    latency_raw(run_dir / "latency-raw.png", done, periods, end)
    latency_quantiles(run_dir / "latency-quantiles.png", done, periods, end)
    rate(run_dir / "rate.png", done, periods, end)


def _figure(title: str, ylabel: str) -> tuple[Figure, Axes]:
    fig, ax = plt.subplots(figsize=SIZE, dpi=DPI)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _log_y(ax: Axes) -> None:
    """Log scale with plain labels (0.5, 1, 20) rather than powers of ten."""
    ax.set_yscale("log")
    # minor ticks only where they are labelled (2 and 5 in each decade): each tick is an
    # object matplotlib lays out, and the unlabelled ones took a third of the drawing
    ax.yaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
    plain = FuncFormatter(lambda v, _pos: f"{v:g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(FuncFormatter(
        lambda v, _pos: f"{v:g}" if f"{v:.0e}"[0] in "25" else ""))


def _shade(ax: Axes, periods: Sequence[tuple[Any, ...]]) -> list[Any]:
    """Fault periods, (start, stop) for a partition or (start, stop, fault), shaded in each
    fault's colour; the legend's entries for them."""
    kinds: list[str] = []
    for period in periods:
        kind = period[2] if len(period) > 2 else "partition"
        p = fault_perf(kind)
        ax.axvspan(period[0], period[1], color=fault_colour(kind, PARTITION_COLOUR),
                   alpha=0.7 if p is not None and p.strong else 0.45, linewidth=0, zorder=0)
        if kind not in kinds:
            kinds.append(kind)
    return [Patch(color=fault_colour(k, PARTITION_COLOUR), alpha=0.7, label=k) for k in kinds]


def _finish(fig: Figure, ax: Axes, path: Path, handles: list[Any], end: float) -> None:
    ax.set_xlim(0, max(end, 1e-3) * 1.02)
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                  frameon=False)
    # fixed margins with room for the legend: matplotlib's tight_layout measures every tick
    # label first and took half of each plot's drawing time
    fig.subplots_adjust(left=0.08, bottom=0.11, top=0.92, right=0.80 if handles else 0.97)
    fig.savefig(path)
    plt.close(fig)


def _empty(ax: Axes) -> None:
    ax.text(0.5, 0.5, "no completed client operations", transform=ax.transAxes,
            ha="center", va="center", color="#888888")


def latency_raw(path: Path, done: Sequence[Done], periods: Sequence[tuple[float, float]],
                end: float) -> None:
    """Each completed op at its invocation time vs its latency; colour = type, marker = f."""
    series: dict[tuple[str, str], list[Done]] = defaultdict(list)
    for d in done:
        series[(d.f, d.type)].append(d)
    stride = max(1, math.ceil(len(done) / MAX_RAW_POINTS))
    title = "latency, every operation" if stride == 1 else \
        f"latency, every {stride}th operation of {len(done)}"
    fig, ax = _figure(title, "latency (ms)")
    handles = _shade(ax, periods)
    fs = sorted({d.f for d in done})
    for (f, typ), items in sorted(series.items()):
        items = items[::stride]
        x = np.fromiter((d.start for d in items), float, len(items))
        y = np.fromiter((max(d.latency, 1e-3) for d in items), float, len(items))
        (line,) = ax.plot(x, y, linestyle="none", marker=MARKERS[fs.index(f) % len(MARKERS)],
                          markersize=3, markeredgewidth=0, alpha=0.7,
                          color=TYPE_COLOURS.get(typ, "#888888"), label=f"{f} {typ}")
        handles.append(line)
    if done:
        _log_y(ax)
    else:
        _empty(ax)
    _finish(fig, ax, path, handles, end)


def latency_quantiles(path: Path, done: Sequence[Done],
                      periods: Sequence[tuple[float, float]], end: float) -> None:
    """Latency quantiles 0.5, 0.95, 0.99 and 1 per f, over time buckets (all ops count)."""
    width = nice_bucket(end, 20, 30.0)
    fig, ax = _figure(f"latency quantiles ({width:g} s buckets)", "latency (ms)")
    handles = _shade(ax, periods)
    by_f: dict[str, list[Done]] = defaultdict(list)
    for d in done:
        by_f[d.f].append(d)
    styles = ("-", "--", ":", "-.")
    for i, f in enumerate(sorted(by_f)):
        items = by_f[f]
        starts = np.fromiter((d.start for d in items), float, len(items))
        lat = np.fromiter((d.latency for d in items), float, len(items))
        bucket = np.floor(starts / width).astype(int)
        order = np.lexsort((lat, bucket))
        bucket, lat = bucket[order], lat[order]
        keys, first, counts = np.unique(bucket, return_index=True, return_counts=True)
        span = np.arange(keys[0], keys[-1] + 1)
        xs = np.minimum((span + 0.5) * width, end)  # a last partial bucket stays in view
        for q, colour in QUANTILE_LINES:
            # Jepsen's rule: element min(n-1, floor(n*q)) of the sorted bucket
            idx = first + np.minimum(counts - 1, np.floor(counts * q).astype(int))
            ys = np.full(len(span), np.nan)  # no line across buckets without ops
            ys[keys - keys[0]] = np.maximum(lat[idx], 1e-3)
            (line,) = ax.plot(xs, ys, styles[i % len(styles)],
                              marker="o", markersize=3, color=colour, label=f"{f} {q:g}")
            handles.append(line)
    if done:
        _log_y(ax)
    else:
        _empty(ax)
    _finish(fig, ax, path, handles, end)


def rate(path: Path, done: Sequence[Done], periods: Sequence[tuple[float, float]],
         end: float) -> None:
    """Completions per second per f and type, over time buckets (by completion time)."""
    width = nice_bucket(end, 40, 10.0)
    fig, ax = _figure(f"throughput ({width:g} s buckets)", "operations / s")
    handles = _shade(ax, periods)
    series: dict[tuple[str, str], list[float]] = defaultdict(list)
    for d in done:
        series[(d.f, d.type)].append(d.end)
    # a short last bucket joins the one before it, so the line does not dive at the end
    n = max(1, math.ceil(end / width - 0.25))
    lefts = np.arange(n) * width
    widths = np.full(n, width)
    widths[-1] = max(end - lefts[-1], 1e-3)
    xs = lefts + widths / 2
    fs = sorted({d.f for d in done})
    for (f, typ), ends in sorted(series.items()):
        counts = np.bincount(np.minimum((np.asarray(ends) / width).astype(int), n - 1),
                             minlength=n)
        (line,) = ax.plot(xs, counts / widths, marker=MARKERS[fs.index(f) % len(MARKERS)],
                          markersize=3, color=TYPE_COLOURS.get(typ, "#888888"),
                          label=f"{f} {typ}")
        handles.append(line)
    if not done:
        _empty(ax)
    ax.set_ylim(bottom=0)
    _finish(fig, ax, path, handles, end)
