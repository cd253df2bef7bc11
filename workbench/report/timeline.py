"""timeline.html (as Jepsen's jepsen/checker/timeline.clj): one column per process, one box per
operation from its invocation to its completion, time flowing down; ok blue, info orange,
fail pink, each fault's periods shaded in its package's colour (workbench/nemesis/package.py's
Perf).

A self-contained page (inline CSS, no script). Only the first MAX_OPS operations are drawn,
so that the page stays quick to open; the page says so when the history is longer."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any, Sequence

from ..history import NEMESIS, pairs
from ..nemesis import registry
from .ops import TYPE_COLOURS, clean, text

MAX_OPS = 3000
COLUMN = 110
GUTTER = 60
HEADER = 30
MAX_HEIGHT = 40_000  # px for the drawn span
MIN_BOX = 3


Box = tuple[object, dict[str, Any], dict[str, Any] | None]


def _boxes(history: Sequence[dict[str, Any]]) -> list[Box]:
    """(process, invocation, completion or None): client ops, then nemesis ops paired in the
    order they happened (each nemesis action is logged twice: when it starts and ends)."""
    out: list[tuple[object, dict[str, Any], dict[str, Any] | None]] = [
        (inv["process"], inv, done) for inv, done in pairs(history)]
    pending: dict[str, Any] | None = None
    for op in history:
        if op.get("process") != NEMESIS:
            continue
        if pending is not None and pending.get("f") == op.get("f"):
            out.append((NEMESIS, pending, op))
            pending = None
        else:
            if pending is not None:
                out.append((NEMESIS, pending, None))
            pending = op
    if pending is not None:
        out.append((NEMESIS, pending, None))
    out.sort(key=lambda b: b[1]["time"])
    return out


def _column_key(process: object) -> tuple[Any, ...]:
    return (1, 0) if process == NEMESIS else (0, process if isinstance(process, int) else 0)


def render(history: Sequence[dict[str, Any]], periods: Sequence[tuple[float, float]],
           title: str = "timeline") -> str:
    """The HTML page for a history (periods: partition (start s, stop s))."""
    boxes = _boxes(history)
    total = len(boxes)
    boxes = boxes[:MAX_OPS]
    end_ns = max((op["time"] for op in history), default=0)
    t0: float
    t1: float
    if boxes:
        t0 = boxes[0][1]["time"]
        t1 = max(d["time"] if d is not None else end_ns for _, _, d in boxes)
        if total > len(boxes):
            t1 = max(t1, boxes[-1][1]["time"])
    else:
        t0 = t1 = 0
    span_ms = max((t1 - t0) / 1e6, 1.0)
    scale = min(1.0, MAX_HEIGHT / span_ms)  # px per ms
    columns = sorted({p for p, _, _ in boxes}, key=_column_key)
    col_x = {p: GUTTER + i * COLUMN for i, p in enumerate(columns)}
    height = HEADER + span_ms * scale + 40
    width = GUTTER + COLUMN * max(1, len(columns))

    def y(ns: float) -> float:
        return HEADER + (ns - t0) / 1e6 * scale

    perfs = registry.perfs()
    faults = "\n".join(f".{p.name} {{ position: absolute; left: 0; background: {p.colour}; "
                       f"opacity: {0.6 if p.strong else 0.45}; }}" for p in perfs)
    fault_key = "\n".join(f'<span class="{escape(p.name)}-key" style="background:{p.colour}">'
                          f"{escape(p.key or p.name)}</span>" for p in perfs)
    parts = [_HEAD.format(title=escape(title), ok=TYPE_COLOURS["ok"],
                          info=TYPE_COLOURS["info"], fail=TYPE_COLOURS["fail"],
                          faults=faults, fault_key=fault_key)]
    shown_note = (f"Showing the first {len(boxes)} of {total} operations." if total > len(boxes)
                  else f"{total} operations.")
    parts.append(f'<p class="note" id="note">{escape(shown_note)} Hover a box for details; '
                 f"time flows down ({scale:g} px per ms).</p>")
    parts.append(f'<div id="timeline" style="width:{width}px;height:{height:.0f}px">')
    for period in periods:
        a, b = period[0], period[1]
        kind = period[2] if len(period) > 2 else "partition"
        top, bottom = y(max(a * 1e9, t0)), y(min(b * 1e9, t1))
        if bottom > top:
            parts.append(f'<div class="{escape(kind)}" title="{escape(kind)}" '
                         f'style="top:{top:.1f}px;height:{bottom - top:.1f}px;'
                         f'width:{width}px"></div>')
    step_ms = _tick(span_ms)
    tick = 0.0
    while tick <= span_ms:
        parts.append(f'<div class="tick" style="top:{HEADER + tick * scale:.1f}px">'
                     f'{(t0 / 1e6 + tick) / 1e3:.3f} s</div>')
        tick += step_ms
    for p in columns:
        name = "nemesis" if p == NEMESIS else f"process {p}"
        parts.append(f'<div class="head" style="left:{col_x[p]}px">{escape(name)}</div>')
    for p, inv, done in boxes:
        top = y(inv["time"])
        stop = y(done["time"] if done is not None else t1)
        kind = done["type"] if done is not None else "open"
        cls = kind if kind in TYPE_COLOURS else "open"
        parts.append(f'<div class="op {cls}" style="left:{col_x[p]}px;top:{top:.1f}px;'
                     f'height:{max(MIN_BOX, stop - top):.1f}px" title="{_title(p, inv, done)}">'
                     f'{escape(_name(inv.get("f")))} {escape(text(inv.get("value"), 60))}'
                     f"</div>")
    parts.append("</div></body></html>\n")
    return "\n".join(parts)


def _title(process: object, inv: dict[str, Any], done: dict[str, Any] | None) -> str:
    lines = [f"process {process}  f {_name(inv.get('f'))}",
             f"invoke  {inv['time'] / 1e9:.6f} s  {text(inv.get('value'), 400)}"]
    if done is None:
        lines.append("never completed")
    else:
        lines.append(f"{done['type']}  {done['time'] / 1e9:.6f} s  "
                     f"{text(done.get('value'), 400)}")
        if "error" in done:
            lines.append(f"error  {text(done['error'], 300)}")
        lines.append(f"latency  {(done['time'] - inv['time']) / 1e6:.3f} ms")
    return escape("\n".join(lines), quote=True)


def _name(f: object) -> str:
    return clean(f[:60]) if isinstance(f, str) else text(f, 60)


def _tick(span_ms: float) -> float:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000):
        if span_ms / step <= 40:
            return float(step)
    return 120_000.0


def write(path: Path, history: Sequence[dict[str, Any]], periods: Sequence[tuple[float, float]],
          title: str = "timeline") -> None:
    path.write_text(render(history, periods, title), encoding="utf-8")


_HEAD = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; font-size: 11px; margin: 10px; }}
h1 {{ font-size: 16px; margin: 0 0 4px 0; }}
.note {{ color: #555; margin: 0 0 8px 0; }}
#timeline {{ position: relative; }}
.op {{ position: absolute; width: {col}px; overflow: hidden; white-space: nowrap;
       box-sizing: border-box; border: 1px solid rgba(0,0,0,0.25); border-radius: 2px;
       padding: 0 2px; font-size: 9px; line-height: 10px; }}
.ok {{ background: {ok}; }} .info {{ background: {info}; }} .fail {{ background: {fail}; }}
.open {{ background: #DDDDDD; }}
{faults}
.head {{ position: absolute; top: 0; width: {col}px; font-weight: bold; text-align: center; }}
.tick {{ position: absolute; left: 0; width: 55px; color: #888; border-top: 1px solid #EEE; }}
.key span {{ display: inline-block; padding: 1px 6px; margin-right: 4px; }}
</style></head><body>
<h1>{title}</h1>
<p class="key"><span class="ok">ok</span><span class="info">info</span><span class="fail">fail
</span><span class="open">never completed</span>{fault_key}</p>
""".replace("{col}", str(COLUMN - 6))
